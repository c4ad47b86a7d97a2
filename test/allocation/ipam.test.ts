// IPAM through the real engine: index aggregates (IPv4 + IPv6), a pool claimed
// over a whole aggregate (the choreo examples' shape), label-selected dynamic
// addresses, static prefixes / addresses / ranges, idx, default gateway,
// dynamic prefixes, conflicts, exhaustion and release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/object.js';
import { kuid, obj, openEnv, ready, statusOf } from './helpers.js';

const claim = (name: string, spec: Record<string, unknown>): KObject => obj(kuid.ipam, 'IPClaim', name, { index: 'kubenet.default', ...spec });
const loopback = (af: string) => ({ selector: { matchLabels: { 'infra.kuid.dev/purpose': 'loopback', 'ipam.be.kuid.dev/address-family': af } } });
const result = (o: KObject | undefined) => {
  const { conditions: _c, ...rest } = statusOf(o);
  return rest;
};

test('IPAM: loopbacks per node and family, networks with gateway, ranges and idx', async () => {
  const env = await openEnv();
  const get = (n: string) => env.get(kuid.ipam, 'IPClaim', n);
  try {
    await env.create(
      obj(kuid.ipam, 'IPIndex', 'kubenet.default', {
        prefixes: [
          { prefix: '10.0.0.0/24', labels: { 'infra.kuid.dev/purpose': 'loopback' } },
          { prefix: '1000::/32', labels: { 'infra.kuid.dev/purpose': 'loopback' } },
          { prefix: '192.168.0.0/16', labels: { 'infra.kuid.dev/purpose': 'links' } },
        ],
      }),
    );
    await env.create(claim('pool', { prefixType: 'pool', prefix: '10.0.0.0/24', prefixLength: 24, createPrefix: true, labels: { 'infra.kuid.dev/purpose': 'pool' } }));
    await env.create(claim('net1', { prefix: '192.168.1.0/24', prefixType: 'network' }));
    await env.settle();
    for (const n of ['node1', 'node2']) for (const af of ['ipv4', 'ipv6']) await env.create(claim(`${n}.${af}`, loopback(af)));
    await env.create(claim('link1', { createPrefix: true, prefixLength: 31, prefixType: 'network', selector: { matchLabels: { 'infra.kuid.dev/purpose': 'links' } } }));
    await env.create(claim('gw', { address: '192.168.1.1', defaultGateway: true }));
    await env.create(claim('range1', { range: '192.168.1.100-192.168.1.102' }));
    await env.settle();
    await env.create(claim('host1', { selector: { matchLabels: { 'be.kuid.dev/claim-name': 'net1' } } }));
    await env.create(claim('idx5', { idx: 5, selector: { matchLabels: { 'be.kuid.dev/claim-name': 'net1' } } }));
    await env.create(claim('fromrange', { selector: { matchLabels: { 'be.kuid.dev/claim-name': 'range1' } } }));
    await env.create(claim('taken', { address: '192.168.1.5/24' }));
    await env.settle();

    assert.deepEqual(result(await get('node1.ipv4')), { address: '10.0.0.1/32' });
    assert.deepEqual(result(await get('node2.ipv4')), { address: '10.0.0.2/32' });
    assert.deepEqual(result(await get('node1.ipv6')), { address: '1000::1/128' });
    assert.deepEqual(result(await get('node2.ipv6')), { address: '1000::2/128' });
    assert.deepEqual(result(await get('pool')), { prefix: '10.0.0.0/24' });
    assert.deepEqual(result(await get('link1')), { prefix: '192.168.0.0/31' });
    assert.deepEqual(result(await get('gw')), { address: '192.168.1.1/24', defaultGateway: '192.168.1.1' });
    assert.deepEqual(result(await get('host1')), { address: '192.168.1.2/24', defaultGateway: '192.168.1.1' });
    assert.deepEqual(result(await get('idx5')), { address: '192.168.1.5/24', defaultGateway: '192.168.1.1' });
    assert.deepEqual(result(await get('range1')), { range: '192.168.1.100-192.168.1.102' });
    assert.deepEqual(result(await get('fromrange')), { address: '192.168.1.100/32' });
    assert.deepEqual(ready(await get('taken')), { status: 'False', reason: 'Conflict', message: 'address 192.168.1.5 is already claimed by idx5' });

    const index = await env.get(kuid.ipam, 'IPIndex', 'kubenet.default');
    assert.equal(ready(index).status, 'True');
    const entries = await env.list(kuid.ipam, 'IPEntry');
    const names = entries.map((e) => e.metadata.name).sort();
    assert.ok(names.includes('kubenet.default.index.1000---32'), names.join(' '));
    assert.ok(names.includes('kubenet.default.1000--1-128'), names.join(' '));
    const agg = entries.find((e) => e.metadata.name === 'kubenet.default.index.10.0.0.0-24')!;
    assert.deepEqual([agg.metadata.ownerReferences?.[0]?.kind, (agg.spec as Record<string, unknown>).indexEntry, (agg.spec as Record<string, unknown>).prefixType], ['IPIndex', true, 'aggregate']);
    const lo = entries.find((e) => e.metadata.name === 'kubenet.default.10.0.0.1-32')!;
    assert.deepEqual([lo.metadata.ownerReferences?.[0]?.name, (lo.spec as Record<string, unknown>).claimType, (lo.spec as Record<string, unknown>).prefix], ['node1.ipv4', 'dynamicAddress', '10.0.0.1/32']);

    // A prefix with children cannot go away under them; a leaf can.
    await env.del(kuid.ipam, 'IPClaim', 'node1.ipv4');
    await env.create(claim('node3.ipv4', loopback('ipv4')));
    await env.settle();
    assert.deepEqual(result(await get('node3.ipv4')), { address: '10.0.0.1/32' });
  } finally {
    await env.close();
  }
});

