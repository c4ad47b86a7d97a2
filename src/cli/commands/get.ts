// `choreoctl get <type> [name...]`: reads resources like `kubectl get`.
// The type is any word discovery knows (plural, singular, kind, short name,
// optionally `.group` or `.version.group`, or `type/name`). Table output is
// the server's own rendering (Accept: as=Table), so CRD printer columns look
// exactly as in kubectl; yaml/json print the objects as kubectl does
// (src/client/print.ts). `-w` lists, then follows a watch from the list's
// resourceVersion and prints every change until interrupted.

import type { Command } from 'commander';
import type { KObject } from '../../api/object.js';
import { apiVersionOf, typeLabel, type ApiResource } from '../../client/discovery.js';
import { query, resourcePath, type HttpClient } from '../../client/httpclient.js';
import { alignColumns, listOrObject, tableCells, toJson, toYaml, withoutManagedFields, type Table, type TableColumn } from '../../client/print.js';
import { readWatch } from '../../client/watchstream.js';
import { action, addClientFlags, connect, type ClientFlags } from './clientflags.js';

type Output = 'table' | 'wide' | 'yaml' | 'json' | 'name';
const outputs: Output[] = ['table', 'wide', 'yaml', 'json', 'name'];

interface GetFlags extends ClientFlags {
  allNamespaces?: boolean;
  output: string;
  selector?: string;
  watch?: boolean;
}

export const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export function register(program: Command): void {
  const cmd = program
    .command('get')
    .description('display one or many resources')
    .argument('<type>', 'resource type: plural, singular, kind or short name, optionally .group (or type/name)')
    .argument('[name...]', 'names of the objects (all objects when omitted)')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-o, --output <format>', `output format: ${outputs.join('|')}`, 'table')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db')
    .option('-w, --watch', 'after listing, watch for changes and print them (Ctrl-C to stop)');
  addClientFlags(cmd).addHelpText(
    'after',
    `
Examples:
  choreoctl get crds
  choreoctl get widgets -A -o wide
  choreoctl get wd my-widget -o yaml
  choreoctl get widget.example.com -l app=web -n team-a
  choreoctl get widgets -w`,
  );
  cmd.action(action(async (type: string, names: string[], o: GetFlags) => getCommand(type, names, o)));
}

async function getCommand(typeArg: string, names: string[], o: GetFlags): Promise<void> {
  const output = o.output as Output;
  if (!outputs.includes(output)) throw new Error(`unable to match a printer suitable for the output format "${o.output}", allowed formats are: ${outputs.join(',')}`);
  const slash = typeArg.indexOf('/');
  if (slash >= 0) {
    names = [typeArg.slice(slash + 1), ...names];
    typeArg = typeArg.slice(0, slash);
  }
  const client = await connect(o);
  const r = await client.resolve(typeArg);
  const namespace = !r.namespaced ? undefined : o.allNamespaces ? undefined : client.config.namespace;
  const target: Target = { client, r, namespace, names, selector: o.selector };

  if (output === 'table' || output === 'wide') {
    const { table, resourceVersion } = await fetchTable(target);
    const rows = table.rows ?? [];
    const columns = table.columnDefinitions ?? [];
    const withNamespace = r.namespaced && !!o.allNamespaces;
    let widths: number[] = [];
    if (rows.length > 0) {
      const out = alignColumns(tableCells(columns, rows, { wide: output === 'wide', withNamespace }));
      widths = out.widths;
      process.stdout.write(out.text);
    } else if (!o.watch || names.length === 0) {
      process.stderr.write(namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
    }
    if (o.watch) {
      await watch(target, resourceVersion, tableAccept, (obj) => {
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

  const { objects, resourceVersion } = await fetchObjects(target);
  const print = (objs: KObject[], single: boolean) => {
    if (output === 'name') process.stdout.write(objs.map((x) => `${typeLabel(r)}/${x.metadata.name}\n`).join(''));
    else if (output === 'json') process.stdout.write(toJson(listOrObject(objs.map(withoutManagedFields), single)));
    else process.stdout.write(toYaml(listOrObject(objs.map(withoutManagedFields), single)));
  };
  if (objects.length > 0 || names.length > 0) print(objects, names.length === 1);
  else process.stderr.write(namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
  if (o.watch) {
    await watch(target, resourceVersion, 'application/json', (obj) => {
      if (output === 'yaml') process.stdout.write('---\n');
      print([obj], true);
    });
  }
}

interface Target {
  client: HttpClient;
  r: ApiResource;
  namespace?: string;
  names: string[];
  selector?: string;
}

/** One Table for the listing or the named objects (rows concatenated in argument order). */
async function fetchTable(t: Target): Promise<{ table: Table; resourceVersion: string }> {
  if (t.names.length === 0) {
    const table = await t.client.transport.json<Table & { metadata?: { resourceVersion?: string } }>({
      method: 'GET',
      path: resourcePath(t.r, t.namespace) + query({ labelSelector: t.selector }),
      accept: tableAccept,
    });
    return { table, resourceVersion: table.metadata?.resourceVersion ?? '' };
  }
  let columns: TableColumn[] | null = null;
  const rows = [];
  for (const name of t.names) {
    const one = await t.client.transport.json<Table>({ method: 'GET', path: resourcePath(t.r, t.namespace, name), accept: tableAccept });
    columns ??= one.columnDefinitions;
    rows.push(...(one.rows ?? []));
  }
  return { table: { kind: 'Table', columnDefinitions: columns, rows }, resourceVersion: '' };
}

async function fetchObjects(t: Target): Promise<{ objects: KObject[]; resourceVersion: string }> {
  if (t.names.length === 0) {
    const l = await t.client.transport.json<{ items?: KObject[]; metadata?: { resourceVersion?: string } }>({
      method: 'GET',
      path: resourcePath(t.r, t.namespace) + query({ labelSelector: t.selector }),
    });
    const objects = (l.items ?? []).map((x) => ({ ...x, apiVersion: x.apiVersion ?? apiVersionOf(t.r), kind: x.kind ?? t.r.kind }));
    return { objects, resourceVersion: l.metadata?.resourceVersion ?? '' };
  }
  const objects = [];
  for (const name of t.names) objects.push(await t.client.transport.json<KObject>({ method: 'GET', path: resourcePath(t.r, t.namespace, name) }));
  return { objects, resourceVersion: '' };
}

/** Follows changes until the process is interrupted; one name watches by field selector. */
async function watch(t: Target, resourceVersion: string, accept: string, onObject: (obj: KObject) => void): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const fieldSelector = t.names.length === 1 ? `metadata.name=${t.names[0]}` : undefined;
  let rv = resourceVersion;
  while (!abort.signal.aborted) {
    const path = resourcePath(t.r, t.namespace) + query({ watch: 1, resourceVersion: rv, labelSelector: t.selector, fieldSelector });
    await readWatch(t.client.transport, { method: 'GET', path, accept }, abort.signal, (ev) => {
      const obj = ev.object as unknown as KObject;
      const evRv = (obj as unknown as Table).rows?.[0]?.object?.metadata?.resourceVersion ?? obj.metadata?.resourceVersion;
      if (evRv) rv = evRv;
      if (ev.type === 'BOOKMARK') return;
      if (t.names.length > 1 && !isNamed(obj, t.names)) return;
      onObject(obj);
    });
  }
}

function isNamed(obj: KObject, names: string[]): boolean {
  const rows = (obj as unknown as Table).rows;
  const name = rows ? rows[0]?.object?.metadata?.name : obj.metadata?.name;
  return name !== undefined && names.includes(name);
}
