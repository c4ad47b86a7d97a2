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
  assert.equal(getSubnetName('2001:db8:0:0:1::5/64'), '2001:db8::-64');
  assert.equal(getAddress('::ffff:10.0.0.1/128'), '::ffff:10.0.0.1');
  assert.equal(getAddress('1:0:0:2:0:0:0:3/128'), '1:0:0:2::3');
  assert.equal(isIPv6('::/0'), true);
});

test('invalid prefixes are rejected with the input named', () => {
  assert.throws(() => getAddress('10.0.0.1'), /10\.0\.0\.1.*no '\/'/);
  assert.throws(() => getAddress('10.0.0.256/24'), /invalid IP address/);
  assert.throws(() => getAddress('10.0.0.1/33'), /bad bits/);
  assert.throws(() => getAddress('1::2::3/64'), /invalid IP address/);
});
