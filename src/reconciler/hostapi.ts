// The Starlark host API: the builtins a reconciler calls (client_get,
// client_create, reconcile_result, ...), with the names, argument orders and
// return shapes of the original choreo so existing projects run unchanged.
// Every client_* call returns {"resource": value-or-None, "error": str-or-None,
// "fatal": bool}.
//
// Key idea: a reconcile is a pure function of what it reads. Reads are served
// synchronously from the informer caches (the interpreter is synchronous, and a
// cache read costs nothing), and nothing is written while Starlark runs:
// client_create records a desired child, client_update / client_update_status
// record an apply, and the runtime performs them after `reconcile` returns.
// So an aborted or failed run has no side effects and can simply be re-run —
// which is also how a read of a type with no informer yet is handled (the
// runtime starts the informer, waits for it to sync, and runs again).
// The trade-off: a reconciler cannot observe the result of its own write within
// the same run — and its own writes do not trigger it again (ownwrites.ts), so a
// reconciler that needs another pass says so with requeue / requeueAfter.
// Objects cross into Starlark without metadata.managedFields (starlarkView).
//
// Bad arguments are answered as the original answers them (pkg/controller/
// reconciler/starlark/reconciler.go): the helper builtins (get_resource,
// add/del_finalizer, is_conditionready, the IP helpers) and reconcile_result
// return a fatal result dict instead of raising (starlark.UnpackArgs failing
// there gives result(nil, err, true)); an argument of the right type that
// cannot be used (a string that is no IP, an is_conditionready obj that is no
// dict) raises; the client_* calls raise on a wrong argument type but answer
// an obj that is not a dict with a fatal result dict. Objects handed to the
// host are converted as the original converts them (None becomes ""), and
// what comes back is a copy.

import type { ResourceInfo, TypeRef } from '../api/client.js';
import { setKey, type KObject } from '../api/object.js';
import { builtin, unpackArgs, wantString, wantText, StarDict, fromStarlark, toStarlark, fromStarlarkString, toStarlarkString, StarlarkError, typeName, type Kwargs, type Thread, type Value } from '../starlark/index.js';
import { compileSelector, type ExpressionSelectorSpec } from './exprselector.js';
import { getAddress, getPrefixLength, getSubnetName, isIPv4, isIPv6 } from './ip.js';

/** Synchronous reads for a reconcile, served from informer caches. */
export interface ReadView {
  resourceInfo(type: TypeRef): ResourceInfo | undefined;
  /** undefined if absent; `missing` is set when no synced cache exists for the type yet. */
  get(type: TypeRef, namespace: string, name: string): { obj?: KObject; missing?: boolean };
  list(type: TypeRef, namespace: string | undefined): { items: KObject[]; missing?: boolean };
}

/** What one run of `reconcile(self)` asked for; the runtime carries it out afterwards. */
export interface ReconcileScope {
  reconciler: string;
  read: ReadView;
  defaultNamespace: string;
  /** Children recorded by client_create, in call order (order matters for claims). */
  desired: KObject[];
  /** client_update / client_update_status requests, in call order. */
  writes: Array<{ subresource: '' | 'status'; obj: KObject }>;
  /** Types read before their cache existed; the runtime syncs them and re-runs. */
  missing: TypeRef[];
  /**
   * client_apply() was called when this many children were recorded: those are
   * applied (and the rest pruned) even if the reconcile then returns a message,
   * as the original applies them at the call. Undefined = not called.
   */
  applyAt?: number;
  /** client_delete() was called: the children are deleted whatever the outcome. */
  deleteRequested?: boolean;
}

const scopeKey = 'choreo.reconcile';

export function setScope(thread: Thread, scope: ReconcileScope | undefined): void {
  if (scope) thread.local.set(scopeKey, scope);
  else thread.local.delete(scopeKey);
}

function scopeOf(thread: Thread, fn: string): ReconcileScope {
  const s = thread.local.get(scopeKey) as ReconcileScope | undefined;
  if (!s) throw new StarlarkError(`${fn}: only available while a reconcile runs (not at load time)`);
  return s;
}

