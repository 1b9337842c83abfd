// Target parsing: CIDRs and ranges as intervals, exclusions, host:port, IPv6, @file lists, and
// errors that name the bad word and where it came from.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { hostCount, intToIpv4, parsePorts, parseTargets, probeCount, probePairs, DEFAULT_PORTS } from '../../src/probe/targets.js';

test('a /16 minus exclusions stays a few intervals', () => {
  const t = parseTargets(['127.77.0.0/16', '!127.77.1.0/24'], ['127.77.255.255']);
  assert.deepEqual(t.v4.map(([a, b]) => [intToIpv4(a), intToIpv4(b)]), [
    ['127.77.0.0', '127.77.0.255'],
    ['127.77.2.0', '127.77.255.254'],
  ]);
  assert.equal(hostCount(t), 65536 - 256 - 1);
  assert.equal(probeCount(t, DEFAULT_PORTS), (65536 - 257) * DEFAULT_PORTS.length);
});

test('overlapping CIDRs and ranges merge; a CIDR is aligned to its prefix', () => {
  const t = parseTargets(['10.0.0.5/30', '10.0.0.6-10.0.0.9', '10.0.0.9']);
  assert.deepEqual(t.v4.map(([a, b]) => [intToIpv4(a), intToIpv4(b)]), [['10.0.0.4', '10.0.0.9']]);
});

test('host:port, [v6]:port, URLs and bare IPv6 addresses', () => {
  const t = parseTargets(['node-1.example:10250', '[fd00::1]:6443', 'https://10.1.2.3:6443', '::1', 'fd00::/126']);
  assert.deepEqual(t.explicit, [
    { host: 'node-1.example', port: 10250 },
    { host: 'fd00::1', port: 6443 },
    { host: '10.1.2.3', port: 6443 },
  ]);
  assert.deepEqual(t.others, ['::1', 'fd00::', 'fd00::1', 'fd00::2', 'fd00::3']);
  const pairs = [...probePairs(t, [443])];
  assert.equal(pairs.length, 5 + 3);
});

test('a pair covered by a range is probed once', () => {
  const t = parseTargets(['127.0.0.0/30', '127.0.0.1:10250', '127.0.0.1:9999', '127.0.0.1:9999', '::1', '[::1]:10250']);
  const pairs = [...probePairs(t, [10250])].map((p) => `${p.host}:${p.port}`);
  assert.equal(new Set(pairs).size, pairs.length);
  assert.deepEqual(pairs.filter((p) => p.startsWith('127.0.0.1:')), ['127.0.0.1:10250', '127.0.0.1:9999']);
  assert.equal(probeCount(t, [10250]), pairs.length);
  assert.equal(hostCount(t), 5);
});

test('@file lists with comments, and errors that name the file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-targets-'));
  const file = join(dir, 'hosts.txt');
  writeFileSync(file, '# lab\n127.0.0.1  127.0.0.2 # two\n\n127.0.0.8/30\n');
  assert.equal(hostCount(parseTargets([`@${file}`])), 6);
  writeFileSync(file, '127.0.0.1\n300.1.1.1/8\n');
  assert.throws(() => parseTargets([`@${file}`]), (e: Error) => e.message.includes(`${file}:2`) && e.message.includes('300.1.1.1/8'));
  assert.throws(() => parseTargets(['@/nonexistent/kubemoat-targets']), /cannot read target list/);
});

test('bad words are refused with the word in the message', () => {
  assert.throws(() => parseTargets(['10.0.0.0/33']), /10\.0\.0\.0\/33/);
  assert.throws(() => parseTargets(['fd00::/64']), /more than 65536 IPv6 addresses/);
  assert.throws(() => parseTargets(['host:99999']), /port outside/);
  assert.throws(() => parseTargets(['not a host']), /not an address/);
});

test('ports: lists, ranges, and + to add to the defaults', () => {
  assert.deepEqual(parsePorts('10250,6443,2379-2380'), [2379, 2380, 6443, 10250]);
  assert.equal(parsePorts('+30000-30002').length, DEFAULT_PORTS.length + 3);
  assert.throws(() => parsePorts('0'), /outside/);
  assert.throws(() => parsePorts('ssh'), /not a port/);
});

test('the CLI: bad targets and bad flags exit 2 with the bad word named, before any packet is sent', () => {
  const bad = runCli(['probe', '127.0.0.1', '10.0.0.0/33']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /target: "10\.0\.0\.0\/33" has a prefix longer than 32/);
  assert.equal(runCli(['probe']).status, 2);
  const excluded = runCli(['probe', '--exclude', '127.0.0.0/30,127.0.0.9', '127.0.0.1', '127.0.0.9']);
  assert.equal(excluded.status, 2);
  assert.match(excluded.stderr, /every target is excluded/);
  const ports = runCli(['probe', '127.0.0.1', '--ports', '70000']);
  assert.equal(ports.status, 2);
  assert.match(ports.stderr, /--ports: "70000" is outside 1-65535/);
  assert.match(runCli(['probe', '127.0.0.1', '--timeout', 'soon']).stderr, /--timeout <duration>' argument 'soon' is invalid/);
});
