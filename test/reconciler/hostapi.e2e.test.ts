// The Starlark host API end to end: libraries from crds/ (dotted name) and
// libs/, the return shapes of client_get / client_list, and every form of
// reconcile_result existing projects use.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiVersion, forKind, group, obj, start, type ProjectSpec } from './harness.js';
import { inputFieldManager } from '../../src/runner/engine.js';

test('libraries load from crds/<group>_<plural>.star by their dotted name and from libs/', async () => {
  const p: ProjectSpec = {
    crds: [
      { kind: 'Widget', plural: 'widgets' },
      { kind: 'Order', plural: 'orders' },
    ],
    crdLibs: {
      [`${group}_widgets.star`]: `
load("naming.star", "child_name")

def new_widget(owner, i):
    return {
        "apiVersion": "${apiVersion}",
        "kind": "Widget",
        "metadata": {"name": child_name(owner, i), "namespace": owner["metadata"]["namespace"]},
        "spec": {"n": i},
    }
`,
    },
    libs: { 'naming.star': 'PREFIX = "w"\n\ndef child_name(owner, i):\n    return "%s-%s%d" % (owner["metadata"]["name"], PREFIX, i)\n' },
    reconcilers: {
      orders: {
        spec: forKind('Order', { owns: [{ group, version: 'v1', kind: 'Widget' }] }),
        code: `
load("${group}.widgets.star", "new_widget")
load("naming.star", "PREFIX")

def reconcile(self):
    for i in range(self["spec"]["count"]):
        client_create(new_widget(self, i))
    self.setdefault("status", {})["prefix"] = PREFIX
    return reconcile_result(self)
`,
      },
    },
    inputs: [obj('Order', 'o', { count: 2 })],
  };
  const r = await start(p);
  try {
    assert.deepEqual((await r.list('Widget')).map((w) => w.metadata.name).sort(), ['o-w0', 'o-w1']);
    assert.equal(((await r.get('Order', 'o'))!.status as { prefix: string }).prefix, 'w');
    assert.equal((await r.condition('Order', 'o'))?.status, 'True');
  } finally {
    await r.close();
  }
});

const probe = `
def shape(rsp):
    return {"error": rsp["error"], "fatal": rsp["fatal"], "resource": type(rsp["resource"])}

def reconcile(self):
    ns = self["metadata"]["namespace"]
    st = self.setdefault("status", {})
    st["missing"] = shape(client_get("nope", ns, {"apiVersion": "${apiVersion}", "kind": "Color"}))
    st["unknownKind"] = shape(client_get("x", ns, {"apiVersion": "${apiVersion}", "kind": "NoSuchKind"}))
    found = client_get("red", ns, {"apiVersion": "${apiVersion}", "kind": "Color"})
    st["found"] = {"error": found["error"], "fatal": found["fatal"], "rgb": found["resource"]["spec"]["rgb"]}
    warm = client_list({"apiVersion": "${apiVersion}", "kind": "Color", "metadata": {"namespace": ns}}, {"spec.tone": "warm"})
    st["warm"] = sorted([c["metadata"]["name"] for c in warm["resource"]["items"]])
    st["listKind"] = warm["resource"]["kind"]
    everything = client_list({"apiVersion": "${apiVersion}", "kind": "Color"})
    st["all"] = len(everything["resource"]["items"])
    st["ints"] = type(found["resource"]["spec"]["rgb"][0])
    form = self["spec"]["form"]
    if form == "five":
        return reconcile_result(self, False, 0, "waiting for paint", False)
    if form == "six":
        return reconcile_result(self, False, 0, "Painted", "", False)
    if form == "sixmsg":
        return reconcile_result(self, False, 0, "Painted", "still drying", False)
    if form == "kw":
        return reconcile_result(self, err_msg="kw message")
    return reconcile_result(self)
`;

