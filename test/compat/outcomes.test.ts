// Issue 16 §4 through `run once`, on projects in the original's layouts: what
// a reconcile_result message does (a rate-limited requeue, reason Failed),
// how the run is judged (the condition type a legacy reconcile_result really
// uses; built-in claims), the legacy form applying the whole returned object,
// our finalizer for any reconciler name, and status.phase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../../src/api/object.js';
import { labelKeyErrors } from '../../src/api/selectors.js';
import { choreoctl } from './cli.js';
import { conditionsCrdYaml, reconcilerConfig, writeProjectFiles } from '../helpers/project.js';

const group = 'lab.example.org';
const crds = (c: { phase?: boolean } = {}) => ({
  [`crds/${group}_widgets.yaml`]: conditionsCrdYaml(group, 'widgets', 'Widget', c),
  [`crds/${group}_parts.yaml`]: conditionsCrdYaml(group, 'parts', 'Part'),
});
const widget = (name: string, spec = '{size: 1}') => `apiVersion: ${group}/v1alpha1\nkind: Widget\nmetadata: {name: ${name}, namespace: default}\nspec: ${spec}\n`;
type Cond = { type: string; status: string; reason: string; message: string };

async function runOut(dir: string, timeout = '20') {
  const out = join(dir, 'out');
  const r = await choreoctl(['run', 'once', dir, '--out', out, '--timeout', timeout]);
  const objects = async (plural: string): Promise<KObject[]> =>
    parseAllDocuments(await readFile(join(out, `${group}_${plural}.yaml`), 'utf8').catch(() => '')).map((d) => d.toJS() as KObject).filter(Boolean);
  return { ...r, objects };
}
const conditions = (o: KObject) => ((o.status as { conditions?: Cond[] } | undefined)?.conditions ?? []);

