// Issue 16 §1 through `run once`: the livelock of two reconcilers keeping
// their own conditions on a For type without a status subresource, --timeout
// as a real deadline whatever the reconcilers do, and a flapping pair reported
// as a hot loop by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../../src/api/object.js';
import { choreoctl } from '../compat/cli.js';
import { conditionsCrdYaml, reconcilerConfig, writeProjectFiles } from '../helpers/project.js';

const group = 'lab.example.org';
const widgetCrd = (statusSubresource: boolean) => ({ [`crds/${group}_widgets.yaml`]: conditionsCrdYaml(group, 'widgets', 'Widget', { statusSubresource }) });
const widget = (name: string) => `apiVersion: ${group}/v1alpha1\nkind: Widget\nmetadata: {name: ${name}, namespace: default}\nspec: {size: 1}\n`;

interface Report {
  success: boolean;
  reason: string;
  durationMs: number;
  reconcilers: Array<{ reconciler: string; reconciles: number }>;
  hotLoop: Array<{ kind: string; key: string; reconcilers: string[]; repeats: number }>;
}

async function runOnce(dir: string, ...args: string[]): Promise<{ code: number; report: Report; wallMs: number; raw: string }> {
  const started = Date.now();
  const r = await choreoctl(['run', 'once', dir, '-o', 'json', ...args]);
  const wallMs = Date.now() - started;
  return { code: r.code, report: JSON.parse(r.stdout) as Report, wallMs, raw: r.stdout + r.stderr };
}

