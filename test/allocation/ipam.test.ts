// IPAM through the real engine, with kuid's rules: an index prefix is held by
// an IPClaim the index owns, a pool claimed over a whole aggregate (the
// choreo examples' shape), label-selected dynamic addresses (the first address
// of an aggregate/pool first, a network's first and last reserved, both
// addresses of a /31 or /127 usable), static prefixes / addresses / ranges,
// idx, default gateway, dynamic prefixes, kuid's Entry names, refusals and
// release. Every create returns the claim allocated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/object.js';
import { kuid, obj, openEnv, ready, rejected, statusOf } from './helpers.js';

const claim = (name: string, spec: Record<string, unknown>): KObject => obj(kuid.ipam, 'IPClaim', name, { index: 'kubenet.default', ...spec });
const loopback = (af: string) => ({ selector: { matchLabels: { 'infra.kuid.dev/purpose': 'loopback', 'ipam.be.kuid.dev/address-family': af } } });
const fromClaim = (name: string) => ({ selector: { matchLabels: { 'be.kuid.dev/claim-name': name } } });
const result = (o: KObject | undefined) => {
  const { conditions: _c, ...rest } = statusOf(o);
  return rest;
};

test('IPAM: index claims, loopbacks per node and family, networks with gateway, ranges and idx', async () => {
  const env = await openEnv();
  const get = (n: string) => env.get(kuid.ipam, 'IPClaim', n);
  const make = async (n: string, spec: Record<string, unknown>) => result(await env.create(claim(n, spec)));
  try {
    const index = await env.create(
      obj(kuid.ipam, 'IPIndex', 'kubenet.default', {
        prefixes: [
          { prefix: '10.0.0.0/24', labels: { 'infra.kuid.dev/purpose': 'loopback' } },
          { prefix: '1000::/32', labels: { 'infra.kuid.dev/purpose': 'loopback' } },
          { prefix: '192.168.0.0/16', labels: { 'infra.kuid.dev/purpose': 'links' } },
        ],
      }),
    );
    assert.equal(ready(index).status, 'True', 'the index is Ready in the object its create returns');
    // kuid: one IPClaim per index prefix, owned by the index, named <index>.<subnet>.
    const own = await env.get(kuid.ipam, 'IPClaim', 'kubenet.default.1000---32');
    assert.deepEqual(result(own), { prefix: '1000::/32' });
    assert.deepEqual((own?.metadata.ownerReferences ?? []).map((r) => [r.kind, r.name]), [['IPIndex', 'kubenet.default']]);
    assert.equal(ready(await get('kubenet.default.10.0.0.0-24')).status, 'True');

    assert.deepEqual(await make('pool', { prefixType: 'pool', prefix: '10.0.0.0/24', prefixLength: 24, createPrefix: true, labels: { 'infra.kuid.dev/purpose': 'pool' } }), { prefix: '10.0.0.0/24' });
    assert.deepEqual(await make('net1', { prefix: '192.168.1.0/24', prefixType: 'network' }), { prefix: '192.168.1.0/24' });
    // The first address of an aggregate or pool is handed out first (kuid: 10.0.0.0/32).
    assert.deepEqual(await make('node1.ipv4', loopback('ipv4')), { address: '10.0.0.0/32' });
    assert.deepEqual(await make('node2.ipv4', loopback('ipv4')), { address: '10.0.0.1/32' });
    assert.deepEqual(await make('node1.ipv6', loopback('ipv6')), { address: '1000::/128' });
    assert.deepEqual(await make('node2.ipv6', loopback('ipv6')), { address: '1000::1/128' });
    // A /31 network: both addresses are usable.
    assert.deepEqual(await make('link1', { createPrefix: true, prefixLength: 31, prefixType: 'network', ...fromClaim('kubenet.default.192.168.0.0-16') }), { prefix: '192.168.0.0/31' });
    assert.deepEqual(await make('link1.a', fromClaim('link1')), { address: '192.168.0.0/31' });
    assert.deepEqual(await make('link1.b', fromClaim('link1')), { address: '192.168.0.1/31' });
    await rejected(env.create(claim('link1.c', fromClaim('link1'))), 403, /^IPClaim default\/link1.c cannot be allocated: no free address in 192.168.0.0\/31$/);

    assert.deepEqual(await make('gw', { address: '192.168.1.1', defaultGateway: true }), { address: '192.168.1.1/24', defaultGateway: '192.168.1.1' });
    assert.deepEqual(await make('range1', { range: '192.168.1.100-192.168.1.102' }), { range: '192.168.1.100-192.168.1.102' });
    // kuid's best fit: the smallest free block that holds an address — the hole at .103 next to the range.
    assert.deepEqual(await make('host1', fromClaim('net1')), { address: '192.168.1.103/24', defaultGateway: '192.168.1.1' });
    assert.deepEqual(await make('idx5', { idx: 5, ...fromClaim('net1') }), { address: '192.168.1.5/24', defaultGateway: '192.168.1.1' });
    assert.deepEqual(await make('fromrange', fromClaim('range1')), { address: '192.168.1.100/32' });
    await rejected(env.create(claim('taken', { address: '192.168.1.5/24' })), 403, /address 192.168.1.5 is already claimed by idx5/);
    // A network's first and last address are reserved (kuid adds them as routes of the network claim).
    await rejected(env.create(claim('first', { address: '192.168.1.0/24' })), 403, /address 192.168.1.0 is reserved: the first address of network 192.168.1.0\/24/);
    await rejected(env.create(claim('last', { address: '192.168.1.255/24' })), 403, /address 192.168.1.255 is reserved: the last address of network 192.168.1.0\/24/);
    assert.deepEqual(result(await get('gw')), { address: '192.168.1.1/24', defaultGateway: '192.168.1.1' });
    // kuid's static address rules: /32 not in a network, a prefix length only in a network.
    await rejected(env.create(claim('slash32', { address: '192.168.1.9/32' })), 422, /a \/32 address is not possible in network 192.168.1.0\/24/);
    await rejected(env.create(claim('slash24', { address: '10.0.0.9/24' })), 422, /an address with a prefix length is only possible in a network; its parent 10.0.0.0\/24 is of type pool/);
    assert.deepEqual(await make('plain32', { address: '10.0.0.9/32' }), { address: '10.0.0.9/32' });

    await env.settle();
    // Entries named as kuid's GetIPEntry names them: <namespace>.<index>.<subnet>, <namespace>.<index>.<range>.<subnet> in a range.
    const entries = await env.list(kuid.ipam, 'IPEntry');
    const byName = new Map(entries.map((e) => [e.metadata.name!, e]));
    const names = [...byName.keys()].sort();
    for (const n of [
      'default.kubenet.default.10.0.0.0-24',
      'default.kubenet.default.1000---32',
      'default.kubenet.default.pool.10.0.0.0-24',
      'default.kubenet.default.1000---128',
      'default.kubenet.default.192.168.1.0-24',
      'default.kubenet.default.192.168.1.0-32',
      'default.kubenet.default.192.168.1.255-32',
      'default.kubenet.default.range1.192.168.1.100-32',
      // The range as its CIDR blocks (netipx): .100/31 and .102/32.
      'default.kubenet.default.192.168.1.100-31',
      'default.kubenet.default.192.168.1.102-32',
    ])
      assert.ok(byName.has(n), `${n} not in ${names.join(' ')}`);
    const agg = byName.get('default.kubenet.default.10.0.0.0-24')!;
    assert.deepEqual([agg.metadata.ownerReferences?.[0]?.kind, agg.metadata.ownerReferences?.[0]?.name, (agg.spec as Record<string, unknown>).indexEntry, (agg.spec as Record<string, unknown>).prefixType], ['IPClaim', 'kubenet.default.10.0.0.0-24', true, 'aggregate']);
    // An address's Entry records its route (/32), its status the address in its network (/24).
    assert.equal((byName.get('default.kubenet.default.192.168.1.103-32')?.spec as Record<string, unknown>).prefix, '192.168.1.103/32');
    const lo = byName.get('default.kubenet.default.10.0.0.0-32')!;
    assert.deepEqual([lo.metadata.ownerReferences?.[0]?.name, (lo.spec as Record<string, unknown>).claimType, (lo.spec as Record<string, unknown>).prefix], ['node1.ipv4', 'dynamicAddress', '10.0.0.0/32']);

    // A released address is handed out again at once.
    await env.del(kuid.ipam, 'IPClaim', 'node1.ipv4');
    assert.deepEqual(await make('node3.ipv4', loopback('ipv4')), { address: '10.0.0.0/32' });
  } finally {
    await env.close();
  }
});

