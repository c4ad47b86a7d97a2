// `choreoctl get <type> [name...]`: reads resources like `kubectl get`.
// The type is any word discovery knows (plural, singular, kind, short name,
// optionally `.group` or `.version.group`, or `type/name`). Table output is
// the server's own rendering (Accept: as=Table), so CRD printer columns look
// exactly as in kubectl; yaml/json print the objects as kubectl does
// (src/client/print.ts), down to empty Lists and per-name NotFound errors.
// `-w` prints the current state, then follows a watch from exactly that
// state's resourceVersion (the list's, or each named object's own) and
// prints every change until interrupted.

import { isApiError } from '../../api/errors.js';
import type { KObject } from '../../api/object.js';
import { apiVersionOf, typeLabel, type ApiResource } from '../../client/discovery.js';
import { query, resourcePath, type HttpClient } from '../../client/httpclient.js';
import { alignColumns, listOrObject, tableCells, toJson, toYaml, withoutManagedFields, type Table, type TableColumn } from '../../client/print.js';
import { followWatch } from '../../client/watchstream.js';
import { outputs, type Output } from '../commands/getformats.js';
import { connect, reportError, type ClientFlags } from './client.js';

export interface GetFlags extends ClientFlags {
  allNamespaces?: boolean;
  output: string;
  selector?: string;
  watch?: boolean;
}

