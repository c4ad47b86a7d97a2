// One frozen copy of the metadata subtrees that many stored objects repeat:
// `ownerReferences` (every child of one owner has the same list) and each
// managedFields entry's `fieldsV1` (every object one manager applied with the
// same fields has the same set). Measured on the reconcile workload's children,
// these were over a third of an object's retained heap; stored objects are
// frozen, so equal subtrees can be one object.
//
// Key idea: a subtree is identified by its JSON text (JSON-normal values are
// equal exactly when their JSON is), looked up in a small pool; a miss keeps
// the subtree itself (normalized and frozen in place by the caller's `adopt`).
//
// Trade-off: a JSON.stringify of two small subtrees per stored write (a few
// µs) for the sharing; the pool is bounded (cleared when full, so its keys
// never grow with the store) and skips large subtrees, so objects whose
// subtrees are all distinct pay only the lookups.

type Obj = Record<string, unknown>;

const MAX_ENTRIES = 4096;
const MAX_JSON = 1024;
const pool = new Map<string, unknown>();

/** The pooled equal of `value`, or `value` made pool-ready by `adopt` (normalized, deep-frozen) and pooled. */
function shared(value: unknown, adopt: (v: unknown) => unknown): unknown {
  // Frozen: already a stored subtree (kept from the object this write replaces, or pooled).
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  const json = JSON.stringify(value);
  if (json === undefined || json.length > MAX_JSON) return value;
  const hit = pool.get(json);
  if (hit !== undefined) return hit;
  if (pool.size >= MAX_ENTRIES) pool.clear();
  const own = adopt(value);
  pool.set(json, own);
  return own;
}

/**
 * Replaces the repeated subtrees of an unfrozen object's metadata by pooled
 * equal ones; `adopt` normalizes and freezes a subtree that becomes the pooled
 * copy (it must not be edited afterwards). Frozen metadata is left alone.
 */
export function internMetadata(obj: { metadata?: unknown }, adopt: (v: unknown) => unknown): void {
  const meta = obj.metadata as Obj | undefined;
  if (meta === null || typeof meta !== 'object' || Object.isFrozen(meta)) return;
  if (meta.ownerReferences !== undefined) meta.ownerReferences = shared(meta.ownerReferences, adopt);
  const mf = meta.managedFields;
  if (!Array.isArray(mf) || Object.isFrozen(mf)) return;
  for (const entry of mf as unknown[]) {
    if (entry === null || typeof entry !== 'object' || Object.isFrozen(entry)) continue;
    const e = entry as Obj;
    if (e.fieldsV1 !== undefined) e.fieldsV1 = shared(e.fieldsV1, adopt);
  }
}