/**
 * An object as reconcilers see it: without metadata.managedFields, which is
 * bookkeeping for server-side apply (often the largest part of an object)
 * that reconcilers never read — converting it to Starlark and back on every
 * reconcile was a measurable share of the run.
 */
export function starlarkView(obj: KObject): KObject {
  if (obj.metadata.managedFields === undefined) return obj;
  const { managedFields: _mf, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function result(resource: Value, error: string | null, fatal = false): StarDict {
  const d = new StarDict();
  d.setStr('resource', resource);
  d.setStr('error', error === null ? null : toStarlarkString(error)); // host text → a Starlark (UTF-8 byte) string
  d.setStr('fatal', fatal);
  return d;
}

/**
 * Runs the argument checks of a builtin that, like the original, answers bad
 * arguments with a fatal result dict: a StarlarkError from `parse` becomes
 * {"resource": None, "error": msg, "fatal": True}.
 */
function softArgs<T>(parse: () => T): T | StarDict {
  try {
    return parse();
  } catch (err) {
    if (err instanceof StarlarkError) return result(null, fromStarlarkString(err.message), true);
    throw err;
  }
}

/**
 * A Starlark dict as the object the original hands to the API: None inside
 * it becomes "" (its starlarkValueToInterface converts NoneType to the empty
 * string), in place. One walk over a freshly converted value.
 */
function toObject(v: StarDict): KObject {
  const o = fromStarlark(v) as KObject;
  noneAsEmpty(o);
  return o;
}

function noneAsEmpty(v: unknown): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (v[i] === null) v[i] = '';
      else if (typeof v[i] === 'object') noneAsEmpty(v[i]);
    }
  } else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (o[k] === null) o[k] = '';
      else if (typeof o[k] === 'object') noneAsEmpty(o[k]);
    }
  }
}

/** A dict argument as a plain object; a fatal result dict when it is not a dict (StarlarkValueToUnstructured). */
function dictArg(fn: string, v: Value | undefined): KObject | StarDict {
  if (!(v instanceof StarDict)) return result(null, `${fn}: expected dict value to convert to unstructured, got ${typeName(v ?? null)}`, true);
  const obj = toObject(v);
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  return obj;
}

/** dictArg for objects sent to the API: apiVersion and kind are needed to find the type. */
function objectArg(fn: string, v: Value | undefined): KObject | StarDict {
  const obj = dictArg(fn, v);
  if (obj instanceof StarDict) return obj;
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return result(null, `${fn}: obj has no apiVersion or kind`, true);
  return obj;
}

function typeOf(obj: KObject): TypeRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind };
}

function unknownType(t: TypeRef): string {
  return `no resource type ${t.kind} in ${t.apiVersion} is served`;
}

function namespaceFor(scope: ReconcileScope, info: ResourceInfo, ns: string | undefined): string {
  if (!info.namespaced) return '';
  return ns ? ns : scope.defaultNamespace;
}

/** The outcome a reconcile returned, read back from reconcile_result's dict. */
export interface ReconcileOutcome {
  obj: KObject | undefined;
  requeue: boolean;
  requeueAfterSeconds: number;
  message: string;
  fatal: boolean;
  conditionType?: string;
  /** The legacy 6-argument form: the whole returned object is applied; conditionType '' = no condition. */
  legacy?: true;
}

export function readOutcome(v: Value): ReconcileOutcome {
  if (!(v instanceof StarDict)) throw new Error(`reconcile must return reconcile_result(...), got ${v === null ? 'None' : typeof v === 'object' ? v.typeName : typeof v}`);
  const get = (k: string) => v.getStr(k);
  const objV = get('obj');
  const obj = objV instanceof StarDict ? toObject(objV) : objV === undefined || objV === null ? undefined : (fromStarlark(objV) as KObject);
  const after = get('requeueAfter');
  const msg = get('error');
  const ct = get('conditionType');
  const legacy = get('legacy') === true;
  return {
    obj,
    requeue: get('requeue') === true,
    requeueAfterSeconds: typeof after === 'number' ? after : 0,
    message: typeof msg === 'string' ? fromStarlarkString(msg) : '',
    fatal: get('fatal') === true,
    conditionType: typeof ct === 'string' && (ct !== '' || legacy) ? fromStarlarkString(ct) : undefined,
    ...(legacy ? { legacy } : {}),
  };
}