test('IPAM: the index prefixType is honoured; network prefixes of both families; exhaustion, release; IPv6 dynamic prefixes; invalid claims', async () => {
  const env = await openEnv();
  const make = async (n: string, spec: Record<string, unknown>) => result(await env.create(claim(n, spec)));
  try {
    await env.create(
      obj(kuid.ipam, 'IPIndex', 'kubenet.default', {
        prefixes: [
          { prefix: '172.16.0.0/30', prefixType: 'network', labels: { kind: 'p2p' } },
          { prefix: '172.16.1.0/31', prefixType: 'network', labels: { kind: 'p2p31' } },
          { prefix: '2001:db8:1::/64', prefixType: 'network', labels: { kind: 'v6net' } },
          { prefix: '2001:db8:2::/127', prefixType: 'network', labels: { kind: 'v6p2p' } },
          { prefix: '2001:db8::/48' },
        ],
      }),
    );
    const sel = (kind: string) => ({ selector: { matchLabels: { kind } } });
    // A network index prefix: first and last reserved, addresses carry its length.
    assert.deepEqual(await make('a', sel('p2p')), { address: '172.16.0.1/30' });
    assert.deepEqual(await make('b', sel('p2p')), { address: '172.16.0.2/30' });
    await rejected(env.create(claim('c', sel('p2p'))), 403, /no free address in 172.16.0.0\/30/);
    await env.del(kuid.ipam, 'IPClaim', 'a');
    assert.deepEqual(await make('c', sel('p2p')), { address: '172.16.0.1/30' });
    // /31 and /127: both addresses.
    assert.deepEqual([(await make('p1', sel('p2p31'))).address, (await make('p2', sel('p2p31'))).address], ['172.16.1.0/31', '172.16.1.1/31']);
    assert.deepEqual([(await make('q1', sel('v6p2p'))).address, (await make('q2', sel('v6p2p'))).address], ['2001:db8:2::/127', '2001:db8:2::1/127']);
    // An IPv6 network reserves its first address too.
    assert.deepEqual(await make('h1', sel('v6net')), { address: '2001:db8:1::1/64' });
    assert.equal(((await env.get(kuid.ipam, 'IPClaim', 'kubenet.default.172.16.0.0-30'))?.spec as { prefixType?: string }).prefixType, 'network');

    assert.deepEqual(await make('v6idx', { createPrefix: true, prefixLength: 56, addressFamily: 'ipv6', idx: 3 }), { prefix: '2001:db8:0:300::/56' });
    // Best fit again: with 0:300::/56 taken, the smallest free block holding a /64 is 0:200::/56.
    assert.deepEqual([(await make('v6a', { createPrefix: true, prefixLength: 64, addressFamily: 'ipv6' })).prefix, (await make('v6b', { createPrefix: true, prefixLength: 64, addressFamily: 'ipv6' })).prefix], ['2001:db8:0:200::/64', '2001:db8:0:201::/64']);
    await rejected(env.create(claim('nolen', { createPrefix: true })), 422, /^IPClaim.ipam.be.kuid.dev "nolen" is invalid: spec.prefixLength is required when createPrefix is set$/);
    await rejected(env.create(claim('notnet', { prefix: '2001:db8::1/64' })), 422, /spec.prefix: 2001:db8::1\/64 is not a network address; the prefix is 2001:db8::\/64/);
    await rejected(env.create(claim('outside', { address: '10.9.9.9' })), 403, /address 10.9.9.9 is not within any prefix of index kubenet.default/);
    await rejected(env.create(claim('notnet2', { prefix: '2001:db8:5::1/64', prefixType: 'pool' })), 422, /needs prefixType network/);

    // kuid: a network prefix written as an address in it holds the network and that address (the gateway here).
    const lan = await env.create(claim('lan', { prefix: '2001:db8:0:7::1/64', prefixType: 'network', defaultGateway: true }));
    assert.deepEqual(result(lan), { prefix: '2001:db8:0:7::1/64', defaultGateway: '2001:db8:0:7::1' });
    assert.deepEqual(await make('lanhost', fromClaim('lan')), { address: '2001:db8:0:7::2/64', defaultGateway: '2001:db8:0:7::1' });
    await rejected(env.create(claim('lanclash', { address: '2001:db8:0:7::1' })), 403, /address 2001:db8:0:7::1 is already claimed by lan/);
    await env.settle();
    const lanEntries = (await env.list(kuid.ipam, 'IPEntry')).filter((e) => e.metadata.labels?.['be.kuid.dev/claim-name'] === 'lan').map((e) => [e.metadata.name, (e.spec as Record<string, unknown>).defaultGateway ?? false]);
    // The network, its reserved first address, and its own address (the gateway).
    assert.deepEqual(Object.fromEntries(lanEntries), {
      'default.kubenet.default.2001-db8-0-7--1-128': true,
      'default.kubenet.default.2001-db8-0-7---128': false,
      'default.kubenet.default.2001-db8-0-7---64': false,
    });

    // Removing a prefix from the index removes its index claim.
    const idx = (await env.get(kuid.ipam, 'IPIndex', 'kubenet.default'))!;
    const prefixes = (idx.spec as { prefixes: Array<{ prefix: string }> }).prefixes.filter((p) => p.prefix !== '2001:db8::/48');
    await env.engine.manager.client.update({ ...idx, spec: { prefixes } });
    await env.settle();
    assert.equal(await env.get(kuid.ipam, 'IPClaim', 'kubenet.default.2001-db8---48'), undefined);
  } finally {
    await env.close();
  }
});

