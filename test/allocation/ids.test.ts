// AS, VLAN, generic ID and extended-community claims through the real engine:
// static / dynamic / range / selector, conflicts, exhaustion then release,
// index validation and deletion, and Entries owned by their claims. Every
// create returns the claim allocated (no waiting for a controller), and a claim
// that cannot be allocated is refused by its create, as kuid's invoker does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeBlocks } from '../../src/allocation/ids.js';
import { kuid, obj, openEnv, ready, rejected, statusOf, userOnly } from './helpers.js';

test("AS: dynamic claims take kuid's best-fit id, static ids are reserved exactly, conflicts are refused", async () => {
  const env = await openEnv();
  try {
    // The index is Ready in the object its create returns; so is each claim, with its id.
    const index = await env.create(obj(kuid.as, 'ASIndex', 'asn', { minID: 65000, maxID: 65100 }));
    assert.equal(ready(index).status, 'True');
    assert.deepEqual([statusOf(index).minID, statusOf(index).maxID], [65000, 65100]);
    const st = await env.create(obj(kuid.as, 'ASClaim', 'static', { index: 'asn', id: 65001 }));
    assert.deepEqual([statusOf(st).id, ready(st).status], [65001, 'True']);
    const dyn1 = await env.create(obj(kuid.as, 'ASClaim', 'dyn1', { index: 'asn' }));
    const dyn2 = await env.create(obj(kuid.as, 'ASClaim', 'dyn2', { index: 'asn' }));
    // kuid's tree picks the smallest free aligned block first: 65000 (alone before 65001), then 65100 (alone at the top).
    assert.deepEqual([statusOf(dyn1).id, statusOf(dyn2).id], [65000, 65100]);
    // Read back right after: stored allocated.
    assert.equal(ready(await env.get(kuid.as, 'ASClaim', 'dyn2')).status, 'True');

    await rejected(env.create(obj(kuid.as, 'ASClaim', 'clash', { index: 'asn', id: 65001 })), 403, /^ASClaim default\/clash cannot be allocated: id 65001 is already claimed by static$/);
    await rejected(env.create(obj(kuid.as, 'ASClaim', 'outside', { index: 'asn', id: 70000 })), 403, /id 70000 is outside the index range 65000-65100/);
    assert.equal(await env.get(kuid.as, 'ASClaim', 'clash'), undefined, 'a refused claim is not stored');
    await env.settle();

    // One Entry per allocation, owned by its claim and labelled with it.
    const all = await env.list(kuid.as, 'ASEntry');
    const entries = userOnly(all);
    assert.deepEqual(entries.map((e) => e.metadata.name).sort(), ['asn.65000-32', 'asn.65001-32', 'asn.65100-32']);
    const e = entries.find((x) => x.metadata.name === 'asn.65001-32')!;
    assert.deepEqual((e.metadata.ownerReferences ?? []).map((r) => [r.kind, r.name, r.controller]), [['ASClaim', 'static', true]]);
    assert.equal(e.metadata.labels?.['be.kuid.dev/claim-name'], 'static');
    assert.deepEqual([(e.spec as Record<string, unknown>).claimType, (e.spec as Record<string, unknown>).id], ['staticID', '65001/32']);

    // kuid: the index owns range claims for what lies below minID and above maxID, recorded as aligned blocks.
    const below = await env.get(kuid.as, 'ASClaim', 'asn.rangereservedmin');
    const above = await env.get(kuid.as, 'ASClaim', 'asn.rangereservedmax');
    assert.deepEqual([statusOf(below).range, ready(below).status, below?.metadata.ownerReferences?.[0]?.kind], ['0-64999', 'True', 'ASIndex']);
    assert.deepEqual([statusOf(above).range, ready(above).status], ['65101-4294967295', 'True']);
    const reservedNames = all.filter((x) => x.metadata.labels?.['be.kuid.dev/claim-name'] === 'asn.rangereservedmin').map((x) => x.metadata.name);
    for (const n of ['asn.0-17', 'asn.32768-18', 'asn.64992-29']) assert.ok(reservedNames.includes(n), reservedNames.join(' '));

    // Deleting the static claim frees its id at once: the claim that wanted it gets it in its next write.
    await env.del(kuid.as, 'ASClaim', 'static');
    const clash = await env.create(obj(kuid.as, 'ASClaim', 'clash', { index: 'asn', id: 65001 }));
    assert.deepEqual([statusOf(clash).id, ready(clash).status], [65001, 'True']);
  } finally {
    await env.close();
  }
});