function reconcileResult(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  // Current form (obj, requeue, requeueAfter, msg, fatal); legacy form has
  // conditionType before msg: (obj, requeue, requeueAfter, conditionType, msg, fatal).
  // conditionType exists only in the legacy form (the current one rejects it), so naming it by keyword is legacy too.
  const legacyOrder = args.length === 6;
  const legacy = legacyOrder || (kwargs ?? []).some(([k]) => k === 'conditionType');
  const renamed = kwargs?.map(([k, v]) => [k === 'err_msg' ? 'msg' : k, v] as [string, Value]) ?? null;
  const params = legacyOrder ? ['obj', 'requeue?', 'requeueAfter?', 'conditionType?', 'msg?', 'fatal?'] : ['obj', 'requeue?', 'requeueAfter?', 'msg?', 'fatal?', 'conditionType?'];
  // Bad arguments make a fatal outcome, as in the original (UnpackArgs error → fatal result).
  const badResult = (err: string): StarDict => {
    const d = new StarDict();
    d.setStr('obj', args[0] ?? null);
    d.setStr('requeue', false);
    d.setStr('requeueAfter', 0);
    d.setStr('error', `reconcile_result: ${err}`);
    d.setStr('fatal', true);
    return d;
  };
  const a = softArgs(() => unpackArgs('reconcile_result', args, renamed, params));
  if (a instanceof StarDict) return badResult(a.getStr('error') as string);
  const get = (name: string) => a[params.findIndex((p) => p.replace('?', '') === name)];
  const requeue = get('requeue') ?? false;
  const after = get('requeueAfter') ?? 0;
  const msg = get('msg') ?? '';
  const fatal = get('fatal') ?? false;
  const ct = get('conditionType') ?? '';
  if (typeof requeue !== 'boolean') return badResult('requeue must be a bool');
  if (typeof after !== 'number' || after < 0) return badResult('requeueAfter must be a non-negative int (seconds)');
  if (msg !== null && typeof msg !== 'string') return badResult('msg must be a string');
  if (typeof fatal !== 'boolean') return badResult('fatal must be a bool');
  const d = new StarDict();
  d.setStr('obj', get('obj')!);
  d.setStr('requeue', requeue);
  d.setStr('requeueAfter', after);
  d.setStr('error', msg === '' || msg === null ? null : msg);
  d.setStr('fatal', fatal);
  if (typeof ct === 'string' && (ct !== '' || legacy)) d.setStr('conditionType', ct);
  if (legacy) d.setStr('legacy', true);
  return d;
}

function clientGet(thread: Thread, args: Value[], kwargs: Kwargs): Value {
  const [name, namespace, objV] = unpackArgs('client_get', args, kwargs, ['name', 'namespace', 'obj']);
  const scope = scopeOf(thread, 'client_get');
  const n = wantText('client_get', 'name', name);
  const ns = namespace === null ? '' : wantText('client_get', 'namespace', namespace);
  const o = objectArg('client_get', objV);
  if (o instanceof StarDict) return o;
  const t = typeOf(o);
  const info = scope.read.resourceInfo(t);
  // A failed read is never fatal in the original (result(nil, err, false)): the type may be served later.
  if (!info) return result(null, unknownType(t), false);
  const key = namespaceFor(scope, info, ns);
  const r = scope.read.get(t, key, n);
  if (r.missing) {
    scope.missing.push(t);
    throw new StarlarkError(`client_get: cache for ${t.kind} is not ready`);
  }
  if (!r.obj) return result(null, `${info.resource}.${info.group} "${n}" not found`, false);
  return result(toStarlark(starlarkView(r.obj)), null);
}