for (const statusSubresource of [false, true]) {
  test(`two reconcilers each keeping its condition on a For type ${statusSubresource ? 'with' : 'without'} a status subresource settle in a few reconciles, well under a second`, async () => {
    const code = 'def reconcile(self):\n  return reconcile_result(self, False, 0, "", False)\n';
    const dir = await writeProjectFiles({
      ...widgetCrd(statusSubresource),
      'reconcilers/paint/config.yaml': reconcilerConfig(group, 'Widget', '  conditionType: Painted\n'),
      'reconcilers/paint/reconciler.star': code,
      'reconcilers/polish/config.yaml': reconcilerConfig(group, 'Widget', '  conditionType: Polished\n'),
      'reconcilers/polish/reconciler.star': code,
      'in/widgets.yaml': widget('w1') + '---\n' + widget('w2'),
    });
    try {
      const out = join(dir, 'out');
      const r = await runOnce(dir, '--timeout', '10', '--out', out);
      assert.equal(r.code, 0, r.raw);
      assert.ok(r.report.durationMs < 1000, `settled in ${r.report.durationMs} ms`);
      for (const s of r.report.reconcilers) assert.ok(s.reconciles <= 6, `${s.reconciler}: ${s.reconciles} reconciles for 2 objects`);
      const widgets = parseAllDocuments(await readFile(join(out, `${group}_widgets.yaml`), 'utf8')).map((d) => d.toJS() as KObject);
      for (const w of widgets) {
        const conds = (w.status as { conditions: Array<{ type: string; status: string; observedGeneration?: number }> }).conditions;
        assert.deepEqual(conds.map((c) => [c.type, c.status]).sort(), [['Painted', 'True'], ['Polished', 'True']]);
        // observedGeneration only where a status write leaves the generation alone.
        for (const c of conds) assert.equal(c.observedGeneration, statusSubresource ? 1 : undefined, JSON.stringify(c));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('run once --timeout 3 ends within 4 s while two reconcilers re-trigger each other without end (no event-loop turn between their reconciles)', async () => {
  // Each bumps its own counter past the other's: always a new state, never a hot loop, never quiescent.
  const bump = (mine: string, theirs: string) => `def reconcile(self):\n  st = self.get("status", {})\n  st["${mine}"] = st.get("${theirs}", 0) + 1\n  self["status"] = st\n  return reconcile_result(self, False, 0, "", False)\n`;
  // Legacy flat layout: reconcilers/<name>.yaml next to <name>.star.
  const dir = await writeProjectFiles({
    ...widgetCrd(true),
    'reconcilers/lab.example.org.widgets.ping.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/lab.example.org.widgets.ping.star': bump('ping', 'pong'),
    'reconcilers/lab.example.org.widgets.pong.yaml': reconcilerConfig(group, 'Widget', '  conditionType: Ponged\n'),
    'reconcilers/lab.example.org.widgets.pong.star': bump('pong', 'ping'),
    'in/widgets.yaml': widget('w1'),
  });
  try {
    const r = await runOnce(dir, '--timeout', '3');
    assert.equal(r.code, 1, r.raw);
    assert.equal(r.report.reason, 'timed out before the system became quiescent');
    assert.ok(r.report.durationMs < 4000, `report says ${r.report.durationMs} ms`);
    assert.ok(r.wallMs < 4000 + 1500, `choreoctl took ${r.wallMs} ms (incl. process start-up)`);
    assert.ok(r.report.reconcilers.every((s) => s.reconciles > 100), JSON.stringify(r.report.reconcilers));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('run once --timeout 3 ends within 4 s while a reconcile runs Starlark far longer: the reconcile running at the deadline is cut short', async () => {
  // Minutes of work whatever the interpreter's speed (a plain loop: a faster sorted() once made an earlier
  // version finish in 2 s); both budgets are raised to keep it inside; the event loop gets no turn meanwhile.
  const dir = await writeProjectFiles({
    ...widgetCrd(true),
    'reconcilers/churn/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/churn/reconciler.star': 'def reconcile(self):\n  x = 0\n  for i in range(100000000000):\n    x = (x + i) % 7\n  return reconcile_result(self, False, 0, "", False)\n',
    'in/widgets.yaml': widget('w1'),
  });
  try {
    const r = await runOnce(dir, '--timeout', '3', '--max-steps', '1e12', '--max-memory', '1e6');
    assert.equal(r.code, 1, r.raw);
    assert.ok(r.report.durationMs < 4000, `report says ${r.report.durationMs} ms`);
    assert.ok(r.wallMs < 4000 + 1500, `choreoctl took ${r.wallMs} ms (incl. process start-up)`);
    assert.match(r.raw, /reconcile cancelled: the run reached its time limit/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a flapping pair of reconcilers is stopped as a hot loop naming the reconcilers and the objects', async () => {
  // switch turns status.a over whenever it sees status.b equal to it; follow copies a into b: they undo each other forever.
  const dir = await writeProjectFiles({
    ...widgetCrd(true),
    'reconcilers/switch/config.yaml': reconcilerConfig(group, 'Widget', '  conditionType: Switched\n'),
    'reconcilers/switch/reconciler.star': 'def reconcile(self):\n  st = self.get("status", {})\n  st["a"] = "off" if st.get("b") == "on" else "on"\n  self["status"] = st\n  return reconcile_result(self, False, 0, "", False)\n',
    'reconcilers/follow/config.yaml': reconcilerConfig(group, 'Widget', '  conditionType: Followed\n'),
    'reconcilers/follow/reconciler.star': 'def reconcile(self):\n  st = self.get("status", {})\n  st["b"] = st.get("a")\n  self["status"] = st\n  return reconcile_result(self, False, 0, "", False)\n',
    'in/widgets.yaml': widget('flappy') + '---\n' + widget('steady').replace('spec: {size: 1}', 'spec: {size: 2}'),
  });
  try {
    const r = await runOnce(dir, '--timeout', '20');
    assert.equal(r.code, 1, r.raw);
    assert.ok(r.report.durationMs < 3000, `stopped after ${r.report.durationMs} ms`);
    assert.match(r.report.reason, /^hot loop: 2 object\(s\) rewritten over and over without progress, by follow, switch$/);
    assert.deepEqual(
      r.report.hotLoop.map((h) => [h.kind, h.key, h.reconcilers]).sort(),
      [
        ['Widget', 'default/flappy', ['follow', 'switch']],
        ['Widget', 'default/steady', ['follow', 'switch']],
      ],
    );
    const text = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.match(text.stdout, /Hot loop \(objects rewritten over and over, returning to states they already had\):\n {2}Widget default\/\w+: \d+ writes, \d+ back to an earlier state, by reconcilers follow, switch\n/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