test('host API return shapes and every reconcile_result form', async () => {
  const color = (name: string, tone: string, rgb: number[]) => obj('Color', name, { tone, rgb });
  const p: ProjectSpec = {
    crds: [
      { kind: 'Probe', plural: 'probes' },
      { kind: 'Color', plural: 'colors' },
    ],
    reconcilers: { probes: { spec: forKind('Probe'), code: probe } },
    inputs: [
      color('red', 'warm', [255, 0, 0]),
      color('orange', 'warm', [255, 165, 0]),
      color('blue', 'cold', [0, 0, 255]),
      obj('Probe', 'plain', { form: 'plain' }),
      obj('Probe', 'five', { form: 'five' }),
      obj('Probe', 'six', { form: 'six' }),
      obj('Probe', 'sixmsg', { form: 'sixmsg' }),
      obj('Probe', 'kw', { form: 'kw' }),
    ],
  };
  const r = await start(p);
  try {
    const st = (await r.get('Probe', 'plain'))!.status as Record<string, unknown>;
    assert.deepEqual(st.missing, { error: `colors.${group} "nope" not found`, fatal: false, resource: 'NoneType' });
    assert.deepEqual(st.unknownKind, { error: `no resource type NoSuchKind in ${apiVersion} is served`, fatal: false, resource: 'NoneType' }, 'a failed read is not fatal (the original: result(nil, err, false))');
    assert.deepEqual(st.found, { error: '', fatal: false, rgb: [255, 0, 0] }, 'None written into an object becomes "" as in the original');
    assert.deepEqual(st.warm, ['orange', 'red']);
    assert.equal(st.listKind, 'ColorList');
    assert.equal(st.all, 3);
    assert.equal(st.ints, 'int', 'integers cross the boundary as Starlark ints');
    assert.equal((await r.condition('Probe', 'plain'))?.status, 'True');

    const five = (await r.condition('Probe', 'five'))!;
    assert.deepEqual([five.status, five.reason, five.message], ['False', 'Failed', 'waiting for paint']);
    // Legacy form: conditionType before msg.
    const six = (await r.condition('Probe', 'six', 'Painted'))!;
    assert.deepEqual([six.status, six.reason], ['True', 'Ready']);
    const sixmsg = (await r.condition('Probe', 'sixmsg', 'Painted'))!;
    assert.deepEqual([sixmsg.status, sixmsg.message], ['False', 'still drying']);
    const kw = (await r.condition('Probe', 'kw'))!;
    assert.deepEqual([kw.status, kw.message], ['False', 'kw message']);
  } finally {
    await r.close();
  }
});

test('a reconciler that fails to compile is reported with its position; the others still run', async () => {
  const p: ProjectSpec = {
    crds: [{ kind: 'Probe', plural: 'probes' }],
    reconcilers: {
      broken: { spec: forKind('Probe', { conditionType: 'Broken' }), code: 'def reconcile(self)\n    return reconcile_result(self)\n' },
      nofn: { spec: forKind('Probe', { conditionType: 'NoFn' }), code: 'x = 1\n' },
      fine: { spec: forKind('Probe'), code: 'def reconcile(self):\n    return reconcile_result(self)\n' },
    },
    inputs: [obj('Probe', 'p')],
  };
  const r = await start(p, { allowLoadErrors: true });
  try {
    const all = r.loadErrors.join('\n');
    assert.match(all, /reconcilers\/broken\/reconciler\.star:1:\d+: .*reconciler broken/);
    assert.match(all, /reconciler nofn: .*defines no function reconcile/);
    assert.doesNotMatch(all, /reconciler fine/);
    assert.equal(r.loadErrors.length, 2);
    // The valid reconciler runs.
    assert.equal((await r.condition('Probe', 'p'))?.status, 'True');
    assert.equal(await r.condition('Probe', 'p', 'Broken'), undefined);
  } finally {
    await r.close();
  }
});

