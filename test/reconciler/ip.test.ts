import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAddress, getPrefixLength, getSubnetName, isIPv4, isIPv6 } from '../../src/reconciler/ip.js';

test('IPv4 prefixes: address, length, subnet name as the original choreo prints them', () => {
  assert.equal(getAddress('10.0.0.1/24'), '10.0.0.1');
  assert.equal(getPrefixLength('10.0.0.1/24'), 24);
  assert.equal(getSubnetName('10.0.0.77/24'), '10.0.0.0-24');
  assert.equal(getSubnetName('192.168.255.255/17'), '192.168.128.0-17');
  assert.equal(isIPv4('10.0.0.1/32'), true);
  assert.equal(isIPv6('10.0.0.1/32'), false);
});

test('IPv6 prefixes print in canonical RFC 5952 form', () => {
  assert.equal(getAddress('2001:0DB8:0000:0000:0000:0000:0000:0001/64'), '2001:db8::1');
  assert.equal(getSubnetName('2001:db8:0:0:1::5/64'), '2001-db8---64');
  assert.equal(getAddress('::ffff:10.0.0.1/128'), '::ffff:10.0.0.1');
  assert.equal(getAddress('1:0:0:2:0:0:0:3/128'), '1:0:0:2::3');
  assert.equal(isIPv6('::/0'), true);
});

test('a bare address is a /32 or /128 (iputil.New); subnet names have no colons', () => {
  assert.equal(getPrefixLength('10.0.0.1'), 32);
  assert.equal(getPrefixLength('2001:db8::1'), 128);
  assert.equal(getSubnetName('1000::/64'), '1000---64');
  assert.equal(getSubnetName('2001:db8::7'), '2001-db8--7-128');
  assert.equal(getAddress('fe80::1%eth0'), 'fe80::1', 'the zone of a bare address is dropped');
});

test('invalid input is rejected with netip\'s wording and the input named', () => {
  assert.throws(() => getAddress('10.0.0.256/24'), /^Error: netip\.ParsePrefix\("10\.0\.0\.256\/24"\): ParseAddr\("10\.0\.0\.256"\): unable to parse IP$/);
  assert.throws(() => getAddress('10.0.0.1/33'), /prefix length out of range/);
  assert.throws(() => getAddress('10.0.0.1/024'), /bad bits after slash: "024"/);
  assert.throws(() => getAddress('1::2::3/64'), /unable to parse IP/);
  assert.throws(() => getAddress('fe80::1%eth0/64'), /IPv6 zones cannot be present in a prefix/);
  assert.throws(() => getAddress(' 10.0.0.1'), /^Error: ParseAddr\(" 10\.0\.0\.1"\): unable to parse IP$/);
});
