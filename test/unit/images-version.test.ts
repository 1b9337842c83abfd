// Version orders per ecosystem. The Debian order is checked against dpkg itself on thousands of
// generated pairs; the others against cases from their specifications.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareDpkg, parseDpkgVersion } from '../../src/images/version/dpkg.js';
import { compareApk, isApkVersion } from '../../src/images/version/apk.js';
import { compareSemver } from '../../src/images/version/semver.js';
import { comparePep440 } from '../../src/images/version/pep440.js';
import { compareMaven } from '../../src/images/version/maven.js';
import { compareRpm, compareRpmAdvisory, parseRpmVersion, rpmvercmp } from '../../src/images/version/rpm.js';
import { versionOrderOf } from '../../src/images/version/index.js';
import { seededRandom } from '../helpers/random.js';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Assert that each list is in strictly ascending order under cmp, and that cmp is antisymmetric on it. */
function assertAscending(cmp: (a: string, b: string) => number, versions: string[]): void {
  for (let i = 0; i < versions.length; i++) {
    for (let j = 0; j < versions.length; j++) {
      const want = sign(i - j);
      assert.equal(sign(cmp(versions[i], versions[j])), want, `${versions[i]} vs ${versions[j]}: want ${want}`);
    }
  }
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function randomPart(r: () => number, first: boolean, chars: readonly string[]): string {
  let s = first ? pick(r, ['0', '1', '2', '9', '10', '00', '01']) : '';
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += pick(r, chars);
  return s;
}

const UPSTREAM_CHARS = ['0', '1', '2', '5', '9', '10', '.', '.', '~', '+', 'a', 'b', 'z', 'A', 'Z', '-', '~rc1', '+dfsg', '.0', '00'];
const REVISION_CHARS = ['0', '1', '2', '9', '.', '~', '+', 'a', 'deb12u', 'ubuntu', '~bpo', '+b1'];

function randomDebianVersion(r: () => number): string {
  const epoch = r() < 0.2 ? `${pick(r, ['0', '1', '2', '10'])}:` : '';
  let upstream = randomPart(r, true, UPSTREAM_CHARS);
  const hasRevision = r() < 0.7 || upstream.includes('-');
  // an upstream with a hyphen needs a revision, or dpkg would read the hyphen as the separator
  const revision = hasRevision ? `-${randomPart(r, true, REVISION_CHARS)}` : '';
  if (!epoch && upstream.includes(':')) upstream = upstream.replace(/:/g, '.');
  return `${epoch}${upstream}${revision}`;
}

/** Small edits of a version, so that many pairs are close (the hard cases). */
function mutate(r: () => number, v: string): string {
  const edits = [
    (s: string) => s + '~',
    (s: string) => s + '+b1',
    (s: string) => s + '.0',
    (s: string) => s + 'a',
    (s: string) => s.replace(/~/, ''),
    (s: string) => s.replace(/(\d+)$/, (d) => String(Number(d) + 1)),
    (s: string) => s.replace(/^(\d+:)?/, (e) => (e ? '' : '0:')),
    (s: string) => s.replace(/\d/, '0$&'),
    (s: string) => (s.includes('-') ? s : `${s}-0`),
    (s: string) => s,
  ];
  return pick(r, edits)(v);
}

const haveDpkg = existsSync('/usr/bin/dpkg');

test('Debian versions: the same order as `dpkg --compare-versions` on thousands of generated pairs', { skip: !haveDpkg && 'dpkg is not installed' }, () => {
  const r = seededRandom(20261123);
  const pairs: [string, string][] = [];
  while (pairs.length < 3000) {
    const a = randomDebianVersion(r);
    const b = r() < 0.5 ? mutate(r, a) : randomDebianVersion(r);
    if (parseDpkgVersion(a) && parseDpkgVersion(b)) pairs.push([a, b]);
  }
  // One shell runs dpkg for every pair (a process per pair from node would take minutes).
  const dir = mkdtempSync(join(tmpdir(), 'km-dpkg-'));
  const file = join(dir, 'pairs');
  writeFileSync(file, pairs.map(([a, b]) => `${a} ${b}`).join('\n') + '\n');
  const script = `while read -r a b; do if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo -1; elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0; else echo 1; fi; done < "$1"`;
  const out = execFileSync('bash', ['-c', script, 'x', file], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').map(Number);
  assert.equal(out.length, pairs.length);
  const disagreements = pairs.map((p, i) => ({ p, dpkg: out[i], ours: sign(compareDpkg(p[0], p[1])) })).filter((d) => d.dpkg !== d.ours);
  assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} of ${pairs.length} pairs ordered differently from dpkg`);
  // the generator must produce each outcome often enough to mean something
  for (const outcome of [-1, 0, 1]) assert.ok(out.filter((o) => o === outcome).length > 100, `outcome ${outcome} too rare`);
});

test('Debian versions: epochs, tildes, backport suffixes', () => {
  assertAscending(compareDpkg, ['1.0~rc1', '1.0', '1.0-1', '1.0-1+b1', '1.0a', '1.0+dfsg', '1.0.1', '1:0.1']);
  assertAscending(compareDpkg, ['2.36-9', '2.36-9+deb12u1', '2.36-9+deb12u3', '2.36-9+deb12u10', '2.36-10']);
  assertAscending(compareDpkg, ['1.2.3-1~bpo11+1', '1.2.3-1']);
  assert.equal(compareDpkg('1.0', '1.0-0'), 0);
  assert.equal(compareDpkg('0:1.0', '1.0'), 0);
  assert.equal(compareDpkg('1.01', '1.1'), 0);
  assert.equal(parseDpkgVersion('a:1.0'), undefined);
  assert.equal(parseDpkgVersion(''), undefined);
});

const RPM_CHARS = ['0', '1', '2', '9', '10', '007', '.', '.', '_', '+', '~', '^', 'a', 'b', 'Z', 'rc', 'git', '~rc1', '^20240101', '.el9', '.el9_2', '.fc39', '.module+el9.2.0+1+abc', '%', '..'];

function randomRpmPart(r: () => number): string {
  let s = pick(r, ['0', '1', '2', '9', '10', '01', 'a', '', '~', '^']);
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += pick(r, RPM_CHARS);
  return s === '' ? '1' : s;
}

function randomRpmVersion(r: () => number): string {
  const epoch = r() < 0.3 ? `${pick(r, ['0', '1', '2', '10', '01', ''])}:` : '';
  const release = r() < 0.7 ? `-${randomRpmPart(r)}` : '';
  return `${epoch}${randomRpmPart(r)}${release}`;
}

function mutateRpm(r: () => number, v: string): string {
  const edits = [
    (s: string) => s + '~',
    (s: string) => s + '^',
    (s: string) => s + '^1',
    (s: string) => s + '.1',
    (s: string) => s + 'a',
    (s: string) => s + '.',
    (s: string) => s.replace(/~/, ''),
    (s: string) => s.replace(/\^/, '~'),
    (s: string) => s.replace(/(\d+)$/, (d) => String(Number(d) + 1)),
    (s: string) => s.replace(/^(\d*:)?/, (e) => (e ? '' : '0:')),
    (s: string) => s.replace(/\d/, '0$&'),
    (s: string) => s.replace(/\./, '_'),
    (s: string) => (s.includes('-') ? s.replace(/-[^-]*$/, '') : `${s}-1`),
    (s: string) => s,
  ];
  return pick(r, edits)(v);
}

function rpmAvailable(): boolean {
  try {
    return execFileSync('rpm', ['--eval', '%{lua:print(rpm.vercmp("1","2"))}'], { encoding: 'utf8' }).trim() === '-1';
  } catch {
    return false;
  }
}

test('rpm versions: the same order as rpm itself (rpm.vercmp) on thousands of generated pairs', { skip: !rpmAvailable() && 'rpm is not installed (npm run setup installs it)' }, () => {
  const r = seededRandom(20261124);
  const pairs: [string, string][] = [];
  while (pairs.length < 4000) {
    const a = randomRpmVersion(r);
    const b = r() < 0.6 ? mutateRpm(r, a) : randomRpmVersion(r);
    if (b !== '') pairs.push([a, b]);
  }
  // One rpm process compares every pair through rpm's own Lua binding.
  const dir = mkdtempSync(join(tmpdir(), 'km-rpm-'));
  const file = join(dir, 'pairs');
  writeFileSync(file, pairs.map(([a, b]) => `${a} ${b}`).join('\n') + '\n');
  const lua = `%{lua: for l in io.lines("${file}") do local a, b = l:match("^(%S+) (%S+)$"); print(rpm.vercmp(a, b) .. "\\n") end}`;
  const out = execFileSync('rpm', ['--eval', lua], { encoding: 'utf8', maxBuffer: 1 << 24 }).split('\n').filter((l) => l !== '').map(Number);
  assert.equal(out.length, pairs.length);
  const disagreements = pairs.map((p, i) => ({ p, rpm: sign(out[i]), ours: sign(compareRpm(p[0], p[1])) })).filter((d) => d.rpm !== d.ours);
  assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} of ${pairs.length} pairs ordered differently from rpm`);
  for (const outcome of [-1, 0, 1]) assert.ok(out.filter((o) => sign(o) === outcome).length > 100, `outcome ${outcome} too rare`);
  // the hard characters must be exercised
  assert.ok(pairs.filter(([a, b]) => a.includes('~') || b.includes('~')).length > 500);
  assert.ok(pairs.filter(([a, b]) => a.includes('^') || b.includes('^')).length > 500);
  assert.ok(pairs.filter(([a, b]) => a.includes(':') || b.includes(':')).length > 500);
});

