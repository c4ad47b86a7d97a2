// Allocations survive restarts on the file store (pools are rebuilt from the
// stored Entries, not kept in memory), a lost Entry is re-taken with the same
// value, and several workers never hand out one value twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileStore, kuid, obj, openEnv, rejected, statusOf, tempDir, userOnly } from './helpers.js';

test('restart on the file store keeps every allocation and continues after them', async () => {
  const tmp = await tempDir();
  try {
    let env = await openEnv({ store: await fileStore(tmp.dir) });
    await env.create(obj(kuid.as, 'ASIndex', 'asn', { minID: 65000, maxID: 65100 }));
    await env.create(obj(kuid.ipam, 'IPIndex', 'ip', { prefixes: [{ prefix: '10.1.0.0/24' }, { prefix: '2001:db8::/32' }] }));
    await env.create(obj(kuid.as, 'ASClaim', 'r', { index: 'asn', range: '65050-65059' }));
    for (const n of ['n1', 'n2', 'n3']) {
      await env.create(obj(kuid.as, 'ASClaim', n, { index: 'asn' }));
      await env.create(obj(kuid.ipam, 'IPClaim', n, { index: 'ip', addressFamily: 'ipv4' }));
      await env.create(obj(kuid.ipam, 'IPClaim', `${n}-v6net`, { index: 'ip', createPrefix: true, prefixLength: 64, addressFamily: 'ipv6' }));
    }
    await env.create(obj(kuid.as, 'ASClaim', 'inr', { index: 'asn', selector: { matchLabels: { 'be.kuid.dev/claim-name': 'r' } } }));
    // An IP range (stored as three CIDR blocks) with an address taken from it.
    await env.create(obj(kuid.ipam, 'IPClaim', 'iprange', { index: 'ip', range: '10.1.0.100-10.1.0.109' }));
    await env.create(obj(kuid.ipam, 'IPClaim', 'inrange', { index: 'ip', selector: { matchLabels: { 'be.kuid.dev/claim-name': 'iprange' } } }));
    // A network held with its own address as gateway (10.1.0.129/25).
    await env.create(obj(kuid.ipam, 'IPClaim', 'lan', { index: 'ip', prefix: '10.1.0.129/25', prefixType: 'network', defaultGateway: true }));
    await env.settle();
    // Free a slot so the choice after the restart must see the stored Entries (kuid's best fit: n1 got
    // 65100, alone at the top; n2 65048 and n3 65049, the smallest free block below the range).
    await env.del(kuid.as, 'ASClaim', 'n1');
    await env.settle();
    const snapshot = async () => {
      const out: Record<string, unknown> = {};
      for (const [v, k] of [[kuid.as, 'ASClaim'], [kuid.ipam, 'IPClaim']] as const) {
        for (const o of await env.list(v, k)) {
          const { conditions: _c, ...rest } = statusOf(o);
          out[`${k}/${o.metadata.name}`] = rest;
        }
      }
      return out;
    };
    const before = await snapshot();
    assert.deepEqual([before['ASClaim/n1'], before['ASClaim/n2'], before['ASClaim/n3']], [undefined, { id: 65048 }, { id: 65049 }]);
    assert.deepEqual(before['ASClaim/inr'], { id: 65050 });
    await env.close();

    env = await openEnv({ store: await fileStore(tmp.dir) });
    await env.settle();
    assert.deepEqual(await snapshot(), before, 'a restart changes no allocation');
    await env.create(obj(kuid.as, 'ASClaim', 'n4', { index: 'asn' }));
    await env.create(obj(kuid.as, 'ASClaim', 'n5', { index: 'asn' }));
    await env.create(obj(kuid.as, 'ASClaim', 'inr2', { index: 'asn', selector: { matchLabels: { 'be.kuid.dev/claim-name': 'r' } } }));
    await env.create(obj(kuid.ipam, 'IPClaim', 'n4', { index: 'ip', addressFamily: 'ipv4' }));
    await env.create(obj(kuid.ipam, 'IPClaim', 'n4-v6net', { index: 'ip', createPrefix: true, prefixLength: 64, addressFamily: 'ipv6' }));
    await env.settle();
    const ids = new Set<unknown>();
    for (const o of userOnly(await env.list(kuid.as, 'ASClaim'))) ids.add(statusOf(o).id ?? statusOf(o).range);
    assert.equal(ids.size, 7, 'no AS id handed out twice after the restart (7 claims)');
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'n4')).id, 65100, 'the freed id, a free block of one, comes first');
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'n5')).id, 65060, 'then the smallest free block: 65060-65063');
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'inr2')).id, 65051);
    assert.equal(statusOf(await env.get(kuid.ipam, 'IPClaim', 'n4')).address, '10.1.0.3/32');
    // The range came back whole: the next address from it follows the one taken before the restart.
    await env.create(obj(kuid.ipam, 'IPClaim', 'inrange2', { index: 'ip', selector: { matchLabels: { 'be.kuid.dev/claim-name': 'iprange' } } }));
    assert.deepEqual([statusOf(await env.get(kuid.ipam, 'IPClaim', 'inrange')).address, statusOf(await env.get(kuid.ipam, 'IPClaim', 'inrange2')).address], ['10.1.0.100/32', '10.1.0.101/32']);
    const host = await env.create(obj(kuid.ipam, 'IPClaim', 'lanhost', { index: 'ip', selector: { matchLabels: { 'be.kuid.dev/claim-name': 'lan' } } }));
    // kuid's best fit in 10.1.0.128/25 holding .128 (reserved), .129 (the gateway), .255 (reserved): the single free .254.
    assert.deepEqual([statusOf(host).address, statusOf(host).defaultGateway], ['10.1.0.254/25', '10.1.0.129']);
    await rejected(env.create(obj(kuid.ipam, 'IPClaim', 'overlap', { index: 'ip', range: '10.1.0.108-10.1.0.120' })), 403, /overlaps range 10.1.0.100-10.1.0.109 claimed by iprange/);
    // Re-applying a claim after the restart keeps what it holds.
    const n2 = (await env.get(kuid.as, 'ASClaim', 'n2'))!;
    assert.equal(statusOf(await env.engine.manager.client.update({ ...n2, metadata: { ...n2.metadata, labels: { touched: 'yes' } } })).id, 65048);
    // The index claims were restored holding their prefixes.
    assert.deepEqual(statusOf(await env.get(kuid.ipam, 'IPClaim', 'ip.10.1.0.0-24')).prefix, '10.1.0.0/24');
    assert.equal(statusOf(await env.get(kuid.ipam, 'IPClaim', 'n4-v6net')).prefix, '2001:db8:0:3::/64');

    // An Entry deleted by hand (kubectl delete asentry) is re-created with the same value.
    await env.del(kuid.as, 'ASEntry', 'asn.65048-32');
    await env.settle();
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'n2')).id, 65048);
    assert.ok(await env.get(kuid.as, 'ASEntry', 'asn.65048-32'));
    await env.close();
  } finally {
    await tmp.cleanup();
  }
});

