// AS, VLAN, generic ID and extended-community claims through the real engine:
// static / dynamic / range / selector, conflicts, exhaustion then release,
// index validation and deletion, and Entries owned by their claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kuid, obj, openEnv, ready, statusOf } from './helpers.js';

test('AS: dynamic claims take the lowest free id, static ids are reserved exactly, conflicts are refused', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.as, 'ASIndex', 'asn', { minID: 65000, maxID: 65100 }));
    await env.create(obj(kuid.as, 'ASClaim', 'static', { index: 'asn', id: 65001 }));
    await env.settle();
    await env.create(obj(kuid.as, 'ASClaim', 'dyn1', { index: 'asn' }));
    await env.create(obj(kuid.as, 'ASClaim', 'dyn2', { index: 'asn' }));
    await env.settle();
    await env.create(obj(kuid.as, 'ASClaim', 'clash', { index: 'asn', id: 65001 }));
    await env.create(obj(kuid.as, 'ASClaim', 'outside', { index: 'asn', id: 70000 }));
    await env.settle();

    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'static')).id, 65001);
    const ids = [statusOf(await env.get(kuid.as, 'ASClaim', 'dyn1')).id, statusOf(await env.get(kuid.as, 'ASClaim', 'dyn2')).id];
    assert.deepEqual(ids, [65000, 65002]);
    const clash = await env.get(kuid.as, 'ASClaim', 'clash');
    assert.deepEqual(ready(clash), { status: 'False', reason: 'Conflict', message: 'id 65001 is already claimed by static' });
    assert.equal(statusOf(clash).id, undefined);
    assert.equal(ready(await env.get(kuid.as, 'ASClaim', 'outside')).reason, 'OutOfRange');

    const index = await env.get(kuid.as, 'ASIndex', 'asn');
    assert.equal(ready(index).status, 'True');
    assert.deepEqual([statusOf(index).minID, statusOf(index).maxID], [65000, 65100]);

    // One Entry per allocation, owned by its claim and labelled with it.
    const entries = await env.list(kuid.as, 'ASEntry');
    assert.deepEqual(entries.map((e) => e.metadata.name).sort(), ['asn.65000', 'asn.65001', 'asn.65002']);
    const e = entries.find((x) => x.metadata.name === 'asn.65001')!;
    assert.deepEqual((e.metadata.ownerReferences ?? []).map((r) => [r.kind, r.name, r.controller]), [['ASClaim', 'static', true]]);
    assert.equal(e.metadata.labels?.['be.kuid.dev/claim-name'], 'static');
    assert.deepEqual([(e.spec as Record<string, unknown>).claimType, (e.spec as Record<string, unknown>).id], ['staticID', '65001']);

    // Deleting the static claim frees its id for the claim that wanted it.
    await env.del(kuid.as, 'ASClaim', 'static');
    await env.settle();
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'clash')).id, 65001);
    assert.equal(ready(await env.get(kuid.as, 'ASClaim', 'clash')).status, 'True');
  } finally {
    await env.close();
  }
});

test('AS: a range claim reserves a sub-pool that dynamic claims select by label', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.as, 'ASIndex', 'asn', {}));
    await env.create(obj(kuid.as, 'ASClaim', 'range1', { index: 'asn', range: '65000-65002', labels: { purpose: 'leafs' } }));
    await env.settle();
    const fromRange = (n: string, sel: Record<string, string>) => env.create(obj(kuid.as, 'ASClaim', n, { index: 'asn', selector: { matchLabels: sel } }));
    await fromRange('leaf1', { 'be.kuid.dev/claim-name': 'range1' });
    await fromRange('leaf2', { purpose: 'leafs' });
    await env.settle();
    await env.create(obj(kuid.as, 'ASClaim', 'plain', { index: 'asn' }));
    await env.create(obj(kuid.as, 'ASClaim', 'inrange', { index: 'asn', id: 65002 }));
    await env.create(obj(kuid.as, 'ASClaim', 'overlap', { index: 'asn', range: '64999-65000' }));
    await fromRange('nomatch', { purpose: 'spines' });
    await env.settle();

    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'range1')).range, '65000-65002');
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'leaf1')).id, 65000);
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'leaf2')).id, 65001);
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'plain')).id, 1, 'a claim without selector does not take from the range');
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'inrange')).id, 65002, 'a static id inside a range is taken from the range');
    assert.equal(ready(await env.get(kuid.as, 'ASClaim', 'overlap')).reason, 'Conflict');
    assert.match(ready(await env.get(kuid.as, 'ASClaim', 'nomatch')).message ?? '', /no range in index asn matches selector/);

    // The range is full now: another claim from it waits, and gets the id a released claim frees.
    await fromRange('leaf3', { purpose: 'leafs' });
    await env.settle();
    assert.deepEqual([ready(await env.get(kuid.as, 'ASClaim', 'leaf3')).status, ready(await env.get(kuid.as, 'ASClaim', 'leaf3')).reason], ['False', 'Exhausted']);
    await env.del(kuid.as, 'ASClaim', 'leaf1');
    await env.settle();
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'leaf3')).id, 65000);
  } finally {
    await env.close();
  }
});