test("IPAM: addresses come in kuid's order (its FromNetwork, FromPool and FromAggregate tests)", async () => {
  const env = await openEnv();
  const make = async (n: string, spec: Record<string, unknown>) => result(await env.create(claim(n, spec)));
  try {
    await env.create(obj(kuid.ipam, 'IPIndex', 'kubenet.default', { prefixes: [{ prefix: '10.0.0.0/8' }] }));
    await make('network1', { prefix: '10.0.0.0/24', prefixType: 'network' });
    await make('pool1', { prefix: '10.0.1.0/24', prefixType: 'pool' });
    const net: unknown[] = [];
    const pool: unknown[] = [];
    for (let i = 1; i <= 5; i++) {
      net.push((await make(`a${i}`, fromClaim('network1'))).address);
      pool.push((await make(`p${i}`, fromClaim('pool1'))).address);
    }
    assert.deepEqual(net, ['10.0.0.1/24', '10.0.0.254/24', '10.0.0.2/24', '10.0.0.3/24', '10.0.0.252/24']);
    assert.deepEqual(pool, ['10.0.1.0/32', '10.0.1.1/32', '10.0.1.2/32', '10.0.1.3/32', '10.0.1.4/32']);
    // From the aggregate itself: its first address (kuid's FromAggregate).
    assert.deepEqual(await make('agg', {}), { address: '10.0.2.0/32' });
  } finally {
    await env.close();
  }
});
