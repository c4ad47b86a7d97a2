// The soak's project: examples/hello (HelloWorld → Greetings, the normal
// reconciles) plus a Hazard kind whose reconciler misbehaves on request —
// spec.kind "memory" allocates until the heap gives out, "slow" squares a big
// int until one multiplication takes seconds (issue 18 items 1 and 2), "ok"
// just reports done. Written into a fresh directory per run.

import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const hazardCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: hazards.example.com
spec:
  group: example.com
  names: {kind: Hazard, listKind: HazardList, plural: hazards, singular: hazard}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              kind: {type: string, enum: [ok, memory, slow]}
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`;

const hazardConfig = `apiVersion: choreo.kform.dev/v1alpha1
kind: Reconciler
metadata:
  name: hazard
spec:
  for:
    group: example.com
    version: v1alpha1
    kind: Hazard
`;

// The programs of issue 18: ~1,000 steps that need gigabytes; 36 squarings of a big int.
const hazardStar = `def reconcile(self):
    kind = self.get("spec", {}).get("kind", "ok")
    if kind == "memory":
        keep = []
        for j in range(40):
            l = [1]
            for i in range(24):
                l = l + l
            keep.append(l)
    elif kind == "slow":
        x = 3
        for i in range(36):
            x = x * x
    self["status"] = {"done": True}
    return reconcile_result(self, False, 0, "", False)
`;

/** Copies examples/hello (without its expected output) into `dir` and adds the Hazard kind and reconciler. */
export async function writeSoakProject(repo: string, dir: string): Promise<void> {
  await cp(join(repo, 'examples/hello'), dir, { recursive: true, filter: (src) => !src.includes('expected') });
  await writeFile(join(dir, 'crds/example.com_hazards.yaml'), hazardCrd);
  await mkdir(join(dir, 'reconcilers/hazard'), { recursive: true });
  await writeFile(join(dir, 'reconcilers/hazard/config.yaml'), hazardConfig);
  await writeFile(join(dir, 'reconcilers/hazard/reconciler.star'), hazardStar);
}
