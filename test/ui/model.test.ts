// The judgements the web UI, its API and `run once --html` share (ui/model.ts):
// readiness from conditions, the one-line condition summary, owner chains and
// graphs over owner references (cycles included), the managedFields tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/object.js';
import { conditionLine, fieldTree, Ownership, readinessOf } from '../../src/ui/model.js';

const obj = (name: string, extra: Partial<KObject['metadata']> = {}, status?: unknown): KObject => ({ apiVersion: 'x.dev/v1', kind: 'Thing', metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...extra }, ...(status ? { status } : {}) });
const cond = (type: string, status: string, reason = '', message = '') => ({ type, status, reason, message });

test('readiness: failed on a False condition with reason Error or Failed, not ready on any other False or Unknown, ready when all True', () => {
  assert.equal(readinessOf(obj('a')), 'none');
  assert.equal(readinessOf(obj('a', {}, { conditions: [cond('Ready', 'True')] })), 'ready');
  assert.equal(readinessOf(obj('a', {}, { conditions: [cond('Ready', 'True'), cond('Synced', 'Unknown')] })), 'notready');
  assert.equal(readinessOf(obj('a', {}, { conditions: [cond('Ready', 'False', 'Waiting')] })), 'notready');
  assert.equal(readinessOf(obj('a', {}, { conditions: [cond('Ready', 'False', 'Waiting'), cond('Other', 'False', 'Error')] })), 'failed');
  assert.equal(readinessOf(obj('a', {}, { conditions: [cond('Ready', 'False', 'Failed')] })), 'failed');
  assert.equal(readinessOf(obj('a', { deletionTimestamp: '2026-01-01T00:00:00Z' }, { conditions: [cond('Ready', 'True')] })), 'deleting');
  assert.equal(readinessOf(obj('a', {}, { conditions: 'garbage' })), 'none');
  assert.equal(conditionLine(obj('a', {}, { conditions: [cond('Ready', 'False', 'Error', 'Traceback ...\n  x.star:1:2: in f\nError: boom'), cond('Synced', 'True', '', 'fine')] })), 'Ready=False: Error: boom; Synced=True');
});

test('ownership: the owner chain follows the controller reference and stops at a cycle; graphs around an object and of everything', () => {
  const ref = (o: KObject, controller = true) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name!, uid: o.metadata.uid!, controller });
  const root = obj('root');
  const other = obj('other');
  const mid = obj('mid', { ownerReferences: [ref(other, false), ref(root)] });
  const leaf = obj('leaf', { ownerReferences: [ref(mid)] });
  const alone = obj('alone');
  const loopA: KObject = obj('loop-a');
  const loopB = obj('loop-b', { ownerReferences: [ref(loopA)] });
  loopA.metadata.ownerReferences = [ref(loopB)];
  const w = new Ownership([root, other, mid, leaf, alone, loopA, loopB]);
  assert.deepEqual(w.ownerChain(leaf).map((o) => o.metadata.name), ['mid', 'root']);
  assert.deepEqual(w.ownerChain(loopA).map((o) => o.metadata.name), ['loop-b']);
  assert.deepEqual(w.childrenOf('uid-mid').map((o) => o.metadata.name), ['leaf']);
  const around = w.graph(mid);
  assert.deepEqual(around.nodes.map((n) => n.name).sort(), ['leaf', 'mid', 'root']);
  assert.deepEqual(around.edges.map((e) => `${e.from}>${e.to}`).sort(), ['uid-mid>uid-leaf', 'uid-root>uid-mid']);
  const all = w.graph(undefined, (o) => o.metadata.name === 'alone');
  assert.deepEqual(all.nodes.map((n) => n.name).sort(), ['alone', 'leaf', 'loop-a', 'loop-b', 'mid', 'other', 'root']);
  assert.equal(all.edges.length, 5);
  const cut = w.graph(undefined, () => true, 3);
  assert.equal(cut.nodes.length, 3);
  assert.equal(cut.truncated, true);
});

test('field ownership: one tree of every manager’s fields, keyed items, set items and whole-node ownership', () => {
  const o = obj('a', {
    managedFields: [
      { manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:size': {}, 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } } },
      { manager: 'ctl', operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:tags': { 'v:"blue"': {} }, 'f:list': { 'i:0': {} } } } },
      { manager: 'other', operation: 'Update', fieldsV1: { 'f:spec': { 'f:size': {} } } },
    ],
  });
  assert.deepEqual(fieldTree(o), [
    {
      name: 'spec',
      managers: [],
      children: [
        { name: 'size', managers: ['kubectl', 'other'], children: [] },
        { name: 'ports', managers: [], children: [{ name: '[port=80,protocol=TCP]', managers: ['kubectl'], children: [{ name: 'port', managers: ['kubectl'], children: [] }] }] },
      ],
    },
    {
      name: 'status',
      managers: [],
      children: [
        { name: 'tags', managers: [], children: [{ name: '{"blue"}', managers: ['ctl (status)'], children: [] }] },
        { name: 'list', managers: [], children: [{ name: '[0]', managers: ['ctl (status)'], children: [] }] },
      ],
    },
  ]);
});
