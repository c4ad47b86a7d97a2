// LeaseCoordinator (controller/leaderelection.ts) over the real registry: one
// leader at a time, including when the leader is cut off from the API server
// and cannot renew (it must stop leading before the others may take over).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '../../src/api/client.js';
import { wrapWrites } from '../../src/reconciler/ownwrites.js';
import { LeaseCoordinator } from '../../src/controller/leaderelection.js';
import { testRegistry } from './registry.js';

const timings = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 50 };
const hooks = (gains: number[]) => ({ gained: () => void gains.push(performance.now()), busy: () => false });

/** `client` that, once cut, fails every request as a network partition would. */
function partitionable(client: Client): { client: Client; cut(): void } {
  let cut = false;
  const gate = <T>(fn: () => Promise<T>): Promise<T> => (cut ? Promise.reject(new Error('connection refused (partition)')) : fn());
  const writes = wrapWrites(client, (_t, _d, write) => gate(write));
  return {
    client: { ...writes, get: (t, ns, n) => gate(() => client.get(t, ns, n)), list: (t, o) => gate(() => client.list(t, o)) },
    cut: () => (cut = true),
  };
}

test('a leader that cannot renew stops leading before the lease can expire; the candidate takes over only after it has', async () => {
  const { registry } = await testRegistry();
  const p = partitionable(registry);
  const gainsA: number[] = [];
  const gainsB: number[] = [];
  const a = new LeaseCoordinator(p.client, { namespace: 'default', name: 'choreo-x', identity: 'host_1', ...timings });
  const b = new LeaseCoordinator(registry, { namespace: 'default', name: 'choreo-x', identity: 'host_2', ...timings });
  await a.start(hooks(gainsA));
  while (!a.isLeader()) await new Promise((r) => setTimeout(r, 5));
  await b.start(hooks(gainsB));
  let both = 0;
  let aStopped: number | undefined;
  const sampler = setInterval(() => {
    if (a.isLeader() && b.isLeader()) both++;
    if (aStopped === undefined && !a.isLeader()) aStopped = performance.now();
  }, 2);
  try {
    await new Promise((r) => setTimeout(r, 3 * timings.leaseDurationMs));
    assert.equal(b.isLeader(), false, 'the candidate waits while the leader renews');
    const cutAt = performance.now();
    p.cut();
    while (!b.isLeader()) await new Promise((r) => setTimeout(r, 5));
    assert.equal(both, 0, 'never two leaders');
    assert.ok(aStopped !== undefined && aStopped - cutAt <= timings.renewDeadlineMs + 100, `the leader stopped ${aStopped! - cutAt} ms after the cut`);
    assert.ok(gainsB[0]! - aStopped! >= (timings.leaseDurationMs - timings.renewDeadlineMs) / 2, 'a margin between the old leader stopping and the new one starting');
    const lease = await registry.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, 'default', 'choreo-x');
    assert.equal((lease!.spec as { holderIdentity: string }).holderIdentity, 'host_2');
    assert.equal((lease!.spec as { leaseTransitions: number }).leaseTransitions, 1);
    assert.equal(gainsA.length, 1);
  } finally {
    clearInterval(sampler);
    await a.stop();
    await b.stop();
    registry.close();
  }
});

test('stop releases the lease: the candidate takes over at its next retry instead of after the lease duration', async () => {
  const { registry } = await testRegistry();
  const a = new LeaseCoordinator(registry, { namespace: 'default', name: 'choreo-y', identity: 'host_1', ...timings, leaseDurationMs: 5000, renewDeadlineMs: 3000 });
  const b = new LeaseCoordinator(registry, { namespace: 'default', name: 'choreo-y', identity: 'host_2', ...timings, leaseDurationMs: 5000, renewDeadlineMs: 3000 });
  try {
    await a.start(hooks([]));
    while (!a.isLeader()) await new Promise((r) => setTimeout(r, 5));
    await b.start(hooks([]));
    await new Promise((r) => setTimeout(r, 200));
    const stopped = performance.now();
    await a.stop();
    while (!b.isLeader()) await new Promise((r) => setTimeout(r, 5));
    assert.ok(performance.now() - stopped < 1000, `took over ${performance.now() - stopped} ms after the release`);
  } finally {
    await a.stop();
    await b.stop();
    registry.close();
  }
});
