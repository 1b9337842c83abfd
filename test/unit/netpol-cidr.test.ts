import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockCoversIp, cidrContainsCidr, cidrContainsIp, formatIp, isWholeFamily, parseCidr, parseIp } from '../../src/inventory/netpol-cidr.js';

function ip(s: string) {
  const v = parseIp(s);
  assert.ok(v, `parses ${s}`);
  return v;
}
function cidr(s: string) {
  const v = parseCidr(s);
  assert.ok(v, `parses ${s}`);
  return v;
}

test('IPv4 addresses and blocks', () => {
  assert.equal(ip('169.254.169.254').value, 0xa9fea9fen);
  assert.ok(cidrContainsIp(cidr('169.254.0.0/16'), ip('169.254.169.254')));
  assert.ok(!cidrContainsIp(cidr('169.254.0.0/17'), ip('169.254.169.254')));
  assert.ok(cidrContainsIp(cidr('0.0.0.0/0'), ip('8.8.8.8')));
  assert.ok(cidrContainsIp(cidr('10.1.2.3'), ip('10.1.2.3')), 'a bare address is a /32');
  assert.equal(cidr('10.1.2.3/8').base, ip('10.0.0.0').value, 'host bits are cleared');
  for (const bad of ['10.0.0.256/8', '10.0.0/8', '10.0.0.0/33', '10.0.0.0/-1', 'a.b.c.d/8', '', '10.0.0.0/8/8']) assert.equal(parseCidr(bad), undefined, bad);
});

test('IPv6 addresses, compression and embedded IPv4', () => {
  assert.equal(ip('::').value, 0n);
  assert.equal(ip('::1').value, 1n);
  assert.equal(ip('fd00:ec2::254').value, (0xfd00n << 112n) | (0xec2n << 96n) | 0x254n);
  assert.equal(ip('::ffff:10.0.0.1').value, (0xffffn << 32n) | 0x0a000001n);
  assert.equal(ip('2001:db8:0:0:0:0:0:1').value, ip('2001:db8::1').value);
  assert.equal(formatIp(ip('2001:db8:0:0:0:0:0:1')), '2001:db8::1');
  assert.equal(formatIp(ip('fd00:ec2::254')), 'fd00:ec2::254');
  assert.equal(formatIp(ip('10.0.0.1')), '10.0.0.1');
  for (const bad of ['1::2::3', '12345::', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', ':::']) assert.equal(parseIp(bad), undefined, bad);
  assert.ok(cidrContainsIp(cidr('fd00::/8'), ip('fd00:ec2::254')));
  assert.ok(!cidrContainsIp(cidr('fd00::/8'), ip('169.254.169.254')), 'families never mix');
  assert.ok(isWholeFamily(cidr('::/0')));
});

test('ipBlock with except', () => {
  const world = cidr('0.0.0.0/0');
  assert.ok(blockCoversIp(world, [cidr('10.0.0.0/8')], ip('169.254.169.254')));
  assert.ok(!blockCoversIp(world, [cidr('169.254.169.254/32')], ip('169.254.169.254')));
  assert.ok(!blockCoversIp(world, [cidr('169.254.0.0/16')], ip('169.254.169.254')));
  assert.ok(blockCoversIp(world, [cidr('169.254.169.255/32')], ip('169.254.169.254')));
  assert.ok(!blockCoversIp(cidr('::/0'), [cidr('fd00:ec2::254/128')], ip('fd00:ec2::254')));
  assert.ok(cidrContainsCidr(cidr('10.0.0.0/8'), cidr('10.20.0.0/16')));
  assert.ok(!cidrContainsCidr(cidr('10.20.0.0/16'), cidr('10.0.0.0/8')));
});