test('a message with requeue=False is retried through the rate limiter (requeueAfter ignored), so an object waiting on something it does not watch converges; the wait shows reason Failed', async () => {
  // maker (For Seed) creates Part w1 only on its second pass, a second after the first; gate (For Widget) watches neither.
  const dir = await writeProjectFiles({
    ...crds(),
    [`crds/${group}_seeds.yaml`]: conditionsCrdYaml(group, 'seeds', 'Seed'),
    'reconcilers/maker/config.yaml': reconcilerConfig(group, 'Seed', `  owns:\n  - {group: ${group}, version: v1alpha1, kind: Part}\n`),
    'reconcilers/maker/reconciler.star': [
      'def reconcile(self):',
      '  st = self.get("status", {})',
      '  if not st.get("primed"):',
      '    st["primed"] = True',
      '    self["status"] = st',
      '    return reconcile_result(self, False, 1, "", False)',
      `  client_create({"apiVersion": "${group}/v1alpha1", "kind": "Part", "metadata": {"name": self["metadata"]["name"], "namespace": "default"}, "spec": {}})`,
      '  return reconcile_result(self, False, 0, "", False)',
      '',
    ].join('\n'),
    'reconcilers/gate/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/gate/reconciler.star': [
      `PART = get_resource("${group}/v1alpha1", "Part")["resource"]`,
      'def reconcile(self):',
      '  name = self["metadata"]["name"]',
      '  if client_get(name, "default", PART)["error"] != None:',
      '    # requeueAfter 30 would outlast the run; the original ignores it when there is a message',
      '    return reconcile_result(self, False, 30, "waiting for part " + name, False)',
      '  return reconcile_result(self, False, 0, "", False)',
      '',
    ].join('\n'),
    'in/widgets.yaml': widget('w1'),
    'in/seeds.yaml': `apiVersion: ${group}/v1alpha1\nkind: Seed\nmetadata: {name: w1, namespace: default}\nspec: {}\n`,
  });
  try {
    const r = await runOut(dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = JSON.parse((await choreoctl(['run', 'result', dir, '-o', 'json'])).stdout) as { reconcilers: Record<string, { requeue: number; stop: number }> };
    assert.ok(result.reconcilers.gate!.requeue >= 2 && result.reconcilers.gate!.stop === 1, JSON.stringify(result.reconcilers.gate));

    // A wait that never clears: reported, condition False with reason Failed (the original's), not stuck silently.
    const never = join(dir, 'reconcilers/gate/reconciler.star');
    await writeFile(never, 'def reconcile(self):\n  return reconcile_result(self, False, 0, "waiting for godot", False)\n');
    const stuck = await runOut(dir);
    assert.equal(stuck.code, 1, stuck.stdout);
    assert.match(stuck.stdout, /Widget default\/w1 \(reconciler gate\): Waiting after \d+ attempts\n\s+waiting for godot/);
    const [w1] = await stuck.objects('widgets');
    const ready = conditions(w1!).find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'Failed', 'waiting for godot']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('legacy 6-argument reconcile_result: the run is judged by the condition type each call names (none named: by the outcome); no conditionType in the config', async () => {
  // Legacy flat layout (up to v0.0.13): reconcilers/<name>.yaml + <name>.star, no spec.conditionType.
  const dir = await writeProjectFiles({
    ...crds(),
    'reconcilers/lab.example.org.widgets.claims.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/lab.example.org.widgets.claims.star': 'def reconcile(self):\n  return reconcile_result(self, False, 0, "IPClaimReady", "", False)\n',
    'reconcilers/lab.example.org.parts.quiet.yaml': reconcilerConfig(group, 'Part'),
    // Keywords work as in the original (its UnpackArgs), and naming conditionType makes it the legacy form.
    'reconcilers/lab.example.org.parts.quiet.star': 'def reconcile(self):\n  return reconcile_result(obj=self, requeue=False, requeueAfter=0, conditionType="", msg="", fatal=False)\n',
    'in/widgets.yaml': widget('w1'),
    'in/parts.yaml': `apiVersion: ${group}/v1alpha1\nkind: Part\nmetadata: {name: p1, namespace: default}\nspec: {}\n`,
  });
  try {
    const r = await runOut(dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^run succeeded: all objects ready/);
    const [w1] = await r.objects('widgets');
    assert.deepEqual(conditions(w1!).map((c) => [c.type, c.status]), [['IPClaimReady', 'True']]);
    const [p1] = await r.objects('parts');
    assert.deepEqual(conditions(p1!), [], 'conditionType "" maintains no condition');

    // The same legacy reconciler failing under its own condition type fails the run, naming it.
    await writeFile(join(dir, 'reconcilers/lab.example.org.widgets.claims.star'), 'def reconcile(self):\n  return reconcile_result(self, False, 0, "IPClaimReady", "no claim yet", False)\n');
    const failed = await runOut(dir);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /Widget default\/w1 \(reconciler lab\.example\.org\.widgets\.claims\): Waiting after \d+ attempts\n\s+no claim yet/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('legacy 6-argument reconcile_result applies the whole returned object: spec changes and finalizers set in Starlark take effect', async () => {
  const dir = await writeProjectFiles({
    ...crds(),
    'reconcilers/lab.example.org.widgets.motto.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/lab.example.org.widgets.motto.star': [
      'def reconcile(self):',
      '  self["spec"]["motto"] = "ship it"',
      '  self = add_finalizer(self, "lab.example.org/cleanup")["resource"]',
      '  return reconcile_result(self, False, 0, "Ready", "", False)',
      '',
    ].join('\n'),
    'in/widgets.yaml': widget('w1'),
  });
  try {
    const r = await runOut(dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [w1] = await r.objects('widgets');
    assert.deepEqual(w1!.spec, { size: 1, motto: 'ship it' });
    assert.deepEqual([...(w1!.metadata.finalizers ?? [])].sort(), ['lab.example.org.widgets.motto', 'lab.example.org/cleanup']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('our finalizer is the reconciler name when that is a valid finalizer, and a valid derived one for any other name (over 63 characters)', async () => {
  const long = 'lab.example.org.widgets.' + 'a-very-long-reconciler-name-'.repeat(3) + 'x';
  assert.ok(long.length > 63);
  const dir = await writeProjectFiles({
    ...crds(),
    [`reconcilers/${long}/config.yaml`]: reconcilerConfig(group, 'Widget', '  conditionType: Long\n'),
    [`reconcilers/${long}/reconciler.star`]: 'def reconcile(self):\n  return reconcile_result(self, False, 0, "", False)\n',
    'reconcilers/short/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/short/reconciler.star': 'def reconcile(self):\n  return reconcile_result(self, False, 0, "", False)\n',
    'in/widgets.yaml': widget('w1'),
  });
  try {
    const r = await runOut(dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [w1] = await r.objects('widgets');
    const finalizers = w1!.metadata.finalizers ?? [];
    assert.equal(finalizers.length, 2, JSON.stringify(finalizers));
    assert.ok(finalizers.includes('short'));
    const derived = finalizers.find((f) => f !== 'short')!;
    assert.match(derived, /^choreo\.kform\.dev\/lab\.example\.org\.widgets\.a-very-long-[-a-z.]+-[0-9a-f]{10}$/);
    assert.deepEqual(labelKeyErrors(derived), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a built-in allocation claim that ends not Ready fails the run, naming it', async () => {
  const dir = await writeProjectFiles({
    ...crds(),
    'in/claims.yaml': 'apiVersion: ipam.be.kuid.dev/v1alpha1\nkind: IPClaim\nmetadata: {name: orphan, namespace: default}\nspec: {index: no-such-index, addressFamily: ipv4}\n',
  });
  try {
    const r = await runOut(dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^run failed/);
    assert.match(r.stdout, /IPClaim[^\n]*orphan/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('status.phase is maintained when the For CRD declares it: Ready, Pending while waiting, Failed on a fatal outcome; left alone otherwise', async () => {
  const dir = await writeProjectFiles({
    ...crds({ phase: true }),
    'reconcilers/judge/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/judge/reconciler.star': [
      'def reconcile(self):',
      '  verdict = self["spec"]["verdict"]',
      '  if verdict == "wait":',
      '    return reconcile_result(self, False, 0, "waiting for a sign", False)',
      '  if verdict == "fail":',
      '    return reconcile_result(self, False, 0, "cannot ever work", True)',
      '  return reconcile_result(self, False, 0, "", False)',
      '',
    ].join('\n'),
    'reconcilers/parts/config.yaml': reconcilerConfig(group, 'Part'),
    'reconcilers/parts/reconciler.star': 'def reconcile(self):\n  return reconcile_result(self, False, 0, "", False)\n',
    'in/widgets.yaml': ['ok', 'wait', 'fail'].map((v) => widget(v, `{verdict: ${v}}`)).join('---\n'),
    'in/parts.yaml': `apiVersion: ${group}/v1alpha1\nkind: Part\nmetadata: {name: p1, namespace: default}\nspec: {}\n`,
  });
  try {
    const r = await runOut(dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const phases = Object.fromEntries((await r.objects('widgets')).map((w) => [w.metadata.name, (w.status as { phase?: string }).phase]));
    assert.deepEqual(phases, { fail: 'Failed', ok: 'Ready', wait: 'Pending' });
    const [p1] = await r.objects('parts');
    assert.equal((p1!.status as { phase?: string }).phase, undefined, 'Part declares no phase');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