function clientList(thread: Thread, args: Value[], kwargs: Kwargs): Value {
  const [objV, sel] = unpackArgs('client_list', args, kwargs, ['obj', 'fieldSelector?']);
  const scope = scopeOf(thread, 'client_list');
  const obj = objectArg('client_list', objV);
  if (obj instanceof StarDict) return obj;
  const t = typeOf(obj);
  const info = scope.read.resourceInfo(t);
  if (!info) return result(null, unknownType(t), false);
  let match: ((o: unknown) => boolean) | undefined;
  if (sel !== undefined && sel !== null) {
    // The original requires a dict of strings (StarlarkValueToGoMap) and answers anything else with a fatal result.
    if (!(sel instanceof StarDict)) return result(null, 'client_list: fieldSelector: value is not a dictionary', true);
    const m: Record<string, string> = {};
    for (const [k, v] of Object.entries(fromStarlark(sel) as Record<string, unknown>)) {
      if (typeof v !== 'string') return result(null, `client_list: fieldSelector: value is not a string: ${JSON.stringify(v)}`, true);
      setKey(m, k, v);
    }
    try {
      match = compileSelector({ match: m } as ExpressionSelectorSpec);
    } catch (err) {
      return result(null, `client_list: ${(err as Error).message}`, true);
    }
  }
  const ns = obj.metadata.namespace;
  const r = scope.read.list(t, info.namespaced && ns ? ns : undefined);
  if (r.missing) {
    scope.missing.push(t);
    throw new StarlarkError(`client_list: cache for ${t.kind} is not ready`);
  }
  const items = (match ? r.items.filter(match) : r.items).map(starlarkView);
  const list = { apiVersion: obj.apiVersion, kind: `${obj.kind}List`, metadata: {}, items };
  return result(toStarlark(list), null);
}

function clientCreate(thread: Thread, args: Value[], kwargs: Kwargs): Value {
  const [objV] = unpackArgs('client_create', args, kwargs, ['obj']);
  const scope = scopeOf(thread, 'client_create');
  const obj = objectArg('client_create', objV);
  if (obj instanceof StarDict) return obj;
  if (!obj.metadata.name) return result(null, `client_create: ${obj.kind} has no metadata.name`, true);
  const info = scope.read.resourceInfo(typeOf(obj));
  if (!info) return result(null, unknownType(typeOf(obj)), true);
  if (info.namespaced && !obj.metadata.namespace) obj.metadata.namespace = scope.defaultNamespace;
  scope.desired.push(obj);
  // A copy, as the original returns the converted object (changing it does not change the argument).
  return result(toStarlark(obj), null);
}

function recordWrite(fn: string, subresource: '' | 'status') {
  return (thread: Thread, args: Value[], kwargs: Kwargs): Value => {
    const [objV] = unpackArgs(fn, args, kwargs, ['obj']);
    const scope = scopeOf(thread, fn);
    const obj = objectArg(fn, objV);
    if (obj instanceof StarDict) return obj;
    const info = scope.read.resourceInfo(typeOf(obj));
    if (!info) return result(null, unknownType(typeOf(obj)), true);
    if (!obj.metadata.name) return result(null, `${fn}: ${obj.kind} has no metadata.name`, true);
    if (info.namespaced && !obj.metadata.namespace) obj.metadata.namespace = scope.defaultNamespace;
    scope.writes.push({ subresource, obj });
    return result(toStarlark(obj), null);
  };
}

/**
 * client_apply(): the children recorded so far are applied (and the others
 * pruned) when the run ends, whatever its outcome. client_delete(): all
 * children are deleted when the run ends. Both report success here: a failure
 * of the writes themselves is an Error outcome of the reconcile.
 */
function clientApply(thread: Thread, args: Value[], kwargs: Kwargs): Value {
  unpackArgs('client_apply', args, kwargs, []);
  const scope = scopeOf(thread, 'client_apply');
  scope.applyAt = scope.desired.length;
  return result(null, null);
}

function clientDelete(thread: Thread, args: Value[], kwargs: Kwargs): Value {
  unpackArgs('client_delete', args, kwargs, []);
  scopeOf(thread, 'client_delete').deleteRequested = true;
  return result(null, null);
}

function getResource(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  const a = softArgs(() => {
    const [apiVersion, kind] = unpackArgs('get_resource', args, kwargs, ['apiVersion', 'kind']);
    return [wantString('get_resource', 'apiVersion', apiVersion), wantString('get_resource', 'kind', kind)];
  });
  if (a instanceof StarDict) return a;
  const d = new StarDict();
  d.setStr('apiVersion', a[0]!);
  d.setStr('kind', a[1]!);
  return result(d, null);
}

