// A tiny project for the scale-out tests and benchmark: a Parent CRD, a Child
// CRD, and one Starlark reconciler that creates one Child per Parent. The
// reconciler prints "start <ns>/<name>" on entry and "end <ns>/<name>" before
// it returns, so a runner's log records when each reconcile ran (the runner
// logs Starlark print() output with a timestamp).

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KObject } from '../../src/api/object.js';
import { buildCRD } from '../../src/api/crd.js';

export const group = 'scale.choreo.dev';
export const parentType = { apiVersion: `${group}/v1`, kind: 'Parent' };
export const childType = { apiVersion: `${group}/v1`, kind: 'Child' };
export const parentResource = `${group}/parents`;
export const childResource = `${group}/children`;

const crd = (kind: string, plural: string): KObject => buildCRD({ group, kind, plural, schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } });

const config = {
  apiVersion: 'choreo.kform.dev/v1alpha1',
  kind: 'Reconciler',
  metadata: { name: 'parents' },
  spec: { for: { group, version: 'v1', kind: 'Parent' }, owns: [{ group, version: 'v1', kind: 'Child' }] },
};

const starlark = `
def reconcile(self):
    meta = self["metadata"]
    key = "%s/%s" % (meta["namespace"], meta["name"])
    print("start " + key)
    rsp = client_create({
        "apiVersion": "${group}/v1",
        "kind": "Child",
        "metadata": {"name": meta["name"] + "-child", "namespace": meta["namespace"]},
        "spec": {"parent": meta["name"]},
    })
    if rsp["error"] != None:
        print("end " + key)
        return reconcile_result(self, True, 0, rsp["error"], rsp["fatal"])
    self["status"] = {"children": 1}
    print("end " + key)
    return reconcile_result(self, False, 0, "", False)
`;

/** Writes the project into `dir`. */
export async function writeProject(dir: string): Promise<void> {
  await mkdir(join(dir, 'crds'), { recursive: true });
  await mkdir(join(dir, 'reconcilers/parents'), { recursive: true });
  await writeFile(join(dir, 'crds', `${group}_parents.yaml`), stringify(crd('Parent', 'parents')));
  await writeFile(join(dir, 'crds', `${group}_children.yaml`), stringify(crd('Child', 'children')));
  await writeFile(join(dir, 'reconcilers/parents/config.yaml'), stringify(config));
  await writeFile(join(dir, 'reconcilers/parents/reconciler.star'), starlark);
}

export function parent(i: number): KObject {
  return { ...parentType, metadata: { name: `p-${String(i).padStart(5, '0')}`, namespace: 'default' }, spec: { index: i } };
}

/** Whether a stored Parent reports Ready=True for its current generation. */
export function isReady(o: KObject): boolean {
  const conds = ((o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}
