// `choreoctl apply -f FILE|DIR|-`: server-side apply of every object in YAML
// or JSON manifests (multi-document, `kind: List` expanded) as field manager
// `choreoctl`, printing kubectl's per-object result line —
// `widget.example.com/a created|configured|unchanged`.
//
// Key idea: all files are parsed before anything is sent, so a syntax error
// anywhere applies nothing (every error is listed with file:line:col); once
// sending, a failing object is reported with its document's position and the
// rest still apply, as kubectl does. The result word comes from comparing the
// resourceVersion before and after: absent → created, equal → unchanged.
// A CRD applied earlier in the same run is waited for (up to --crd-timeout)
// before its instances are sent, so one file can hold a CRD and its objects.

import type { Command } from 'commander';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isApiError } from '../../api/errors.js';
import type { KObject } from '../../api/object.js';
import { typeLabel, UnknownTypeError, type ApiResource } from '../../client/discovery.js';
import { resourcePath, type HttpClient } from '../../client/httpclient.js';
import { formatPos, parseManifests, type LoadError, type Manifest } from '../../runner/project/yamlfile.js';
import { action, addClientFlags, connect, reportError, type ClientFlags } from './clientflags.js';

interface ApplyFlags extends ClientFlags {
  filename: string[];
  recursive?: boolean;
  forceConflicts?: boolean;
  dryRun?: boolean;
  fieldManager: string;
  crdTimeout: string;
}

const manifestExtensions = new Set(['.yaml', '.yml', '.json']);

export function register(program: Command): void {
  const cmd = program
    .command('apply')
    .description('create or update resources from manifests with server-side apply')
    .requiredOption('-f, --filename <path>', 'a manifest file, a directory of .yaml/.yml/.json files, or - for stdin (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('-R, --recursive', 'also read manifests in subdirectories of a -f directory')
    .option('--force-conflicts', 'take ownership of fields another manager owns instead of failing with a conflict')
    .option('--dry-run', 'ask the server to validate and compute the result without persisting it')
    .option('--field-manager <name>', 'field manager recorded in managedFields', 'choreoctl')
    .option('--crd-timeout <seconds>', 'how long to wait for a CRD applied in the same run to be served', '10');
  addClientFlags(cmd).addHelpText(
    'after',
    `
Examples:
  # Apply a CRD and its instances (one file may hold both; the CRD is waited for)
  choreoctl apply -f crds/widget.yaml -f in/
  # From stdin
  cat widget.yaml | choreoctl apply -f -
  # Take over fields another manager (e.g. kubectl) set
  choreoctl apply -f widget.yaml --force-conflicts`,
  );
  cmd.action(action(async (o: ApplyFlags) => applyCommand(o)));
}

async function applyCommand(o: ApplyFlags): Promise<void> {
  const crdTimeoutMs = Number(o.crdTimeout) * 1000;
  if (!Number.isFinite(crdTimeoutMs) || crdTimeoutMs < 0) throw new Error(`--crd-timeout: invalid number of seconds ${JSON.stringify(o.crdTimeout)}`);
  const { manifests, errors } = await readAll(o.filename, o.recursive ?? false);
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`error: ${e.render()}\n`);
    process.exitCode = 1;
    return;
  }
  if (manifests.length === 0) throw new Error('no objects passed to apply');
  const client = await connect(o);
  let crdApplied = false;
  for (const m of manifests) {
    const where = `${formatPos(m.pos)}: `;
    try {
      const r = await resolveType(client, m.object, crdApplied ? crdTimeoutMs : 0);
      const result = await applyOne(client, r, m.object, o);
      if (r.group === 'apiextensions.k8s.io' && r.kind === 'CustomResourceDefinition') crdApplied = true;
      process.stdout.write(`${typeLabel(r)}/${m.object.metadata.name} ${result}${o.dryRun ? ' (server dry run)' : ''}\n`);
    } catch (err) {
      reportError(err, where);
      if (isApiError(err, 'Conflict') && !o.forceConflicts) process.stderr.write(`  (another field manager owns these fields: change your manifest, or pass --force-conflicts to take them over)\n`);
    }
  }
}

/** Server-side apply of one object; returns kubectl's result word. */
async function applyOne(client: HttpClient, r: ApiResource, obj: KObject, o: ApplyFlags): Promise<'created' | 'configured' | 'unchanged'> {
  const name = obj.metadata.name;
  if (!name) throw new Error(`${typeLabel(r)}: metadata.name is required`);
  if (r.namespaced) {
    const ns = obj.metadata.namespace;
    if (ns && o.namespace && ns !== o.namespace) {
      throw new Error(`the namespace from the provided object "${ns}" does not match the namespace "${o.namespace}". You must pass '--namespace=${ns}' to perform this operation.`);
    }
    obj = { ...obj, metadata: { ...obj.metadata, namespace: ns || client.config.namespace } };
  } else if (obj.metadata.namespace) {
    const { namespace: _ns, ...metadata } = obj.metadata;
    obj = { ...obj, metadata };
  }
  const before = await currentVersion(client, r, obj);
  const after = await client.apply(obj, { fieldManager: o.fieldManager, force: o.forceConflicts, dryRun: o.dryRun });
  if (before === undefined) return 'created';
  return after.metadata.resourceVersion === before ? 'unchanged' : 'configured';
}

async function currentVersion(client: HttpClient, r: ApiResource, obj: KObject): Promise<string | undefined> {
  try {
    const cur = await client.transport.json<KObject>({ method: 'GET', path: resourcePath(r, obj.metadata.namespace, obj.metadata.name) });
    return cur.metadata.resourceVersion ?? '';
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** The object's type from discovery; waits up to `waitMs` for a type a just-applied CRD introduces. */
async function resolveType(client: HttpClient, obj: KObject, waitMs: number): Promise<ApiResource> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await client.discovery.byKind(obj);
    } catch (err) {
      if (!(err instanceof UnknownTypeError) || Date.now() >= deadline) {
        if (err instanceof UnknownTypeError) throw new UnknownTypeError(`${err.message} (ensure its CRD is applied first)`);
        throw err;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Every manifest of every -f argument, in argument and file-name order. */
async function readAll(paths: string[], recursive: boolean): Promise<{ manifests: Manifest[]; errors: LoadError[] }> {
  const manifests: Manifest[] = [];
  const errors: LoadError[] = [];
  for (const p of paths) {
    const files = p === '-' ? [{ file: '<stdin>', text: await readStdin() }] : expand(p, recursive).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    for (const { file, text } of files) {
      const r = parseManifests(file, text);
      errors.push(...r.errors);
      for (const m of r.manifests) manifests.push(...expandList(m));
    }
  }
  return { manifests, errors };
}

function expand(path: string, recursive: boolean): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const e of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(path, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...expand(full, true));
    } else if (manifestExtensions.has(extname(e.name))) out.push(full);
  }
  return out;
}

/** A `kind: List` document stands for its items (all at the document's position). */
function expandList(m: Manifest): Manifest[] {
  if (m.object.kind !== 'List' || !Array.isArray(m.object.items)) return [m];
  return (m.object.items as KObject[]).map((object) => ({ object: { ...object, metadata: object.metadata ?? {} }, pos: m.pos }));
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}