/** add_finalizer appends unless present (the order is kept); del_finalizer removes it. Any dict will do, as in the original. */
function finalizerOp(fn: string, add: boolean) {
  return (_t: Thread, args: Value[], kwargs: Kwargs): Value => {
    const a = softArgs(() => {
      const [objV, f] = unpackArgs(fn, args, kwargs, ['obj', 'finalizer']);
      return { objV, finalizer: wantText(fn, 'finalizer', f) };
    });
    if (a instanceof StarDict) return a;
    const obj = dictArg(fn, a.objV);
    if (obj instanceof StarDict) return obj;
    const list = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
    // No finalizers field stays without one (unstructured.SetFinalizers(nil) removes it).
    if (!add) {
      if (obj.metadata.finalizers !== undefined) obj.metadata.finalizers = list.filter((x) => x !== a.finalizer);
    }
    else if (!list.includes(a.finalizer)) obj.metadata.finalizers = [...list, a.finalizer];
    return result(toStarlark(obj), null);
  };
}

/** The first condition of the type decides (object.IsConditionTypeReady); bad arguments give a (truthy) fatal result dict, an obj that is no dict raises. */
function isConditionReady(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  const a = softArgs(() => {
    const [objV, ct] = unpackArgs('is_conditionready', args, kwargs, ['obj', 'conditionType']);
    return { objV, type: wantText('is_conditionready', 'conditionType', ct) };
  });
  if (a instanceof StarDict) return a;
  if (!(a.objV instanceof StarDict)) throw new StarlarkError(`is_conditionready: expected dict value to convert to unstructured, got ${typeName(a.objV ?? null)}`);
  const obj = fromStarlark(a.objV) as { status?: { conditions?: unknown } };
  const conds = obj.status?.conditions;
  if (!Array.isArray(conds)) return false;
  const c = conds.find((x) => typeof x === 'object' && x !== null && (x as { type?: unknown }).type === a.type) as { status?: unknown } | undefined;
  return c?.status === 'True';
}

/** An argument that is not a string gives a fatal result dict; a string that is no IP raises (iputil.New's error). */
function ipHelper(fn: string, f: (s: string) => string | number | boolean) {
  return (_t: Thread, args: Value[], kwargs: Kwargs): Value => {
    const p = softArgs(() => wantText(fn, 'prefix', unpackArgs(fn, args, kwargs, ['prefix'])[0]));
    if (p instanceof StarDict) return p;
    let r: string | number | boolean;
    try {
      r = f(p);
    } catch (err) {
      throw new StarlarkError(toStarlarkString((err as Error).message)); // shown as "Error in <fn>: ..."
    }
    return typeof r === 'string' ? toStarlarkString(r) : r;
  };
}

/** The predeclared names of every reconciler and library module. */
export function hostBuiltins(): Map<string, Value> {
  const fns: Array<[string, (t: Thread, a: Value[], k: Kwargs) => Value]> = [
    ['reconcile_result', reconcileResult],
    ['client_get', clientGet],
    ['client_list', clientList],
    ['client_create', clientCreate],
    ['client_apply', clientApply],
    ['client_delete', clientDelete],
    ['client_update', recordWrite('client_update', '')],
    ['client_update_status', recordWrite('client_update_status', 'status')],
    ['get_resource', getResource],
    ['add_finalizer', finalizerOp('add_finalizer', true)],
    ['del_finalizer', finalizerOp('del_finalizer', false)],
    ['is_conditionready', isConditionReady],
    ['get_prefixlength', ipHelper('get_prefixlength', getPrefixLength)],
    ['get_address', ipHelper('get_address', getAddress)],
    ['get_subnetname', ipHelper('get_subnetname', getSubnetName)],
    ['is_ipv4', ipHelper('is_ipv4', isIPv4)],
    ['is_ipv6', ipHelper('is_ipv6', isIPv6)],
    // Names the original registers as well.
    ['isIPv4', ipHelper('isIPv4', isIPv4)],
    ['isIPv6', ipHelper('isIPv6', isIPv6)],
  ];
  const m = new Map<string, Value>();
  for (const [name, fn] of fns) m.set(name, builtin(name, (t, a, k) => fn(t, a, k)));
  return m;
}
