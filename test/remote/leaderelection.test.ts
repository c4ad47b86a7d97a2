// Leader election between kubeconfig-mode runners, end to end: two real
// `run start --kubeconfig` processes of the same project (from two
// directories) against one `server start`; exactly one reconciles; kill -9
// the leader and the other takes over within the lease duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, examples, startCluster, startRunner as startElecting, type Runner } from './cluster.js';

const leaseMs = 3000;
const retryMs = 300;
const startRunner = (dir: string, kubeconfig: string) => startElecting(dir, kubeconfig, { leaseMs, retryMs });

const reconciledLines = (r: Runner) => r.lines.filter((l) => /helloworld HelloWorld \S+: Ready/.test(l));

test('two runners of one project: one leader reconciles; after kill -9 of the leader the other takes over within the lease duration', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-le-'));
  const cluster = await startCluster(dir);
  const runners: Runner[] = [];
  try {
    for (const side of ['a', 'b']) {
      await mkdir(join(dir, side));
      await cp(join(examples, 'hello'), join(dir, side, 'hello'), { recursive: true });
    }
    runners.push(startRunner(join(dir, 'a', 'hello'), cluster.kubeconfig));
    await runners[0]!.when(/became leader/);
    runners.push(startRunner(join(dir, 'b', 'hello'), cluster.kubeconfig));
    await runners[1]!.when(/is a candidate for Lease default\/choreo-hello/);
    const [leader, follower] = runners as [Runner, Runner];

    const greetings = () => cluster.kubectl('get', 'greetings', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.equal(await eventually(greetings, (s) => s.split(' ').length === 3), 'team-carol world-alice world-bob');
    assert.equal(await cluster.kubectl('get', 'lease', 'choreo-hello', '-o', 'jsonpath={.spec.holderIdentity}'), `${hostname()}_${leader.proc.pid}`);
    // Some lease periods pass: the follower stays a follower and reconciles nothing.
    await new Promise((r) => setTimeout(r, leaseMs));
    assert.ok(!follower.lines.some((l) => /became leader/.test(l)), follower.lines.join('\n'));
    assert.deepEqual(reconciledLines(follower), []);
    assert.ok(reconciledLines(leader).length > 0, leader.lines.join('\n'));

    const killedAt = performance.now();
    leader.proc.kill('SIGKILL');
    await writeFile(join(dir, 'extra.yaml'), 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata:\n  name: extra\nspec:\n  recipients: [Dave]\n');
    await cluster.kubectl('apply', '-f', join(dir, 'extra.yaml'));
    const tookOver = await follower.when(/became leader/);
    // The follower saw the last renewal at most one (jittered) retry before the kill; it takes over at its first retry after the lease ran out.
    const bound = leaseMs + 2 * 1.2 * retryMs + 500;
    assert.ok(tookOver - killedAt <= bound, `took over ${Math.round(tookOver - killedAt)} ms after the kill (bound ${bound} ms)`);
    assert.match(await eventually(greetings, (s) => s.includes('extra-dave'), 10_000), /extra-dave/);
    assert.equal(await cluster.kubectl('get', 'lease', 'choreo-hello', '-o', 'jsonpath={.spec.holderIdentity}'), `${hostname()}_${follower.proc.pid}`);
    assert.equal(await cluster.kubectl('get', 'lease', 'choreo-hello', '-o', 'jsonpath={.spec.leaseTransitions}'), '1');

    // A graceful stop releases the Lease (empty holder), so nobody waits out the lease duration.
    const exited = new Promise((r) => follower.proc.once('exit', r));
    follower.proc.kill('SIGTERM');
    await exited;
    assert.equal(await cluster.kubectl('get', 'lease', 'choreo-hello', '-o', 'jsonpath={.spec.holderIdentity}'), '');
  } finally {
    for (const r of runners) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