test('rpm versions: tilde, caret, epochs, releases, and records without an epoch', () => {
  assertAscending(compareRpm, ['1.0~rc1', '1.0', '1.0^git1', '1.0a', '1.0.1', '1:0.1']);
  assertAscending(compareRpm, ['3.0.7-16.el9_2', '3.0.7-24.el9', '3.0.7-27.el9', '3.0.7-27.el9_4', '3.0.7-28.el9']);
  assertAscending(rpmvercmp, ['1~~', '1~', '1', '1^', '1^a', '1.0']);
  assert.equal(compareRpm('1.01', '1.1'), 0);
  assert.equal(compareRpm('0:1.0-1', '1.0-1'), 0);
  assert.equal(compareRpm('1.0_1', '1.0.1'), 0);
  assert.equal(compareRpm('2', '10'), -1);
  assert.equal(compareRpm('a', '1'), -1);
  assert.deepEqual(parseRpmVersion('1:3.0.7-27.el9'), { epoch: '1', version: '3.0.7', release: '27.el9' });
  assert.deepEqual(parseRpmVersion('a:1.0'), { version: 'a:1.0' });
  // a record without an epoch (Rocky Linux) against an installed version with one
  assert.equal(compareRpmAdvisory('1:3.0.7-27.el9', '3.0.7-28.el9'), -1);
  assert.equal(compareRpm('1:3.0.7-27.el9', '3.0.7-28.el9'), 1);
  // a record with an epoch (AlmaLinux, Red Hat) compares it
  assert.equal(compareRpmAdvisory('0:3.0.7-29.el9', '1:3.0.7-16.el9_2'), -1);
  assert.equal(compareRpmAdvisory('1:3.0.7-29.el9', '1:3.0.7-16.el9_2'), 1);
});

