// `run start` against a reconcile that kills the process (issue 18, item 1):
// the API is served before the reconcilers start (so kubectl can reach the bad
// object), and on the next start the object whose reconcile was running when
// the process died is held — reported, not reconciled — until its spec
// changes, so the process stays up instead of dying on every restart.
// The death is real: the heap is capped below the memory budget of a reconcile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { forKind, obj, writeProject } from '../reconciler/harness.js';
import { bomb } from './starlark-util.js';

const cli = join(process.cwd(), 'dist/src/cli/main.js');
// A heap below the default memory budget (256 MiB of values): the bomb kills the process.
const env = { ...process.env, NODE_OPTIONS: '--max-old-space-size=72', NODE_TEST_CONTEXT: undefined };

const code = `
def reconcile(self):
    if self["spec"]["mode"] == "bomb":
${bomb(2)}    self.setdefault("status", {})["done"] = True
    return reconcile_result(self, False, 0, "", False)
`;

function startForeground(dir: string): { child: ChildProcess; out: () => string; exited: Promise<number | string> } {
  const child = spawn(process.execPath, [cli, 'run', 'start', dir, '--foreground'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((res) => child.on('exit', (c, sig) => res(c ?? sig ?? 'unknown')));
  return { child, out: () => out, exited };
}

async function until(what: string, ok: () => boolean, ms: number, out: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Kubectl = (...args: string[]) => Promise<{ stdout: string }>;

/** status.done of job j once it is "true" (or after 20 s). */
async function doneEventually(kubectl: Kubectl): Promise<string> {
  for (let i = 0; ; i++) {
    const done = (await kubectl('get', 'jobs', 'j', '-o', 'jsonpath={.status.done}')).stdout;
    if (done === 'true' || i >= 100) return done;
    await new Promise((res) => setTimeout(res, 200));
  }
}

/**
 * A project whose first `run start` dies in the reconcile of job j (after
 * serving the API); then `body` with a second one, which must stop cleanly.
 */
async function afterCrash(body: (second: ReturnType<typeof startForeground>, kubectl: Kubectl, dir: string) => Promise<void>): Promise<void> {
  const dir = await writeProject({ crds: [{ kind: 'Job', plural: 'jobs' }], reconcilers: { jobs: { spec: forKind('Job'), code } }, inputs: [obj('Job', 'j', { mode: 'bomb' })] });
  const kubectl: Kubectl = (...args) => promisify(execFile)('kubectl', ['--kubeconfig', join(dir, '.choreo/kubeconfig'), '--cache-dir', join(dir, 'kubecache'), ...args], { timeout: 30_000 });
  let second: ReturnType<typeof startForeground> | undefined;
  try {
    const first = startForeground(dir);
    assert.notEqual(await first.exited, 0, first.out());
    // The API was served before the fatal reconcile started.
    assert.match(first.out(), /serving http/);
    second = startForeground(dir);
    await body(second, kubectl, dir);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
    second = undefined;
  } finally {
    second?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

test('run start: the object whose reconcile killed the process is held on the next start, until its spec changes', { timeout: 120_000 }, () =>
  afterCrash(async (s, kubectl) => {
    await until('the hold', () => /held: the process died/.test(s.out()), 30_000, s.out);
    assert.match(s.out(), /died last time while reconciling default\/j \(jobs\)/);
    assert.match(s.out(), /holding default\/j \(jobs\)/);
    assert.ok(s.out().indexOf('serving http') < s.out().indexOf('held: the process died'), s.out());
    const cond = await kubectl('get', 'jobs', 'j', '-o', 'jsonpath={.status.conditions[0].status} {.status.conditions[0].message}');
    assert.match(cond.stdout, /^False held: the process died/);

    // A spec change releases the hold; the object is reconciled again.
    await kubectl('patch', 'jobs', 'j', '--type=merge', '-p', '{"spec":{"mode":"ok"}}');
    assert.equal(await doneEventually(kubectl), 'true');
  }));

test('run start: fixing the reconciler that killed the process releases its held object (hot reload)', { timeout: 120_000 }, () =>
  afterCrash(async (s, kubectl, dir) => {
    await until('the hold', () => /holding default\/j \(jobs\)/.test(s.out()) && /watching/.test(s.out()), 30_000, s.out);
    // The code fixed (the spec unchanged): the hold is released and j reconciled by the new code.
    await writeFile(join(dir, 'reconcilers/jobs/reconciler.star'), code.replace(`${bomb(2)}`, '        pass\n'));
    await until('the release', () => /reconciler jobs reloaded \(1 held object\(s\) released\)/.test(s.out()), 30_000, s.out);
    assert.equal(await doneEventually(kubectl), 'true');
  }));
