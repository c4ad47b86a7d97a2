// `run once --out` is meant to be byte-identical across runs of the same input.
// Status is written by several parties whose writes interleave as reconciles do
// (a reconciler's own status fields, the runtime's condition, other reconcilers),
// so the order in which its keys and conditions were first written is timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderKind } from '../../src/runner/output.js';
import type { KObject } from '../../src/api/object.js';

const meta = { name: 'a', namespace: 'default', uid: 'u', resourceVersion: '7' };

test('--out renders status the same whichever write came first (keys sorted, conditions by type)', () => {
  const ready = { type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' };
  const ipam = { type: 'IPAMReady', status: 'True', reason: 'Ready', message: '', lastTransitionTime: '2026-01-02T00:00:00Z' };
  const first: KObject = { apiVersion: 'x.dev/v1', kind: 'Link', metadata: meta, spec: { b: 1, a: 2 }, status: { subnet: '10.0.0.0/31', conditions: [ready, ipam], nested: { z: 1, y: 2 } } };
  const second: KObject = { apiVersion: 'x.dev/v1', kind: 'Link', metadata: meta, spec: { b: 1, a: 2 }, status: { nested: { y: 2, z: 1 }, conditions: [ipam, ready], subnet: '10.0.0.0/31' } };
  const out = renderKind([first]);
  assert.equal(renderKind([second]), out);
  // The spec keeps the author's order; condition entries keep the Kubernetes field order.
  assert.match(out, /spec:\n {2}b: 1\n {2}a: 2\n/);
  assert.match(out, /conditions:\n {4}- type: IPAMReady\n {6}status: "True"/);
  assert.doesNotMatch(out, /lastTransitionTime|uid|resourceVersion/);
});