test('AS: a range claim reserves a sub-pool that dynamic claims select by label', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.as, 'ASIndex', 'asn', {}));
    await env.create(obj(kuid.as, 'ASClaim', 'range1', { index: 'asn', range: '65000-65002', labels: { purpose: 'leafs' } }));
    const fromRange = (n: string, sel: Record<string, string>) => env.create(obj(kuid.as, 'ASClaim', n, { index: 'asn', selector: { matchLabels: sel } }));
    await fromRange('leaf1', { 'be.kuid.dev/claim-name': 'range1' });
    await fromRange('leaf2', { purpose: 'leafs' });
    await env.create(obj(kuid.as, 'ASClaim', 'plain', { index: 'asn' }));
    await env.create(obj(kuid.as, 'ASClaim', 'inrange', { index: 'asn', id: 65002 }));
    await rejected(env.create(obj(kuid.as, 'ASClaim', 'overlap', { index: 'asn', range: '64999-65000' })), 403, /cannot be allocated: .*65000/);
    await rejected(fromRange('nomatch', { purpose: 'spines' }), 403, /no range in index asn matches selector/);
    await env.settle();

    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'range1')).range, '65000-65002');
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'leaf1')).id, 65000);
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'leaf2')).id, 65001);
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'plain')).id, 65003, 'a claim without selector does not take from the range (kuid: 65003, a free block of one)');
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'inrange')).id, 65002, 'a static id inside a range is taken from the range');
    // kuid's entry layout: ids inside a range are named after the range, the others after the index; a range is
    // recorded as its aligned blocks (65000-65002 → 65000/31, 65002/32).
    assert.deepEqual(userOnly(await env.list(kuid.as, 'ASEntry')).map((e) => e.metadata.name).sort(), ['asn.65000-31', 'asn.65002-32', 'asn.65003-32', 'range1.65000-32', 'range1.65001-32', 'range1.65002-32']);

    // The range is full now: another claim from it is refused, and fits once a claim is released.
    await rejected(fromRange('leaf3', { purpose: 'leafs' }), 403, /no free id/);
    await env.del(kuid.as, 'ASClaim', 'leaf1');
    assert.equal(statusOf(await fromRange('leaf3', { purpose: 'leafs' })).id, 65000);
  } finally {
    await env.close();
  }
});

test('VLAN: exhaustion refuses the claim, a freed id fits the next write; an invalid index is refused', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.vlan, 'VLANIndex', 'vl', { minID: 100, maxID: 102 }));
    for (const n of ['v1', 'v2', 'v3']) await env.create(obj(kuid.vlan, 'VLANClaim', n, { index: 'vl' }));
    const got = async (n: string) => statusOf(await env.get(kuid.vlan, 'VLANClaim', n)).id;
    // 100-102 is the blocks 100/31 and 102/32: the one-id block first (kuid).
    assert.deepEqual([await got('v1'), await got('v2'), await got('v3')], [102, 100, 101]);
    await rejected(env.create(obj(kuid.vlan, 'VLANClaim', 'v4', { index: 'vl' })), 403, /^VLANClaim default\/v4 cannot be allocated: no free id in index range 100-102$/);
    await env.del(kuid.vlan, 'VLANClaim', 'v2');
    assert.equal(statusOf(await env.create(obj(kuid.vlan, 'VLANClaim', 'v4', { index: 'vl' }))).id, 100);
    await env.settle();
    assert.deepEqual(userOnly(await env.list(kuid.vlan, 'VLANEntry')).map((e) => e.metadata.name).sort(), ['vl.100-16', 'vl.101-16', 'vl.102-16']);
    assert.equal(statusOf(await env.get(kuid.vlan, 'VLANClaim', 'vl.rangereservedmax')).range, '103-4095');

    // VLAN ids outside kuid's 0-4095 make an invalid index: refused by its write.
    await rejected(env.create(obj(kuid.vlan, 'VLANIndex', 'bad', { minID: 1, maxID: 5000 })), 422, /^VLANIndex.vlan.be.kuid.dev "bad" is invalid: spec.maxID: 5000 must be within 0-4095$/);
    // A claim whose index does not exist yet is stored waiting, and allocated when the index is created.
    const nowhere = await env.create(obj(kuid.vlan, 'VLANClaim', 'nowhere', { index: 'missing' }));
    assert.deepEqual(ready(nowhere), { status: 'False', reason: 'IndexNotFound', message: 'index missing not found' });
    await env.create(obj(kuid.vlan, 'VLANIndex', 'missing', {}));
    await env.settle();
    assert.equal(await got('nowhere'), 0);
  } finally {
    await env.close();
  }
});