test('Alpine versions: suffixes, letters, revisions, leading zeros', () => {
  assertAscending(compareApk, ['1.2.3_alpha', '1.2.3_beta2', '1.2.3_pre1', '1.2.3_rc1', '1.2.3', '1.2.3-r1', '1.2.3-r10', '1.2.3_p1', '1.2.3a', '1.2.3.1', '1.2.4']);
  assertAscending(compareApk, ['3.0.8-r0', '3.0.10-r0', '3.1.4-r5']);
  assertAscending(compareApk, ['1.001', '1.01', '1.1']);
  assertAscending(compareApk, ['1.2a', '1.2.1']);
  assert.equal(compareApk('1.2.3-r0', '1.2.3-r0'), 0);
  assert.ok(isApkVersion('1.36.1-r15'));
  assert.ok(!isApkVersion('1.2.3-x'));
});

test('semver: pre-releases, build metadata, Go pseudo-versions', () => {
  assertAscending(compareSemver, ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.10.0', '2.0.0']);
  assertAscending(compareSemver, ['v0.0.0-20210101000000-abcdef123456', 'v0.1.0', 'v1.21.0-rc.1', 'v1.21.0']);
  assert.equal(compareSemver('1.0.0+build.1', '1.0.0'), 0);
  assert.equal(compareSemver('v1.2', '1.2.0'), 0);
  assert.equal(compareSemver('99999999999999999999.0.0', '99999999999999999998.0.0'), 1);
});

test('PEP 440: dev < pre < release < post, normalised spellings, local versions', () => {
  assertAscending(comparePep440, ['1.0.dev0', '1.0a1', '1.0a2.dev1', '1.0a2', '1.0b1', '1.0rc1', '1.0', '1.0+local.1', '1.0.post1.dev1', '1.0.post1', '1.1', '1!0.1']);
  assert.equal(comparePep440('1.0', '1.0.0'), 0);
  assert.equal(comparePep440('1.0alpha1', '1.0a1'), 0);
  assert.equal(comparePep440('1.0-1', '1.0.post1'), 0);
  assert.equal(comparePep440('1.0c1', '1.0rc1'), 0);
  assert.equal(comparePep440('v2.0', '2.0'), 0);
});

test('Maven: qualifiers, trailing zeros, numbers against qualifiers', () => {
  assertAscending(compareMaven, ['1-alpha-1', '1-beta-1', '1-milestone-1', '1-rc-1', '1-snapshot', '1', '1-sp', '1-abc', '1-1', '1.1']);
  assertAscending(compareMaven, ['2.13.0', '2.13.4', '2.13.4.1', '2.14.0-rc1', '2.14.0']);
  assertAscending(compareMaven, ['2.0-beta9', '2.0-rc1', '2.0', '2.14.1', '2.15.0', '2.16.0', '2.17.0']);
  assert.equal(compareMaven('1.0.0', '1'), 0);
  assert.equal(compareMaven('1-ga', '1'), 0);
  assert.equal(compareMaven('1.0-final', '1'), 0);
  assert.equal(compareMaven('1-cr1', '1-rc1'), 0);
});

test('ecosystems map to their version order', () => {
  assert.equal(versionOrderOf('Debian:12'), 'dpkg');
  assert.equal(versionOrderOf('Alpine:v3.19'), 'apk');
  assert.equal(versionOrderOf('Go'), 'semver');
  assert.equal(versionOrderOf('PyPI'), 'pep440');
  assert.equal(versionOrderOf('Maven'), 'maven');
  assert.equal(versionOrderOf('Hackage'), undefined);
});