test('specUpdate: a reconciler may change its For object\'s spec only when its config says so (else the change is refused); client_update / client_update_status write other objects', async () => {
  const code = `
def reconcile(self):
    self["spec"]["defaulted"] = self["spec"].get("defaulted", "by-reconciler")
    client_update({"apiVersion": "${apiVersion}", "kind": "Note", "metadata": {"name": "note-" + self["metadata"]["name"]}, "spec": {"text": "hello"}})
    client_update_status({"apiVersion": "${apiVersion}", "kind": "Note", "metadata": {"name": "note-" + self["metadata"]["name"]}, "status": {"seen": True}})
    return reconcile_result(self)
`;
  const p: ProjectSpec = {
    crds: [
      { kind: 'Editable', plural: 'editables' },
      { kind: 'Fixed', plural: 'fixeds' },
      { kind: 'Note', plural: 'notes' },
    ],
    reconcilers: {
      editable: { spec: forKind('Editable', { specUpdate: true }), code },
      fixed: { spec: forKind('Fixed'), code },
    },
    // The Notes exist (client_update_status needs the object); their spec comes from the reconcilers.
    inputs: [obj('Editable', 'e', { color: 'red' }), obj('Fixed', 'f'), obj('Note', 'note-e'), obj('Note', 'note-f')],
  };
  const r = await start(p);
  try {
    assert.equal(((await r.get('Editable', 'e'))!.spec as { defaulted?: string }).defaulted, 'by-reconciler');
    assert.equal(((await r.get('Fixed', 'f'))!.spec as { defaulted?: string }).defaulted, undefined);
    for (const n of ['note-e', 'note-f']) {
      const note = (await r.get('Note', n))!;
      assert.deepEqual(note.spec, { text: 'hello' });
      assert.deepEqual(note.status, { seen: true });
    }
    assert.equal((await r.condition('Editable', 'e'))?.status, 'True');
    // Without specUpdate the change is refused, naming the field and the setting.
    const fixed = await r.condition('Fixed', 'f');
    assert.equal(fixed?.status, 'False');
    assert.equal(fixed?.reason, 'Failed');
    assert.equal(fixed?.message, 'reconciler fixed changed spec.defaulted of its Fixed; set spec.specUpdate: true in its config to allow it');
    // Quiet afterwards, and the condition counts the reconciler's own spec change.
    const e = (await r.get('Editable', 'e'))!;
    assert.equal((await r.condition('Editable', 'e'))?.observedGeneration, e.metadata.generation);
    const before = await r.revision();
    r.enqueue('editable', 'e');
    r.enqueue('fixed', 'f');
    await r.idle();
    assert.equal(await r.revision(), before);
    // The reconciler owns only the field it set, not the user's: the user's next (unforced) apply of
    // their own field (the object came from in/) does not conflict, and the reconciler keeps its field.
    const owners = e.metadata.managedFields!.filter((m) => m.manager === 'editable' && !m.subresource).map((m) => JSON.stringify(m.fieldsV1));
    assert.equal(owners.length, 1);
    assert.match(owners[0]!, /"f:defaulted"/);
    assert.doesNotMatch(owners[0]!, /"f:color"/);
    await r.engine.registry.apply({ apiVersion, kind: 'Editable', metadata: { name: 'e', namespace: 'default' }, spec: { color: 'blue' } }, { fieldManager: inputFieldManager });
    await r.idle();
    assert.deepEqual((await r.get('Editable', 'e'))!.spec, { color: 'blue', defaulted: 'by-reconciler' });
    assert.equal((await r.condition('Editable', 'e'))?.status, 'True');
  } finally {
    await r.close();
  }
});

test('helper builtins: get_resource, add_finalizer / del_finalizer on a dict, is_conditionready, IP helpers', async () => {
  const code = `
def reconcile(self):
    st = self.setdefault("status", {})
    res = get_resource("${apiVersion}", "Note")
    st["resource"] = res["resource"]
    d = add_finalizer({"apiVersion": "v1", "kind": "X", "metadata": {"finalizers": ["a"]}}, "b")["resource"]
    st["added"] = d["metadata"]["finalizers"]
    st["removed"] = del_finalizer(d, "a")["resource"]["metadata"]["finalizers"]
    st["readyTrue"] = is_conditionready({"status": {"conditions": [{"type": "Ready", "status": "True"}]}}, "Ready")
    st["readyMissing"] = is_conditionready({"status": {}}, "Ready")
    st["prefixLength"] = get_prefixlength("10.0.0.1/24")
    st["address"] = get_address("10.0.0.1/24")
    st["v6"] = is_ipv6("2001:db8::1/64")
    return reconcile_result(self)
`;
  const r = await start({ crds: [{ kind: 'Probe', plural: 'probes' }, { kind: 'Note', plural: 'notes' }], reconcilers: { p: { spec: forKind('Probe'), code } }, inputs: [obj('Probe', 'x')] });
  try {
    const st = (await r.get('Probe', 'x'))!.status as Record<string, unknown>;
    assert.equal((await r.condition('Probe', 'x'))?.status, 'True', (await r.condition('Probe', 'x'))?.message);
    assert.deepEqual(st.resource, { apiVersion, kind: 'Note' });
    assert.deepEqual(st.added, ['a', 'b']);
    assert.deepEqual(st.removed, ['b']);
    assert.equal(st.readyTrue, true);
    assert.equal(st.readyMissing, false);
    assert.equal(st.prefixLength, 24);
    assert.equal(st.address, '10.0.0.1');
    assert.equal(st.v6, true);
  } finally {
    await r.close();
  }
});