const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export async function getCommand(typeArg: string, names: string[], o: GetFlags): Promise<void> {
  const output = o.output as Output;
  if (!outputs.includes(output)) throw new Error(`unable to match a printer suitable for the output format "${o.output}", allowed formats are: ${outputs.join(',')}`);
  const slash = typeArg.indexOf('/');
  if (slash >= 0) {
    names = [typeArg.slice(slash + 1), ...names];
    typeArg = typeArg.slice(0, slash);
  }
  const client = await connect(o);
  const r = await client.resolve(typeArg);
  if (r.namespaced && o.allNamespaces && names.length > 0) throw new Error('a resource cannot be retrieved by name across all namespaces');
  const namespace = !r.namespaced ? undefined : o.allNamespaces ? undefined : client.config.namespace;
  const target: Target = { client, r, namespace, names, selector: o.selector, missing: [] };
  // A name that is not found is reported after the others print, and fails the command (kubectl's order).
  const reportMissing = () => target.missing.forEach((err) => reportError(err));

  if (output === 'table' || output === 'wide') {
    const { table, from } = await fetchTable(target);
    const rows = table.rows ?? [];
    const columns = table.columnDefinitions ?? [];
    const withNamespace = r.namespaced && !!o.allNamespaces;
    let widths: number[] = [];
    if (rows.length > 0) {
      const out = alignColumns(tableCells(columns, rows, { wide: output === 'wide', withNamespace }));
      widths = out.widths;
      process.stdout.write(out.text);
    } else if (names.length === 0) {
      process.stderr.write(namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
    }
    reportMissing();
    if (o.watch && from.size > 0) {
      await watch(target, from, tableAccept, (obj) => {
        const t = obj as unknown as Table;
        const rowsNow = t.rows ?? [];
        // Watch events carry no column definitions after the first: keep the listing's.
        const cells = tableCells(t.columnDefinitions ?? columns, rowsNow, { wide: output === 'wide', withNamespace, header: widths.length === 0 });
        const out = alignColumns(cells, widths);
        widths = out.widths;
        process.stdout.write(out.text);
      });
    }
    return;
  }

  const { objects, from } = await fetchObjects(target);
  const print = (objs: KObject[], single: boolean) => {
    if (output === 'name') process.stdout.write(objs.map((x) => `${typeLabel(r)}/${x.metadata.name}\n`).join(''));
    else if (output === 'json') process.stdout.write(toJson(listOrObject(objs.map(withoutManagedFields), single)));
    else process.stdout.write(toYaml(listOrObject(objs.map(withoutManagedFields), single)));
  };
  if (!o.watch) {
    // kubectl: a listing prints as a List even when empty; -o name prints nothing then.
    if (objects.length > 0 || (names.length !== 1 && output !== 'name')) print(objects, names.length === 1);
    reportMissing();
    return;
  }
  reportMissing();
  if (from.size === 0) return;
  // Watching, kubectl prints every object on its own (YAML documents separated by ---), never a List.
  let printed = 0;
  const printOne = (obj: KObject) => {
    if (output === 'yaml' && printed++ > 0) process.stdout.write('---\n');
    print([obj], true);
  };
  objects.forEach(printOne);
  await watch(target, from, 'application/json', printOne);
}

interface Target {
  client: HttpClient;
  r: ApiResource;
  namespace?: string;
  names: string[];
  selector?: string;
  /** NotFound errors for names that do not exist. */
  missing: unknown[];
}

/**
 * Where a watch resumes: the listing's resourceVersion (key ""), or for named
 * objects each object's own, so the watch shows exactly the changes after
 * what was printed (a watch from "now" would replay the current state).
 */
type WatchFrom = Map<string, string>;

/** One Table for the listing or the named objects (rows concatenated in argument order). */
async function fetchTable(t: Target): Promise<{ table: Table; from: WatchFrom }> {
  if (t.names.length === 0) {
    const table = await t.client.transport.json<Table & { metadata?: { resourceVersion?: string } }>({
      method: 'GET',
      path: resourcePath(t.r, t.namespace) + query({ labelSelector: t.selector }),
      accept: tableAccept,
    });
    return { table, from: new Map([['', table.metadata?.resourceVersion ?? '']]) };
  }
  let columns: TableColumn[] | null = null;
  const rows = [];
  const from: WatchFrom = new Map();
  for (const name of t.names) {
    const one = await getNamed(t, name, () => t.client.transport.json<Table>({ method: 'GET', path: resourcePath(t.r, t.namespace, name), accept: tableAccept }));
    if (!one) continue;
    columns ??= one.columnDefinitions;
    rows.push(...(one.rows ?? []));
    from.set(name, one.rows?.[0]?.object?.metadata?.resourceVersion ?? '');
  }
  return { table: { kind: 'Table', columnDefinitions: columns, rows }, from };
}

async function fetchObjects(t: Target): Promise<{ objects: KObject[]; from: WatchFrom }> {
  if (t.names.length === 0) {
    const l = await t.client.transport.json<{ items?: KObject[]; metadata?: { resourceVersion?: string } }>({
      method: 'GET',
      path: resourcePath(t.r, t.namespace) + query({ labelSelector: t.selector }),
    });
    const objects = (l.items ?? []).map((x) => ({ ...x, apiVersion: x.apiVersion ?? apiVersionOf(t.r), kind: x.kind ?? t.r.kind }));
    return { objects, from: new Map([['', l.metadata?.resourceVersion ?? '']]) };
  }
  const objects = [];
  const from: WatchFrom = new Map();
  for (const name of t.names) {
    const obj = await getNamed(t, name, () => t.client.transport.json<KObject>({ method: 'GET', path: resourcePath(t.r, t.namespace, name) }));
    if (!obj) continue;
    objects.push(obj);
    from.set(name, obj.metadata.resourceVersion ?? '');
  }
  return { objects, from };
}

/** One named GET; a NotFound is recorded in t.missing (undefined returned), other errors propagate. */
async function getNamed<T>(t: Target, _name: string, get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
    t.missing.push(err);
    return undefined;
  }
}

/** Follows changes until the process is interrupted: one watch for a listing, one per name (by field selector) otherwise. */
async function watch(t: Target, from: WatchFrom, accept: string, onObject: (obj: KObject) => void): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await Promise.all([...from].map(([name, start]) => follow(name, start)));
  } finally {
    abort.abort(); // one failed watch ends them all
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }

  function follow(name: string, start: string): Promise<void> {
    const fieldSelector = name ? `metadata.name=${name}` : undefined;
    const pathFor = (rv: string) => resourcePath(t.r, t.namespace) + query({ watch: 1, resourceVersion: rv, labelSelector: t.selector, fieldSelector });
    return followWatch(t.client.transport, { pathFor, accept }, start, abort.signal, (ev) => {
      if (ev.type !== 'BOOKMARK') onObject(ev.object as unknown as KObject);
    });
  }
}
