// The per-reconcile limits through `run once`: --max-memory and --max-steps
// set the budget every reconcile of the run gets, and a reconcile past one
// fails with a message naming the limit (the engine and the run go on).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { choreoctl } from '../compat/cli.js';
import { conditionsCrdYaml, reconcilerConfig, writeProjectFiles } from '../helpers/project.js';

const group = 'lab.example.org';

async function project(code: string): Promise<string> {
  return writeProjectFiles({
    [`crds/${group}_widgets.yaml`]: conditionsCrdYaml(group, 'widgets', 'Widget', { statusSubresource: true }),
    'reconcilers/grow/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/grow/reconciler.star': code,
    'in/widgets.yaml': `apiVersion: ${group}/v1alpha1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 1}\n`,
  });
}

// About 4 MiB of strings and 400k steps: inside the defaults, past the lowered limits.
const code = 'def reconcile(self):\n  keep = []\n  for i in range(2000):\n    keep.append("x" * 2000)\n  for i in range(400000):\n    pass\n  return reconcile_result(self, False, 0, "", False)\n';

test('run once --max-memory lowers the memory limit of every reconcile; the defaults let the same code through', async () => {
  const dir = await project(code);
  try {
    const ok = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const low = await choreoctl(['run', 'once', dir, '--timeout', '5', '--max-memory', '1']);
    assert.equal(low.code, 1, low.stdout + low.stderr);
    assert.match(low.stdout, /reconcile exceeded its memory limit of 1 MiB/);
    const steps = await choreoctl(['run', 'once', dir, '--timeout', '5', '--max-steps', '100000']);
    assert.equal(steps.code, 1, steps.stdout + steps.stderr);
    assert.match(steps.stdout, /used up its budget of 100000 steps/);
    const bad = await choreoctl(['run', 'once', dir, '--max-memory', 'lots']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--max-memory: want a positive number, got "lots"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
