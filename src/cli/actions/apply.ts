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

import { isApiError } from '../../api/errors.js';
import type { KObject } from '../../api/object.js';
import { typeLabel, UnknownTypeError, type ApiResource } from '../../client/discovery.js';
import type { HttpClient } from '../../client/httpclient.js';
import { formatPos } from '../../runner/project/yamlfile.js';
import { connect, reportError, type ClientFlags } from './client.js';
import { readManifestArgs } from './manifests.js';

export interface ApplyFlags extends ClientFlags {
  filename: string[];
  recursive?: boolean;
  forceConflicts?: boolean;
  dryRun?: boolean | string;
  fieldManager: string;
  crdTimeout: string;
}

export async function applyCommand(o: ApplyFlags): Promise<void> {
  if (o.dryRun === 'none') o.dryRun = false;
  else if (o.dryRun !== undefined && o.dryRun !== true && o.dryRun !== 'server') throw new Error(`--dry-run: invalid strategy ${JSON.stringify(o.dryRun)}: must be server or none (client-side dry run is not supported)`);
  const crdTimeoutMs = Number(o.crdTimeout) * 1000;
  const { manifests, errors } = await readManifestArgs(o.filename, o.recursive ?? false);
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
  const before = await client.get(obj, obj.metadata.namespace ?? '', name);
  const after = await client.apply(obj, { fieldManager: o.fieldManager, force: o.forceConflicts, dryRun: !!o.dryRun });
  if (before === undefined) return 'created';
  return after.metadata.resourceVersion === before.metadata.resourceVersion ? 'unchanged' : 'configured';
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