test('GENID and EXTCOMM: the index type sets the id space; a changed static id moves the Entry', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.genid, 'GENIDIndex', 'g', { type: '16bit' }));
    await rejected(env.create(obj(kuid.genid, 'GENIDClaim', 'big', { index: 'g', id: 70000 })), 403, /id 70000 is outside the index range 0-65535/);
    await env.create(obj(kuid.genid, 'GENIDClaim', 'fixed', { index: 'g', id: 7 }));
    await env.create(obj(kuid.genid, 'GENIDClaim', 'other', { index: 'g', id: 9 }));
    await env.create(obj(kuid.extcomm, 'EXTCOMMIndex', 'rt', { type: '2byteAS', subType: 'routeTarget', globalID: '65535', minID: 100 }));
    assert.equal(statusOf(await env.create(obj(kuid.extcomm, 'EXTCOMMClaim', 'vrf1', { index: 'rt' }))).id, 100);
    await rejected(env.create(obj(kuid.extcomm, 'EXTCOMMIndex', 'bad', { type: 'nope', subType: 'routeTarget' })), 422, /spec.type: "nope" must be one of/);

    const fixed = (await env.get(kuid.genid, 'GENIDClaim', 'fixed'))!;
    const moved = await env.engine.manager.client.update({ ...fixed, spec: { ...(fixed.spec as object), id: 8 } });
    assert.equal(statusOf(moved).id, 8);
    // A change that cannot be allocated is refused and the claim keeps what it holds.
    const cur = (await env.get(kuid.genid, 'GENIDClaim', 'fixed'))!;
    await rejected(env.engine.manager.client.update({ ...cur, spec: { ...(cur.spec as object), id: 9 } }), 403, /id 9 is already claimed by other/);
    await env.settle();
    assert.equal(statusOf(await env.get(kuid.genid, 'GENIDClaim', 'fixed')).id, 8);
    assert.deepEqual((await env.list(kuid.genid, 'GENIDEntry')).map((e) => e.metadata.name).sort(), ['g.8-16', 'g.9-16']);
    await rejected(env.create(obj(kuid.genid, 'GENIDClaim', 'eight', { index: 'g', id: 8 })), 403, /id 8 is already claimed by fixed/);
  } finally {
    await env.close();
  }
});

test('deleting an index removes its Entries; its claims wait and allocate again when it returns', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.as, 'ASIndex', 'asn', { minID: 10, maxID: 20 }));
    await env.create(obj(kuid.as, 'ASClaim', 'a', { index: 'asn' }));
    await env.settle();
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'a')).id, 20);
    await env.del(kuid.as, 'ASIndex', 'asn');
    await env.settle();
    assert.deepEqual(await env.list(kuid.as, 'ASEntry'), []);
    assert.deepEqual(userOnly(await env.list(kuid.as, 'ASClaim')).map((c) => c.metadata.name), ['a'], 'the index reserved-range claims went with it');
    assert.equal(ready(await env.get(kuid.as, 'ASClaim', 'a')).reason, 'IndexNotFound');
    await env.create(obj(kuid.as, 'ASIndex', 'asn', { minID: 30, maxID: 40 }));
    await env.settle();
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'a')).id, 40);
    assert.deepEqual(userOnly(await env.list(kuid.as, 'ASEntry')).map((e) => e.metadata.name), ['asn.40-32']);
  } finally {
    await env.close();
  }
});