test('IPAM: a /30 network runs out, a release lets the waiting claim in; IPv6 dynamic prefixes', async () => {
  const env = await openEnv();
  const get = (n: string) => env.get(kuid.ipam, 'IPClaim', n);
  try {
    await env.create(obj(kuid.ipam, 'IPIndex', 'kubenet.default', { prefixes: [{ prefix: '172.16.0.0/30', labels: { kind: 'p2p' } }, { prefix: '2001:db8::/48' }] }));
    await env.create(claim('p2p', { prefix: '172.16.0.0/30', prefixType: 'network' }));
    await env.settle();
    const sel = { selector: { matchLabels: { 'be.kuid.dev/claim-name': 'p2p' } } };
    for (const n of ['a', 'b', 'c']) {
      await env.create(claim(n, sel));
      await env.settle();
    }
    assert.deepEqual([result(await get('a')).address, result(await get('b')).address], ['172.16.0.1/30', '172.16.0.2/30']);
    assert.deepEqual([ready(await get('c')).status, ready(await get('c')).reason], ['False', 'Exhausted']);
    await env.del(kuid.ipam, 'IPClaim', 'a');
    await env.settle();
    assert.deepEqual(result(await get('c')), { address: '172.16.0.1/30' });

    await env.create(claim('v6a', { createPrefix: true, prefixLength: 64, addressFamily: 'ipv6' }));
    await env.create(claim('v6b', { createPrefix: true, prefixLength: 64, addressFamily: 'ipv6' }));
    await env.create(claim('v6idx', { createPrefix: true, prefixLength: 56, addressFamily: 'ipv6', idx: 3 }));
    await env.create(claim('nolen', { createPrefix: true }));
    await env.create(claim('notnet', { prefix: '2001:db8::1/64' }));
    await env.settle();
    assert.deepEqual(result(await get('v6idx')), { prefix: '2001:db8:0:300::/56' });
    assert.deepEqual([result(await get('v6a')).prefix, result(await get('v6b')).prefix], ['2001:db8::/64', '2001:db8:0:1::/64']);
    assert.equal(ready(await get('nolen')).message, 'spec.prefixLength is required when createPrefix is set');
    assert.equal(ready(await get('notnet')).message, 'spec.prefix: 2001:db8::1/64 is not a network address; the prefix is 2001:db8::/64');
  } finally {
    await env.close();
  }
});
