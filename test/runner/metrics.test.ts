// The reconcilers' metrics on /metrics of a real `run start`, scraped with
// kubectl (the kubeconfig's credentials): controller-runtime's and client-go's
// names, counts equal to the reconciles the reconciler itself printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { conditionsCrdYaml, reconcilerConfig, writeProjectFiles } from '../helpers/project.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');
const group = 'metrics.example.com';

const sh = async (cmd: string, args: string[]) => (await run(cmd, args, { timeout: 60_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } })).stdout;

// Each object's outcome is fixed by its name; every run prints one line first.
const code = `def reconcile(self):
    name = self["metadata"]["name"]
    print("reconciling " + name)
    if name == "bad":
        fail("boom")
    if name == "later":
        return reconcile_result(self, False, 30, "", False)
    return reconcile_result(self, False, 0, "", False)
`;
const widget = (name: string) => `apiVersion: ${group}/v1alpha1\nkind: Widget\nmetadata: {name: ${name}, namespace: default}\nspec: {size: 1}\n`;

/** The value of one series (exact name and labels), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('run start: /metrics counts reconciles by result, with workqueue metrics named after the reconciler', async () => {
  const dir = await writeProjectFiles({
    [`crds/${group}_widgets.yaml`]: conditionsCrdYaml(group, 'widgets', 'Widget', { statusSubresource: true }),
    'reconcilers/widgets/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/widgets/reconciler.star': code,
    'in/widgets.yaml': ['ok1', 'ok2', 'bad', 'later'].map(widget).join('---\n'),
  });
  const kubeconfig = join(dir, '.choreo/kubeconfig');
  const scrape = () => sh('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kubecache'), 'get', '--raw', '/metrics']);
  const printed = async (name: string) => (await readFile(join(dir, '.choreo/choreo.log'), 'utf8')).split('\n').filter((l) => l.endsWith(`[widgets] reconciling ${name}`)).length;
  const c = 'controller="widgets"';
  const q = 'name="widgets",controller="widgets"';
  try {
    await sh(process.execPath, [cli, 'run', 'start', dir, '--workers', '3']);
    // Wait until every object was reconciled and the bad one retried once (5 s backoff), then take a
    // scrape that agrees with the log read between two identical scrapes (no reconcile in between).
    let text = '';
    let counts = { ok: 0, bad: 0, later: 0 };
    const deadline = Date.now() + 40_000;
    for (;;) {
      const before = await scrape();
      counts = { ok: (await printed('ok1')) + (await printed('ok2')), bad: await printed('bad'), later: await printed('later') };
      text = await scrape();
      const total = (r: string) => sample(text, `controller_runtime_reconcile_total{${c},result="${r}"}`);
      const stable = before === text || sample(before, `controller_runtime_reconcile_time_seconds_count{${c}}`) === sample(text, `controller_runtime_reconcile_time_seconds_count{${c}}`);
      if (stable && counts.bad >= 2 && counts.ok >= 2 && counts.later >= 1 && total('error') === counts.bad && total('success') === counts.ok) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const all = counts.ok + counts.bad + counts.later;
    assert.ok(counts.bad >= 2 && counts.ok >= 2 && counts.later >= 1, `reconciles printed: ${JSON.stringify(counts)}`);
    assert.equal(sample(text, `controller_runtime_reconcile_total{${c},result="success"}`), counts.ok);
    assert.equal(sample(text, `controller_runtime_reconcile_total{${c},result="error"}`), counts.bad);
    assert.equal(sample(text, `controller_runtime_reconcile_total{${c},result="requeue_after"}`), counts.later);
    assert.equal(sample(text, `controller_runtime_reconcile_total{${c},result="requeue"}`), 0);
    assert.equal(sample(text, `controller_runtime_reconcile_errors_total{${c}}`), counts.bad);
    assert.equal(sample(text, `controller_runtime_reconcile_time_seconds_count{${c}}`), all);
    assert.equal(sample(text, `controller_runtime_reconcile_time_seconds_bucket{${c},le="+Inf"}`), all);
    assert.equal(sample(text, `controller_runtime_reconcile_time_seconds_bucket{${c},le="60"}`), all);
    assert.equal(sample(text, `controller_runtime_max_concurrent_reconciles{${c}}`), 3);
    assert.equal(sample(text, `controller_runtime_active_workers{${c}}`), 0);
    // The work queue: every reconcile was taken from it once; errors are its retries.
    assert.equal(sample(text, `workqueue_queue_duration_seconds_count{${q}}`), all);
    assert.equal(sample(text, `workqueue_work_duration_seconds_count{${q}}`), all);
    assert.equal(sample(text, `workqueue_queue_duration_seconds_bucket{${q},le="9.999999999999999e-06"}`) !== undefined, true, 'client-go buckets, printed as Go does');
    assert.equal(sample(text, `workqueue_retries_total{${q}}`), counts.bad);
    assert.ok(sample(text, `workqueue_adds_total{${q}}`)! >= all, 'every reconcile follows an accepted add');
    assert.ok(sample(text, `workqueue_depth{${q}}`)! >= 0);
    assert.match(text, /^# TYPE controller_runtime_reconcile_time_seconds histogram$/m);
    assert.match(text, /^# TYPE workqueue_depth gauge$/m);
    // The API server's own families are still there.
    assert.match(text, /^apiserver_storage_objects\{resource="widgets.metrics.example.com"\} 4$/m);
    // The process collectors (prom-client's names).
    assert.ok(sample(text, 'process_start_time_seconds')! > Date.now() / 1000 - 600, 'start time is recent');
    assert.ok(sample(text, 'process_resident_memory_bytes')! > 1e6);
    assert.ok(sample(text, 'process_cpu_seconds_total')! > 0);
    assert.ok(sample(text, 'nodejs_heap_size_used_bytes')! > 0);
  } finally {
    await sh(process.execPath, [cli, 'run', 'stop', dir]).catch(() => '');
    await rm(dir, { recursive: true, force: true });
  }
});

// Counts up in status every second: progress, so `run once` goes on until its --timeout.
const ticking = `def reconcile(self):
    status = self.get("status") or {}
    self["status"] = {"ticks": status.get("ticks", 0) + 1}
    return reconcile_result(self, False, 1, "", False)
`;

test('run once --port: the API and /metrics are served while the run lasts (kubectl get --raw /metrics)', async () => {
  const dir = await writeProjectFiles({
    [`crds/${group}_widgets.yaml`]: conditionsCrdYaml(group, 'widgets', 'Widget', { statusSubresource: true }),
    'reconcilers/widgets/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/widgets/reconciler.star': ticking,
    'in/widgets.yaml': widget('w1'),
  });
  const child = spawn(process.execPath, [cli, 'run', 'once', dir, '--port', '0', '--timeout', '60'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
  try {
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`run once ended without serving: ${stderr}`)));
    });
    const c = 'controller="widgets"';
    let text = '';
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      text = await sh('kubectl', ['--server', url, '--cache-dir', join(dir, 'kubecache'), 'get', '--raw', '/metrics']);
      if ((sample(text, `controller_runtime_reconcile_total{${c},result="requeue_after"}`) ?? 0) >= 2) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(sample(text, `controller_runtime_reconcile_total{${c},result="requeue_after"}`)! >= 2, text.slice(0, 2000));
    assert.equal(sample(text, `workqueue_longest_running_processor_seconds{name="widgets",${c}}`) !== undefined, true);
    assert.ok(sample(text, 'process_start_time_seconds')! > 0);
    // The API itself: the object the run is reconciling, with its status as written so far.
    const obj = JSON.parse(await sh('kubectl', ['--server', url, '--cache-dir', join(dir, 'kubecache'), 'get', `widgets.${group}`, 'w1', '-n', 'default', '-o', 'json']));
    assert.ok(obj.status.ticks >= 2, JSON.stringify(obj.status));
  } finally {
    child.kill();
    await rm(dir, { recursive: true, force: true });
  }
});

test('run once refuses a --port that is not a port number', async () => {
  await assert.rejects(sh(process.execPath, [cli, 'run', 'once', '.', '--port', 'x']), /--port: want a port number from 0 to 65535, got "x"/);
});