test('VLAN: exhaustion gives Ready=False, a freed id goes to the waiting claim', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.vlan, 'VLANIndex', 'vl', { minID: 100, maxID: 102 }));
    for (const n of ['v1', 'v2', 'v3', 'v4']) {
      await env.create(obj(kuid.vlan, 'VLANClaim', n, { index: 'vl' }));
      await env.settle();
    }
    const got = async (n: string) => statusOf(await env.get(kuid.vlan, 'VLANClaim', n)).id;
    assert.deepEqual([await got('v1'), await got('v2'), await got('v3')], [100, 101, 102]);
    const v4 = await env.get(kuid.vlan, 'VLANClaim', 'v4');
    assert.equal(ready(v4).status, 'False');
    assert.equal(ready(v4).message, 'no free id in index range 100-102');
    await env.del(kuid.vlan, 'VLANClaim', 'v2');
    await env.settle();
    assert.equal(await got('v4'), 101);
    assert.equal(ready(await env.get(kuid.vlan, 'VLANClaim', 'v4')).status, 'True');
    assert.deepEqual((await env.list(kuid.vlan, 'VLANEntry')).map((e) => e.metadata.name).sort(), ['vl.100', 'vl.101', 'vl.102']);

    // VLAN ids outside 1-4094 make an invalid index; its claims wait for it.
    await env.create(obj(kuid.vlan, 'VLANIndex', 'bad', { minID: 0, maxID: 5000 }));
    await env.create(obj(kuid.vlan, 'VLANClaim', 'onbad', { index: 'bad' }));
    await env.create(obj(kuid.vlan, 'VLANClaim', 'nowhere', { index: 'missing' }));
    await env.settle();
    assert.deepEqual([ready(await env.get(kuid.vlan, 'VLANIndex', 'bad')).status, ready(await env.get(kuid.vlan, 'VLANIndex', 'bad')).message], ['False', 'spec.minID: 0 must be within 1-4094']);
    assert.equal(ready(await env.get(kuid.vlan, 'VLANClaim', 'onbad')).reason, 'IndexNotReady');
    assert.deepEqual(ready(await env.get(kuid.vlan, 'VLANClaim', 'nowhere')), { status: 'False', reason: 'IndexNotFound', message: 'index missing not found' });
    await env.create(obj(kuid.vlan, 'VLANIndex', 'missing', {}));
    await env.settle();
    assert.equal(await got('nowhere'), 1);
  } finally {
    await env.close();
  }
});

test('GENID and EXTCOMM: the index type sets the id space; a changed static id moves the Entry', async () => {
  const env = await openEnv();
  try {
    await env.create(obj(kuid.genid, 'GENIDIndex', 'g', { type: '16bit' }));
    await env.create(obj(kuid.genid, 'GENIDClaim', 'big', { index: 'g', id: 70000 }));
    await env.create(obj(kuid.genid, 'GENIDClaim', 'fixed', { index: 'g', id: 7 }));
    await env.create(obj(kuid.extcomm, 'EXTCOMMIndex', 'rt', { type: '2byteAS', subType: 'routeTarget', globalID: '65535', minID: 100 }));
    await env.create(obj(kuid.extcomm, 'EXTCOMMClaim', 'vrf1', { index: 'rt' }));
    await env.create(obj(kuid.extcomm, 'EXTCOMMIndex', 'bad', { type: 'nope', subType: 'routeTarget' }));
    await env.settle();
    assert.equal(ready(await env.get(kuid.genid, 'GENIDClaim', 'big')).message, 'id 70000 is outside the index range 0-65535');
    assert.equal(statusOf(await env.get(kuid.extcomm, 'EXTCOMMClaim', 'vrf1')).id, 100);
    assert.match(ready(await env.get(kuid.extcomm, 'EXTCOMMIndex', 'bad')).message ?? '', /spec.type: "nope" must be one of/);

    const fixed = (await env.get(kuid.genid, 'GENIDClaim', 'fixed'))!;
    await env.engine.manager.client.update({ ...fixed, spec: { ...(fixed.spec as object), id: 8 } });
    await env.settle();
    assert.equal(statusOf(await env.get(kuid.genid, 'GENIDClaim', 'fixed')).id, 8);
    assert.deepEqual((await env.list(kuid.genid, 'GENIDEntry')).map((e) => e.metadata.name), ['g.8']);
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
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'a')).id, 10);
    await env.del(kuid.as, 'ASIndex', 'asn');
    await env.settle();
    assert.deepEqual(await env.list(kuid.as, 'ASEntry'), []);
    assert.equal(ready(await env.get(kuid.as, 'ASClaim', 'a')).reason, 'IndexNotFound');
    await env.create(obj(kuid.as, 'ASIndex', 'asn', { minID: 30, maxID: 40 }));
    await env.settle();
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'a')).id, 30);
    assert.deepEqual((await env.list(kuid.as, 'ASEntry')).map((e) => e.metadata.name), ['asn.30']);
  } finally {
    await env.close();
  }
});
