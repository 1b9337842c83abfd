// OSV records → local store → matches: ranges, last_affected, explicit versions, Debian backports,
// CVSS scoring, zip import, bad records.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { cvss2Score, cvss3Score } from '../../src/images/osv/cvss.js';
import { readRecord } from '../../src/images/osv/record.js';
import { inRange } from '../../src/images/osv/match.js';
import { Store, StoreBuilder, ageInDays } from '../../src/images/osv/store.js';
import { importOsv } from '../../src/images/osv/import.js';
import { findVulnerabilities } from '../../src/images/vulns.js';
import { compareDpkg } from '../../src/images/version/dpkg.js';
import { compareSemver } from '../../src/images/version/semver.js';
import type { Package } from '../../src/images/packages/types.js';

test('CVSS base scores from vectors', () => {
  assert.equal(cvss3Score('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 9.8);
  assert.equal(cvss3Score('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H'), 10);
  assert.equal(cvss3Score('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N'), 5.5);
  assert.equal(cvss3Score('CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N'), 3.1);
  assert.equal(cvss3Score('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'), 0);
  assert.equal(cvss3Score('CVSS:3.1/AV:X'), undefined);
  assert.equal(cvss2Score('AV:N/AC:L/Au:N/C:P/I:P/A:P'), 7.5);
  assert.equal(cvss2Score('AV:N/AC:M/Au:N/C:N/I:P/A:N'), 4.3);
});

const dpkgRange = (events: object[]) => ({ type: 'ECOSYSTEM' as const, events: events as never });

test('ranges: introduced, fixed, last_affected, several intervals', () => {
  const r = dpkgRange([{ introduced: '0' }, { fixed: '1.2-3+deb12u1' }]);
  assert.equal(inRange(r, '1.2-3', compareDpkg), true);
  assert.equal(inRange(r, '1.2-3+deb12u1', compareDpkg), false, 'the backported fix is not vulnerable');
  assert.equal(inRange(r, '1.2-3+deb12u2', compareDpkg), false);
  assert.equal(inRange(r, '1:0.1', compareDpkg), false, 'a higher epoch is above the fix');
  const two = { type: 'SEMVER' as const, events: [{ introduced: '1.0.0' }, { fixed: '1.2.0' }, { introduced: '2.0.0' }, { last_affected: '2.1.0' }] as never };
  assert.equal(inRange(two, '0.9.0', compareSemver), false);
  assert.equal(inRange(two, '1.0.0', compareSemver), true);
  assert.equal(inRange(two, '1.2.0', compareSemver), false);
  assert.equal(inRange(two, '2.1.0', compareSemver), true, 'last_affected is inclusive');
  assert.equal(inRange(two, '2.1.1', compareSemver), false);
  assert.equal(inRange(two, '2.0.0-rc.1', compareSemver), false, 'a pre-release sorts before its introduced release');
});

function osv(id: string, affected: object[], extra: object = {}): object {
  return { schema_version: '1.6.0', id, modified: '2026-11-01T00:00:00Z', affected, ...extra };
}

const RECORDS = [
  // a Debian fix backported to bookworm: 3.0.11-1~deb12u2 fixes it
  osv('DSA-9001-1', [
    { package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }] },
    { package: { ecosystem: 'Debian:11', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1w-0+deb11u1' }] }] },
  ], { aliases: ['CVE-2026-0001'], summary: 'openssl: something bad', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }),
  // no fix yet
  osv('DEBIAN-CVE-2026-0002', [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }], { aliases: ['CVE-2026-0002'] }),
  osv('GHSA-aaaa-bbbb-cccc', [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }], database_specific: { severity: 'HIGH' } }], { aliases: ['CVE-2021-23337'] }),
  osv('PYSEC-2026-1', [{ package: { ecosystem: 'PyPI', name: 'Requests' }, versions: ['2.31.0'] }]),
  osv('USN-9999-1', [{ package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.2-0ubuntu1.15' }] }] }]),
  osv('WITHDRAWN-1', [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }], { withdrawn: '2026-01-01T00:00:00Z' }),
];

function buildStore(): { dir: string; store: Store } {
  const root = mkdtempSync(join(tmpdir(), 'km-osv-'));
  const src = join(root, 'src');
  mkdirSync(join(src, 'npm'), { recursive: true });
  // a zip as osv.dev publishes it, a plain record, an array, and garbage
  writeFileSync(join(src, 'debian-all.zip'), zipSync({ 'DSA-9001-1.json': strToU8(JSON.stringify(RECORDS[0])), 'DEBIAN-CVE-2026-0002.json': strToU8(JSON.stringify(RECORDS[1])) }));
  writeFileSync(join(src, 'npm', 'GHSA-aaaa-bbbb-cccc.json'), JSON.stringify(RECORDS[2]));
  writeFileSync(join(src, 'more.json'), JSON.stringify([RECORDS[3], RECORDS[4], { no: 'id' }]));
  writeFileSync(join(src, 'broken.json'), '{"id": "X", "affected": [');
  writeFileSync(join(src, 'broken.zip'), 'not a zip');
  const builder = new StoreBuilder();
  const result = importOsv(builder, [src]);
  assert.equal(result.files, 5);
  assert.deepEqual(result.problems.map((p) => p.place.replace(src, 'SRC')).sort(), ['SRC/broken.json', 'SRC/broken.zip', 'SRC/more.json[2]']);
  const dir = join(root, 'db');
  const meta = builder.write(dir, [src], new Date('2026-11-10T00:00:00Z'));
  assert.equal(meta.records, 5, 'five records with affected packages (the withdrawn one is dropped)');
  assert.deepEqual(meta.ecosystems, { Debian: 2, npm: 1, PyPI: 1, Ubuntu: 1 });
  assert.equal(Math.round(ageInDays(meta, new Date('2026-11-11T00:00:00Z'))), 10);
  return { dir, store: Store.open(dir) };
}

const deb = (name: string, version: string, source?: [string, string]): Package => ({ type: 'deb', name, version, path: '/var/lib/dpkg/status', ...(source ? { source: { name: source[0], version: source[1] } } : {}) });

test('store: import from zip, JSON and arrays; lookups by ecosystem and name; bad records named', () => {
  const { store } = buildStore();
  assert.deepEqual(store.lookup('Debian:12', 'openssl').map((a) => a.id), ['DSA-9001-1']);
  assert.deepEqual(store.lookup('Debian:11', 'openssl').map((a) => a.id), ['DSA-9001-1']);
  assert.deepEqual(store.lookup('Debian:12', 'nothing'), []);
  assert.deepEqual(store.lookup('PyPI', 'requests').map((a) => a.id), ['PYSEC-2026-1'], 'PyPI names are case-insensitive');
  assert.deepEqual(store.lookup('npm', 'lodash').map((a) => a.id), ['GHSA-aaaa-bbbb-cccc'], 'the withdrawn record is not there');
  const rec = store.lookup('Debian:12', 'openssl')[0];
  assert.equal(rec.score, 9.8);
  assert.equal(rec.severity, 'critical');
  assert.equal(store.lookup('npm', 'lodash')[0].severity, 'high', 'severity word from database_specific');
});

test('matching: Debian source packages per release, backports not reported, --only-fixed', () => {
  const { store } = buildStore();
  const os = { id: 'debian', versionId: '12' };
  const packages: Package[] = [
    deb('libssl3', '3.0.11-1~deb12u1', ['openssl', '3.0.11-1~deb12u1']), // before the fix: vulnerable
    deb('openssl', '3.0.11-1~deb12u2', ['openssl', '3.0.11-1~deb12u2']), // the backported fix: not
    deb('libc6', '2.36-9+deb12u4', ['glibc', '2.36-9+deb12u4']), // no fix known
    { type: 'npm', name: 'lodash', version: '4.17.20', path: '/app/node_modules/lodash/package.json' },
    { type: 'npm', name: 'lodash', version: '4.17.21', path: '/app2/node_modules/lodash/package.json' },
    { type: 'pypi', name: 'requests', version: '2.31.0', path: '/usr/lib/python3/site-packages/requests-2.31.0.dist-info/METADATA' },
    { type: 'maven', name: 'org.example:lib', version: '1.0', path: '/app.jar' },
  ];
  const all = findVulnerabilities(packages, os, store, { onlyFixed: false });
  const seen = all.vulnerabilities.map((v) => `${v.pkg.name}@${v.pkg.version} ${v.advisory.id} ${v.fixedIn ?? '-'} ${v.severity}${v.severityKnown ? '' : '?'}`).sort();
  assert.deepEqual(seen, [
    'libc6@2.36-9+deb12u4 DEBIAN-CVE-2026-0002 - medium?',
    'libssl3@3.0.11-1~deb12u1 DSA-9001-1 3.0.11-1~deb12u2 critical',
    'lodash@4.17.20 GHSA-aaaa-bbbb-cccc 4.17.21 high',
    'requests@2.31.0 PYSEC-2026-1 - medium?',
  ]);
  assert.deepEqual(all.uncovered, ['Maven'], 'an ecosystem without records is said, not silently clean');
  const fixed = findVulnerabilities(packages, os, store, { onlyFixed: true });
  assert.deepEqual(fixed.vulnerabilities.map((v) => v.advisory.id).sort(), ['DSA-9001-1', 'GHSA-aaaa-bbbb-cccc']);
  // the same packages on Debian 11 use the Debian:11 record: 3.0.11 is above 1.1.1w there
  const eleven = findVulnerabilities(packages.slice(0, 1), { id: 'debian', versionId: '11' }, store, { onlyFixed: false });
  assert.deepEqual(eleven.vulnerabilities, []);
});

test('Ubuntu packages find records of the LTS release name', () => {
  const { store } = buildStore();
  const pkg = deb('libssl3', '3.0.2-0ubuntu1.14', ['openssl', '3.0.2-0ubuntu1.14']);
  const found = findVulnerabilities([pkg], { id: 'ubuntu', versionId: '22.04' }, store, { onlyFixed: false });
  assert.deepEqual(found.vulnerabilities.map((v) => `${v.ecosystem} ${v.advisory.id} ${v.fixedIn}`), ['Ubuntu:22.04 USN-9999-1 3.0.2-0ubuntu1.15']);
  const fixed = findVulnerabilities([deb('libssl3', '3.0.2-0ubuntu1.15', ['openssl', '3.0.2-0ubuntu1.15'])], { id: 'ubuntu', versionId: '22.04' }, store, { onlyFixed: false });
  assert.deepEqual(fixed.vulnerabilities, []);
});

test('readRecord refuses what is not a record, keeps what it can', () => {
  assert.throws(() => readRecord([] as never), /not a JSON object/);
  assert.throws(() => readRecord({ affected: [] }), /no `id`/);
  assert.deepEqual(readRecord({ id: 'X', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }] }] }] }), []);
});
