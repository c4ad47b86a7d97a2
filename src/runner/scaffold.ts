// `choreoctl init`: a new project that works at once. It holds one CRD (status
// subresource, conditions in its status schema, so the Ready condition the
// runtime writes is kept), a Starlark reconciler that creates one ConfigMap
// per `spec.replicas` and reports the count in status, an input object, and a
// golden test case under tests/ whose expected/ tree is produced by running
// the case (golden.ts) — so `run once` and `test` pass on the new project and
// the expected files are whatever this engine writes, never a hand-kept copy.
//
// Trade-off: an existing project (any of the project folders or files we
// would write) is refused as a whole rather than merged into.

import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCase, testsDir } from './golden.js';
import { readOut } from './output.js';

export interface ScaffoldOptions {
  /** API group of the new kind (default example.com). */
  group?: string;
  /** The new kind (default App). */
  kind?: string;
}

export const defaultGroup = 'example.com';
export const defaultKind = 'App';
export const sampleCase = 'basic';

/** What makes a directory a project already: its folders (discover.ts) and the test cases. */
const projectEntries = ['crds', 'apis', 'reconcilers', 'in', 'libs', 'refs', 'tests'];

/** kubectl-style plural of a kind: lower case, -es after s/x/z/ch/sh, -ies for a consonant + y. */
export function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

export function checkKind(kind: string): string | undefined {
  return /^[A-Z][A-Za-z0-9]{0,62}$/.test(kind) ? undefined : `want a kind in UpperCamelCase (letters and digits, e.g. ${defaultKind}), got ${JSON.stringify(kind)}`;
}

export function checkGroup(group: string): string | undefined {
  const label = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
  return group.length <= 253 && new RegExp(`^${label}(\\.${label})+$`).test(group) ? undefined : `want a DNS name with a dot (e.g. ${defaultGroup}), got ${JSON.stringify(group)}`;
}

/** The files of a new project, path → text. */
export function projectFiles(group: string, kind: string): Record<string, string> {
  const plural = pluralOf(kind);
  const singular = kind.toLowerCase();
  const apiVersion = `${group}/v1alpha1`;
  const instance = (name: string, replicas: number, message: string) =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  replicas: ${replicas}\n  message: ${message}\n`;
  return {
    '.gitignore': '.choreo/\n',
    [`crds/${group}_${plural}.yaml`]: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
spec:
  group: ${group}
  names:
    kind: ${kind}
    listKind: ${kind}List
    plural: ${plural}
    singular: ${singular}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - {name: REPLICAS, type: integer, jsonPath: .spec.replicas}
    - {name: READY, type: string, jsonPath: ".status.conditions[?(@.type=='Ready')].status"}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            properties:
              replicas: {type: integer, minimum: 0, default: 1}
              message: {type: string, default: hello}
          status:
            type: object
            properties:
              children: {type: integer}
              # The condition the reconciler maintains (Ready) lives here: without
              # this list in the schema the API server would prune it.
              conditions:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [type]
                items:
                  type: object
                  required: [type, status]
                  properties:
                    type: {type: string}
                    status: {type: string, enum: ["True", "False", "Unknown"]}
                    reason: {type: string}
                    message: {type: string}
                    lastTransitionTime: {type: string, format: date-time}
                    observedGeneration: {type: integer, format: int64}
`,
    [`reconcilers/${singular}/config.yaml`]: `apiVersion: choreo.kform.dev/v1alpha1
kind: Reconciler
metadata:
  name: ${singular}
spec:
  for: {group: ${group}, version: v1alpha1, kind: ${kind}}
  owns:
  - {group: "", version: v1, kind: ConfigMap}
`,
    [`reconcilers/${singular}/reconciler.star`]: `# A ${kind} owns one ConfigMap per spec.replicas and reports their number in status.

def child(self, i):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "%s-%d" % (self["metadata"]["name"], i),
            "namespace": self["metadata"].get("namespace", "default"),
        },
        "data": {"message": self["spec"].get("message", "hello")},
    }

def reconcile(self):
    replicas = self["spec"].get("replicas", 1)
    for i in range(replicas):
        rsp = client_create(child(self, i))
        if rsp["error"] != None:
            return reconcile_result(self, True, 0, rsp["error"], rsp["fatal"])
    self["status"] = {"children": replicas}
    return reconcile_result(self, False, 0, "", False)
`,
    [`in/${plural}.yaml`]: instance('sample', 2, 'hello'),
    [`tests/${sampleCase}/in/${plural}.yaml`]: instance('three', 3, 'hi') + '---\n' + instance('none', 0, 'quiet'),
  };
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** Writes a new project into `dir` (created if needed) and its test case's expected/; returns the files written. */
export async function scaffoldProject(dir: string, opts: ScaffoldOptions = {}): Promise<string[]> {
  const group = opts.group ?? defaultGroup;
  const kind = opts.kind ?? defaultKind;
  const bad = checkGroup(group) ?? checkKind(kind);
  if (bad) throw new Error(bad);
  const files = projectFiles(group, kind);
  const taken = new Set<string>();
  for (const p of [...projectEntries, ...Object.keys(files)]) if (await exists(join(dir, p))) taken.add(p.split('/')[0]!);
  if (taken.size > 0) throw new Error(`${dir} already holds a project (${[...taken].join(', ')}); init writes into a new directory or one without these`);
  for (const [p, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), text, { flag: 'wx' });
  }
  const r = await runCase(dir, sampleCase, { update: true });
  if (!r.passed) throw new Error(`the new project's test case did not run: ${r.problem ?? r.report?.reason ?? 'unknown'}`);
  const expected = [...(await readOut(join(dir, testsDir, sampleCase, 'expected'))).keys()].map((f) => `${testsDir}/${sampleCase}/expected/${f}`);
  return [...Object.keys(files), ...expected].sort();
}
