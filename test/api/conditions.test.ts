import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCondition, isConditionTrue, setCondition, setObjectCondition, removeCondition, nowRFC3339 } from '../../src/api/conditions.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:05:00Z';

test('setting a new condition stamps lastTransitionTime', () => {
  const r = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending', observedGeneration: 1 }, T0);
  assert.equal(r.changed, true);
  assert.deepEqual(r.conditions, [{ type: 'Ready', status: 'False', reason: 'Pending', observedGeneration: 1, lastTransitionTime: T0 }]);
});

test('lastTransitionTime only moves when status changes', () => {
  const base = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending', message: 'wait' }, T0).conditions;
  // same status, new reason/message: changed, time kept
  const r1 = setCondition(base, { type: 'Ready', status: 'False', reason: 'Still', message: 'more' }, T1);
  assert.equal(r1.changed, true);
  assert.equal(r1.conditions[0].lastTransitionTime, T0);
  assert.equal(r1.conditions[0].reason, 'Still');
  // identical: not changed (no write needed)
  const r2 = setCondition(r1.conditions, { type: 'Ready', status: 'False', reason: 'Still', message: 'more' }, T1);
  assert.equal(r2.changed, false);
  // status flips: time moves
  const r3 = setCondition(r1.conditions, { type: 'Ready', status: 'True', reason: 'Ready' }, T1);
  assert.equal(r3.changed, true);
  assert.equal(r3.conditions[0].lastTransitionTime, T1);
  assert.equal(r3.conditions[0].message, '');
  // observedGeneration change alone is a change
  const r4 = setCondition(r3.conditions, { type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 2 }, T1);
  assert.equal(r4.changed, true);
  assert.equal(r4.conditions[0].observedGeneration, 2);
  // inputs untouched
  assert.equal(base[0].reason, 'Pending');
});

test('object helpers read and write status.conditions', () => {
  const obj = { apiVersion: 'x/v1', kind: 'W', metadata: { name: 'a' }, status: { phase: 'x' } };
  const { object, changed } = setObjectCondition(obj, { type: 'Ready', status: 'True', reason: 'Done' }, T0);
  assert.equal(changed, true);
  assert.equal(isConditionTrue(object, 'Ready'), true);
  assert.equal(isConditionTrue(obj, 'Ready'), false);
  assert.equal((object.status as { phase: string }).phase, 'x');
  assert.equal(getCondition(object, 'Ready')?.lastTransitionTime, T0);
  const again = setObjectCondition(object, { type: 'Ready', status: 'True', reason: 'Done' }, T1);
  assert.equal(again.changed, false);
  assert.equal(again.object, object);
  const rm = removeCondition((object.status as unknown as { conditions: [] }).conditions, 'Ready');
  assert.deepEqual(rm, { conditions: [], changed: true });
  assert.match(nowRFC3339(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
});

test('conditions written by setCondition validate against the kubebuilder metav1.Condition schema', async () => {
  const { compileValidator } = await import('../../src/api/schema/index.js');
  const { fieldErrorString } = await import('../../src/api/fielderrors.js');
  const conditionsSchema = {
    type: 'array' as const,
    'x-kubernetes-list-type': 'map' as const,
    'x-kubernetes-list-map-keys': ['type'],
    items: {
      type: 'object' as const,
      required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
      properties: {
        lastTransitionTime: { type: 'string' as const, format: 'date-time' },
        message: { type: 'string' as const, maxLength: 32768 },
        observedGeneration: { type: 'integer' as const, format: 'int64', minimum: 0 },
        reason: { type: 'string' as const, maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
        status: { type: 'string' as const, enum: ['True', 'False', 'Unknown'] },
        type: { type: 'string' as const, maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' },
      },
    },
  };
  const v = compileValidator({ type: 'object', properties: { status: { type: 'object', properties: { conditions: conditionsSchema } } } });
  let conds = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending', message: '' }).conditions;
  conds = setCondition(conds, { type: 'Synced', status: 'True', reason: 'Done', message: 'ok', observedGeneration: 3 }).conditions;
  assert.deepEqual(v({ status: { conditions: conds } }).map(fieldErrorString), []);
  const bad = setCondition(conds, { type: 'Ready', status: 'True', reason: 'not valid!' }).conditions;
  assert.deepEqual(v({ status: { conditions: bad } }).map(fieldErrorString), [
    "status.conditions[0].reason: Invalid value: \"not valid!\": status.conditions[0].reason in body should match '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'",
  ]);
});
