// `choreoctl delete <type> <name>...` or `delete -f FILE|DIR|-`: deletes
// objects like `kubectl delete`, printing `widget.example.com "a" deleted`
// per object; an error about a manifest's object names its file:line:col.
// By default it then waits until each object is really gone (finalizers and
// foreground garbage collection done), because that is what kubectl does and
// what a script that deletes then re-creates needs; `--no-wait` returns once
// deletion started. Waiting polls with GET: deletion is the rare, short case,
// and polling needs no watch bookkeeping across several types.

import { isApiError } from '../../api/errors.js';
import { apiVersionOf, typeLabel, type ApiResource } from '../../client/discovery.js';
import type { HttpClient } from '../../client/httpclient.js';
import { formatPos, type Manifest } from '../../runner/project/yamlfile.js';
import { connect, reportError, type ClientFlags } from './client.js';
import { readManifestArgs } from './manifests.js';

export interface DeleteFlags extends ClientFlags {
  filename?: string[];
  recursive?: boolean;
  wait: boolean;
  timeout: string;
  cascade: string;
  ignoreNotFound?: boolean;
}

const cascades: Record<string, 'Background' | 'Foreground' | 'Orphan'> = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan' };

export async function deleteCommand(typeArg: string | undefined, names: string[], o: DeleteFlags): Promise<void> {
  const policy = cascades[o.cascade];
  if (!policy) throw new Error(`--cascade: invalid value ${JSON.stringify(o.cascade)}: must be one of background, foreground, orphan`);
  const timeoutMs = Number(o.timeout) * 1000;
  if (o.filename && typeArg !== undefined) throw new Error('there is no need to specify a resource type as a separate argument when passing arguments in resource/name form or with -f');
  if (!o.filename && typeArg === undefined) throw new Error('you must provide one or more resources by argument or filename (-f)');

  let manifests: Manifest[] = [];
  if (o.filename) {
    const read = await readManifestArgs(o.filename, o.recursive ?? false);
    if (read.errors.length > 0) {
      for (const e of read.errors) process.stderr.write(`error: ${e.render()}\n`);
      process.exitCode = 1;
      return;
    }
    manifests = read.manifests;
  } else {
    const slash = typeArg!.indexOf('/');
    if (slash >= 0) {
      names = [typeArg!.slice(slash + 1), ...names];
      typeArg = typeArg!.slice(0, slash);
    }
    if (names.length === 0) throw new Error('resource(s) were provided, but no name was specified');
  }

  const client = await connect(o);
  const targets: Target[] = [];
  if (typeArg !== undefined) {
    const r = await client.resolve(typeArg);
    for (const name of names) targets.push({ r, namespace: r.namespaced ? client.config.namespace : '', name, where: '' });
  }
  for (const m of manifests) {
    const where = `${formatPos(m.pos)}: `;
    try {
      const r = await client.discovery.byKind(m.object);
      const ns = m.object.metadata.namespace;
      if (r.namespaced && ns && o.namespace && ns !== o.namespace) throw new Error(`the namespace from the provided object "${ns}" does not match the namespace "${o.namespace}". You must pass '--namespace=${ns}' to perform this operation.`);
      if (!m.object.metadata.name) throw new Error(`${typeLabel(r)}: metadata.name is required`);
      targets.push({ r, namespace: r.namespaced ? ns || client.config.namespace : '', name: m.object.metadata.name, where });
    } catch (err) {
      reportError(err, where);
    }
  }

  const started: Target[] = [];
  for (const t of targets) {
    try {
      await client.delete({ apiVersion: apiVersionOf(t.r), kind: t.r.kind }, t.namespace, t.name, { propagationPolicy: policy });
      process.stdout.write(`${typeLabel(t.r)} "${t.name}" deleted\n`);
      started.push(t);
    } catch (err) {
      if (o.ignoreNotFound && isApiError(err, 'NotFound')) continue;
      reportError(err, t.where);
    }
  }
  if (!o.wait) return;
  for (const t of started) {
    try {
      await waitGone(client, t.r, t.namespace, t.name, timeoutMs);
    } catch (err) {
      reportError(err, t.where);
    }
  }
}

/** One object to delete; `where` is its manifest position ("" for names given as arguments). */
interface Target {
  r: ApiResource;
  namespace: string;
  name: string;
  where: string;
}

async function waitGone(client: HttpClient, r: ApiResource, namespace: string, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await client.get({ apiVersion: apiVersionOf(r), kind: r.kind }, namespace, name)) !== undefined) {
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${typeLabel(r)} "${name}" to be deleted (finalizers still pending?)`);
    await new Promise((res) => setTimeout(res, 200));
  }
}