test('4 workers and 200 concurrent claims: every claim a different value, then exhaustion', async () => {
  const env = await openEnv({ workers: 4 });
  try {
    await env.create(obj(kuid.vlan, 'VLANIndex', 'vl', { minID: 1000, maxID: 1199 }));
    await env.create(obj(kuid.ipam, 'IPIndex', 'ip', { prefixes: [{ prefix: '10.9.0.0/24' }] }));
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        Promise.all([env.create(obj(kuid.vlan, 'VLANClaim', `c${i}`, { index: 'vl' })), i < 150 ? env.create(obj(kuid.ipam, 'IPClaim', `c${i}`, { index: 'ip' })) : Promise.resolve()]),
      ),
    );
    await env.settle();
    const vlans = userOnly(await env.list(kuid.vlan, 'VLANClaim')).map((o) => statusOf(o).id);
    assert.equal(vlans.length, 200);
    assert.equal(new Set(vlans).size, 200, 'no duplicate VLAN');
    assert.deepEqual([...vlans].sort((a, b) => Number(a) - Number(b)), Array.from({ length: 200 }, (_, i) => 1000 + i));
    const ips = (await env.list(kuid.ipam, 'IPClaim')).filter((o) => o.metadata.name!.startsWith('c')).map((o) => statusOf(o).address);
    assert.equal(new Set(ips).size, 150, 'no duplicate address');
    assert.ok(ips.every((a) => typeof a === 'string'));
    assert.equal(userOnly(await env.list(kuid.vlan, 'VLANEntry')).length, 200);

    await rejected(env.create(obj(kuid.vlan, 'VLANClaim', 'one-too-many', { index: 'vl' })), 403, /no free id in index range 1000-1199/);
  } finally {
    await env.close();
  }
});
