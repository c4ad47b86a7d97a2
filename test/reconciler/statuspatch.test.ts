// statusToApply / ownedRemoved: a reconciler applies only the status leaves it
// changed or owns, and notices when a leaf it owns has to be removed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/object.js';
import { ownedRemoved, ownedStatusFields, statusToApply } from '../../src/reconciler/statuspatch.js';

const live: KObject = {
  apiVersion: 'g/v1',
  kind: 'K',
  metadata: {
    name: 'x',
    managedFields: [
      { manager: 'alpha', operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:shared': { 'f:a': {} }, 'f:mine': {} } } },
      { manager: 'beta', operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:shared': { 'f:b': {} }, 'f:theirs': {} } } },
    ],
  },
  status: { shared: { a: 1, b: 2 }, mine: 'm', theirs: 't', conditions: [] },
};

test('only changed or owned leaves are applied; others\' unchanged fields are left out', () => {
  const owned = ownedStatusFields(live, 'alpha');
  assert.equal(owned.length, 1);
  // alpha returns the whole status with its own leaf changed.
  const returned = { shared: { a: 5, b: 2 }, mine: 'm', theirs: 't', conditions: [{ type: 'X' }] };
  assert.deepEqual(statusToApply(returned, live.status, owned, ['conditions']), { shared: { a: 5 }, mine: 'm' });
  // Nothing changed: still the owned leaves (re-asserting them is how SSA keeps them).
  assert.deepEqual(statusToApply(live.status, live.status, owned, ['conditions']), { shared: { a: 1 }, mine: 'm' });
  // A new field is applied.
  assert.deepEqual(statusToApply({ ...(live.status as object), extra: [1, 2] }, live.status, owned, ['conditions']), { shared: { a: 1 }, mine: 'm', extra: [1, 2] });
  // Changing someone else's leaf is applied (and will conflict at the server, as it should).
  assert.deepEqual(statusToApply({ theirs: 'changed' }, live.status, [], []), { theirs: 'changed' });
});

test('an owned leaf that is no longer returned is a removal', () => {
  const owned = ownedStatusFields(live, 'alpha');
  assert.equal(ownedRemoved({ shared: { a: 1 }, mine: 'm' }, live.status, owned, ['conditions']), false);
  assert.equal(ownedRemoved({ shared: { a: 1 } }, live.status, owned, ['conditions']), true);
  assert.equal(ownedRemoved({ mine: 'm', shared: {} }, live.status, owned, ['conditions']), true);
  // A leaf we own that is already gone from the live object needs no write.
  assert.equal(ownedRemoved({ shared: { a: 1 } }, { shared: { a: 1 } }, owned, ['conditions']), false);
});