test('client_apply() applies the children recorded so far even when the reconcile then waits; client_delete() deletes them', async () => {
  const p: ProjectSpec = {
    crds: [
      { kind: 'Claim', plural: 'claims' },
      { kind: 'Node', plural: 'nodes' },
    ],
    reconcilers: {
      nodes: {
        spec: forKind('Node', { owns: [{ group, version: 'v1', kind: 'Claim' }] }),
        code: `
def reconcile(self):
    if self["spec"].get("gone"):
        client_delete()
        return reconcile_result(self, False, 0, "decommissioned", False)
    claim = {"apiVersion": "${apiVersion}", "kind": "Claim", "metadata": {"name": self["metadata"]["name"] + "-ip"}, "spec": {}}
    client_create(claim)
    rsp = client_apply()
    if rsp["error"] != None:
        return reconcile_result(self, True, 0, rsp["error"], rsp["fatal"])
    # The claim is never "ready" in this test: the reconcile waits, yet the claim exists.
    return reconcile_result(self, False, 0, "waiting for the IP claim", False)
`,
      },
    },
    inputs: [obj('Node', 'n1', {})],
  };
  const r = await start(p);
  try {
    assert.deepEqual((await r.list('Claim')).map((c) => c.metadata.name), ['n1-ip']);
    const c = await r.condition('Node', 'n1');
    assert.equal(c?.status, 'False');
    assert.equal(c?.message, 'waiting for the IP claim');
    await r.apply(obj('Node', 'n1', { gone: true }));
    await r.idle();
    assert.deepEqual(await r.list('Claim'), []);
    assert.equal((await r.condition('Node', 'n1'))?.message, 'decommissioned');
  } finally {
    await r.close();
  }
});

test('non-ASCII text: Starlark sees UTF-8 bytes as starlark-go does, the API gets Unicode text back', async () => {
  const code = `
def reconcile(self):
    label = self["spec"]["label"]
    st = self.setdefault("status", {})
    st["len"] = len(label)
    st["first"] = label[:3]
    st["bytes"] = list(label.elem_ords())[:3]
    st["upper"] = label.upper()
    st["keys"] = sorted(self["spec"]["byKey"].keys())
    st["missing"] = client_get("ñame", self["metadata"]["namespace"], {"apiVersion": "${apiVersion}", "kind": "Probe"})["error"]
    if self["spec"]["form"] == "error":
        return {"é": 1}[label]
    return reconcile_result(self, False, 0, "päinted " + label, False)
`;
  const p: ProjectSpec = {
    crds: [{ kind: 'Probe', plural: 'probes' }],
    reconcilers: { probes: { spec: forKind('Probe'), code } },
    inputs: [
      obj('Probe', 'ok', { label: '日本é', byKey: { 'é': 1, 'z': 2, '日': 3 }, form: 'ok' }),
      obj('Probe', 'bad', { label: '日本é', byKey: {}, form: 'error' }),
    ],
  };
  const r = await start(p);
  try {
    const st = (await r.get('Probe', 'ok'))!.status as Record<string, unknown>;
    assert.equal(st.len, 8, 'len counts UTF-8 bytes');
    assert.equal(st.first, '日');
    assert.deepEqual(st.bytes, [0xe6, 0x97, 0xa5]);
    assert.equal(st.upper, '日本É');
    assert.deepEqual(st.keys, ['z', 'é', '日'], 'keys sort by bytes');
    assert.equal(st.missing, `probes.${group} "ñame" not found`);
    assert.equal((await r.condition('Probe', 'ok'))?.message, 'päinted 日本é');
    const bad = await r.condition('Probe', 'bad');
    assert.match(bad?.message ?? '', /key "日本é" not in dict/);
  } finally {
    await r.close();
  }
});
