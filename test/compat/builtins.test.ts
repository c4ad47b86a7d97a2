// Host builtins with the original's exact behaviour (pkg/controller/reconciler/starlark/reconciler.go,
// henderiw/iputil), end to end through `choreoctl run once` on a project in the original's layout:
// bad argument types give a fatal result dict (truthy) instead of raising, a string that is no IP
// raises, subnet names are valid object names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../../src/api/object.js';
import { choreoctl, crdYaml, projectDir } from './cli.js';

const config = `apiVersion: choreo.kform.dev/v1alpha1
kind: Reconciler
metadata: {name: probes}
spec:
  conditionType: Ready
  for: {group: example.com, version: v1alpha1, kind: Probe}
  owns:
  - {group: example.com, version: v1alpha1, kind: Note}
`;

const probe = (name: string, mode: string) => `apiVersion: example.com/v1alpha1\nkind: Probe\nmetadata: {name: ${name}, namespace: default}\nspec: {mode: ${mode}}\n`;

const code = `
P = {"apiVersion": "example.com/v1alpha1", "kind": "Probe"}

def shape(r):
    if type(r) == "dict":
        return {"resourceIsNone": r["resource"] == None, "error": r["error"], "fatal": r["fatal"]}
    return r

def reconcile(self):
    mode = self["spec"]["mode"]
    if mode == "raise":
        is_ipv4("not-an-ip")
    if mode == "badresult":
        return reconcile_result(self, "yes", 0, "", False)
    st = {}
    st["subnet6"] = get_subnetname("1000::/64")
    st["subnet4"] = get_subnetname("10.0.0.77/24")
    st["bare"] = [get_prefixlength("10.0.0.1"), get_subnetname("2001:db8::1"), get_address("fe80::1%eth0"), is_ipv6("::1")]
    st["ipv4Dict"] = shape(is_ipv4({}))
    st["ipv4Truthy"] = bool(is_ipv4({}))
    st["prefixLength"] = shape(get_prefixlength(123))
    st["noArgs"] = shape(get_address())
    st["resource"] = shape(get_resource(1, "X"))
    st["finalizerNotDict"] = shape(add_finalizer("x", "f"))
    st["finalizerNoKind"] = add_finalizer({"metadata": {"finalizers": ["a", "b"]}}, "a")["resource"]["metadata"]["finalizers"]
    st["finalizerAdded"] = add_finalizer({"metadata": {}}, "z")["resource"]["metadata"]["finalizers"]
    st["finalizerDelNone"] = "finalizers" in del_finalizer({"metadata": {}}, "z")["resource"]["metadata"]
    st["condBadType"] = shape(is_conditionready({}, 5))
    st["condFirst"] = is_conditionready({"status": {"conditions": [{"type": "A", "status": "False"}, {"type": "A", "status": "True"}]}}, "A")
    st["getNotDict"] = shape(client_get("n", "default", "x"))
    st["listBadSelector"] = shape(client_list(P, "spec.mode"))
    st["listNonString"] = shape(client_list(P, {"spec.mode": 1}))
    st["listProtoKey"] = [len(client_list(P)["resource"]["items"]), len(client_list(P, {"__proto__": "x"})["resource"]["items"])]
    st["createNotDict"] = shape(client_create([]))
    note = {"apiVersion": "example.com/v1alpha1", "kind": "Note", "metadata": {"name": "n-" + self["metadata"]["name"]}, "spec": {"a": 1}}
    created = client_create(note)["resource"]
    created["spec"]["a"] = 2
    st["createCopies"] = [note["spec"]["a"], created["spec"]["a"], created["metadata"]["namespace"]]
    st["noneRoundTrip"] = add_finalizer({"metadata": {}, "x": None}, "f")["resource"]["x"]
    st["none"] = None
    st["noneList"] = [None, 1]
    self["status"] = st
    return reconcile_result(self, False, 0, "", False)
`;

test('run once: host builtins answer like the original (subnet names, fatal result dicts for bad argument types, raising for bad IPs)', async () => {
  const dir = await projectDir(
    {
      'crds/example.com_probes.yaml': crdYaml('example.com', 'probes', 'Probe'),
      'crds/example.com_notes.yaml': crdYaml('example.com', 'notes', 'Note'),
      'reconcilers/probes/config.yaml': config,
      'reconcilers/probes/reconciler.star': code,
      'in/probes.yaml': [probe('ok', 'ok'), probe('raise', 'raise'), probe('badresult', 'badresult')].join('---\n'),
    },
    'builtins',
  );
  try {
    const out = join(dir, 'out');
    const r = await choreoctl(['run', 'once', dir, '--out', out, '--timeout', '20']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Probe default\/raise \(reconciler probes\): Error\n(.*\n)*? +Error in is_ipv4: ParseAddr\("not-an-ip"\): unable to parse IP\n/);
    assert.match(r.stdout, /Probe default\/badresult \(reconciler probes\): Fatal\n +reconcile_result: requeue must be a bool\n/);
    const objs = parseAllDocuments(await readFile(join(out, 'example.com_probes.yaml'), 'utf8')).map((d) => d.toJS() as KObject);
    const ok = objs.find((o) => o.metadata.name === 'ok')!;
    const st = ok.status as Record<string, unknown>;
    assert.equal((st.conditions as Array<{ status: string }>)[0]!.status, 'True');
    assert.equal(st.subnet6, '1000---64');
    assert.equal(st.subnet4, '10.0.0.0-24');
    assert.deepEqual(st.bare, [32, '2001-db8--1-128', 'fe80::1', true]);
    const fatal = (error: string) => ({ resourceIsNone: true, error, fatal: true });
    assert.deepEqual(st.ipv4Dict, fatal('is_ipv4: for parameter prefix: got dict, want string'));
    assert.equal(st.ipv4Truthy, true);
    assert.deepEqual(st.prefixLength, fatal('get_prefixlength: for parameter prefix: got int, want string'));
    assert.deepEqual(st.noArgs, fatal('get_address: missing argument for prefix'));
    assert.deepEqual(st.resource, fatal('get_resource: for parameter apiVersion: got int, want string'));
    assert.deepEqual(st.finalizerNotDict, fatal('add_finalizer: expected dict value to convert to unstructured, got string'));
    assert.deepEqual(st.finalizerNoKind, ['a', 'b'], 'a finalizer already present keeps its place');
    assert.deepEqual(st.finalizerAdded, ['z']);
    assert.equal(st.finalizerDelNone, false, 'del_finalizer adds no empty finalizers list');
    assert.deepEqual(st.condBadType, fatal('is_conditionready: for parameter conditionType: got int, want string'));
    assert.equal(st.condFirst, false, 'the first condition of the type decides');
    assert.deepEqual(st.getNotDict, fatal('client_get: expected dict value to convert to unstructured, got string'));
    assert.deepEqual(st.listBadSelector, fatal('client_list: fieldSelector: value is not a dictionary'));
    assert.deepEqual(st.listNonString, fatal('client_list: fieldSelector: value is not a string: 1'));
    assert.deepEqual(st.listProtoKey, [3, 0], 'a selector key __proto__ is a key like any other, not dropped (which would list everything)');
    assert.deepEqual(st.createNotDict, fatal('client_create: expected dict value to convert to unstructured, got list'));
    // None inside an object handed to the host becomes "" (starlarkValueToInterface), in what is written and what comes back.
    assert.equal(st.noneRoundTrip, '');
    assert.deepEqual(st.createCopies, [1, 2, 'default'], 'client_create returns a copy of the object as it will be created');
    assert.equal(st.none, '');
    assert.deepEqual(st.noneList, ['', 1]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