test('a write refused after admission (name taken) gives back what admission reserved', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.as, 'ASIndex', 'asn', { minID: 1, maxID: 10 }));
    assert.equal(statusOf(await env.create(obj(kuid.as, 'ASClaim', 'x', { index: 'asn' }))).id, 1);
    // Admission reserves 5 for this create, then the store refuses it: x exists.
    await rejected(env.create(obj(kuid.as, 'ASClaim', 'x', { index: 'asn', id: 5 })), 409, /already exists/);
    assert.equal(statusOf(await env.create(obj(kuid.as, 'ASClaim', 'y', { index: 'asn', id: 5 }))).id, 5);
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'x')).id, 1);
  } finally {
    await env.close();
  }
});

test('ranges split into aligned blocks as kuid (idxtable) records them', () => {
  assert.deepEqual(rangeBlocks(65000, 65002, 32), [{ start: 65000, len: 31 }, { start: 65002, len: 32 }]);
  assert.deepEqual(rangeBlocks(0, 4095, 16), [{ start: 0, len: 4 }]);
  assert.deepEqual(rangeBlocks(65050, 65059, 32), [{ start: 65050, len: 31 }, { start: 65052, len: 30 }, { start: 65056, len: 30 }]);
  const blocks = rangeBlocks(1, 64999, 32);
  assert.equal(blocks.reduce((n, b) => n + 2 ** (32 - b.len), 0), 64999);
});

test('a status written by someone else that disagrees with the pool is corrected to what the claim holds', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.as, 'ASIndex', 'asn', { minID: 1, maxID: 10 }));
    const x = await env.create(obj(kuid.as, 'ASClaim', 'x', { index: 'asn' }));
    // As a loader restoring a saved status would write it.
    await env.engine.manager.client.update({ ...x, status: { ...(x.status as object), id: 7 } }, { subresource: 'status', fieldManager: 'loader' });
    await env.settle();
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'x')).id, 1);
    assert.equal(statusOf(await env.create(obj(kuid.as, 'ASClaim', 'y', { index: 'asn', id: 7 }))).id, 7, '7 was never taken');
  } finally {
    await env.close();
  }
});

test("kuid's AS claim test (testas Mix), claim by claim", async () => {
  const env = await openEnv();
  const as = (name: string, spec: Record<string, unknown>) => env.create(obj(kuid.as, 'ASClaim', name, { index: 'a', ...spec }));
  const reapply = async (name: string, spec: Record<string, unknown>) => {
    const cur = (await env.get(kuid.as, 'ASClaim', name))!;
    return env.engine.manager.client.update({ ...cur, spec: { index: 'a', ...spec } });
  };
  const fromClaim4 = { selector: { matchLabels: { 'be.kuid.dev/claim-name': 'claim4' } } };
  try {
    await env.create(obj(kuid.as, 'ASIndex', 'a', {}));
    assert.equal(statusOf(await as('claim1', {})).id, 0);
    await as('claim2', { id: 100 });
    await as('claim3', { id: 4000 });
    await as('claim4', { range: '10-19' });
    assert.equal(statusOf(await reapply('claim4', { range: '11-19' })).range, '11-19', 'a range may change while nothing is taken from it');
    assert.equal(statusOf(await as('claim5', { range: '5-10' })).range, '5-10');
    await rejected(as('claim6', { range: '19-100' }), 403, /overlaps/);
    await as('claim7', { id: 12 });
    assert.equal(statusOf(await reapply('claim7', { id: 13 })).id, 13);
    assert.equal(statusOf(await as('claim8', fromClaim4)).id, 11);
    assert.equal(statusOf(await as('claim9', fromClaim4)).id, 12);
    assert.equal(statusOf(await as('claim10', fromClaim4)).id, 14);
    assert.equal(statusOf(await reapply('claim10', fromClaim4)).id, 14);
  } finally {
    await env.close();
  }
});
