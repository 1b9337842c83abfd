// rpm-based images end to end, against a real rpm database: tiny packages built by rpmbuild,
// installed by rpm (SQLite backend) into a root packed as an image layer, written as an OCI
// layout and scanned by the CLI. kubemoat must list exactly what `rpm -qa` lists (names, epochs,
// versions, releases, source rpms), key advisories the way each distribution's records do
// (Rocky Linux by source name without epochs, AlmaLinux by binary name, Red Hat by product
// stream), not report a fix at exactly the installed release (a backport), keep module streams
// apart, and say clearly when the database is corrupt.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { CLI } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/registry.js';
import { gzip, tarOf, writeOciLayout } from '../helpers/image-fixtures.js';
import { bdbFromSqlite, bdbToolsAvailable, buildRpmRoot, rootLayer, rpmToolsAvailable, type RpmRoot, type Spec } from '../helpers/rpm-fixtures.js';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  evidence?: string;
  remediation: string;
  resource?: { kind: string; name: string };
}

interface Report {
  findings: JsonFinding[];
  coverage: { target: string; reason: string; severity: string }[];
}

const skip = !rpmToolsAvailable() && 'rpm and rpmbuild are not installed (npm run setup: lab/setup.d/35-rpm.sh)';
const work = mkdtempSync(join(tmpdir(), 'km-rpm-e2e-'));
const cli = (args: string[]) => runCliAsync(CLI, args, { XDG_CACHE_HOME: join(work, 'cache') });
let rpmRoot: RpmRoot;
let bdbInstalled: string[] = [];
const skipBdb = (skip || (!bdbToolsAvailable() && 'db5.3_load or rpm\'s bdb_ro backend missing (npm run setup: lab/setup.d/35-rpm.sh)')) as string | false;

// Twelve sub-packages make the Packages table taller than one b-tree page; bash's 400 files make
// its header span a chain of overflow pages.
const SPECS: Spec[] = [
  {
    name: 'openssl',
    epoch: 1,
    version: '3.0.7',
    release: '27.el9',
    arch: 'x86_64',
    license: 'ASL 2.0',
    packages: [
      { sub: '', files: [{ path: '/usr/bin/openssl', content: 'openssl' }] },
      { sub: 'libs', files: [{ path: '/usr/lib64/libssl.so.3', content: 'libssl' }] },
      ...Array.from({ length: 12 }, (_, i) => ({ sub: `extra${i}`, files: [{ path: `/usr/share/openssl-extra/${i}.txt`, content: `extra ${i}` }] })),
    ],
  },
  {
    name: 'bash',
    version: '5.1.8',
    release: '6.el9_1',
    packages: [{ sub: '', files: Array.from({ length: 400 }, (_, i) => ({ path: `/usr/share/doc/bash/a-rather-long-file-name-to-fill-the-header-${String(i).padStart(4, '0')}.txt`, content: `${i}` })) }],
  },
  {
    name: 'nodejs-x',
    version: '1.0.0',
    release: '1.el9',
    packages: [{ sub: '', files: [{ path: '/usr/lib/node_modules/x/package.json', content: '{"name":"x","version":"1.0.0"}' }] }],
  },
  {
    name: 'nodejs',
    epoch: 1,
    version: '18.19.0',
    release: '1.module+el9.3.0+20+2ff8ad5c',
    packages: [{ sub: '', files: [{ path: '/usr/bin/node', content: 'node' }] }],
  },
];

function osRelease(id: string, versionId: string, pretty: string): Buffer {
  return gzip(tarOf([{ path: 'etc/os-release', content: `NAME="${pretty}"\nID="${id}"\nVERSION_ID="${versionId}"\nPRETTY_NAME="${pretty}"\n` }]));
}

function osv(id: string, ecosystem: string, name: string, events: object[], extra: object = {}): object {
  return { id, modified: new Date().toISOString(), affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events }] }], ...extra };
}

before(() => {
  if (skip) return;
  rpmRoot = buildRpmRoot(work, SPECS);
  const base = rootLayer(rpmRoot.root);
  const app = gzip(tarOf([{ path: 'app/node_modules/y/package.json', content: '{"name":"y","version":"2.0.0"}' }]));
  // the same database cut short: not a whole number of pages
  const db = readFileSync(rpmRoot.db);
  const broken = gzip(tarOf([{ path: 'var/lib/rpm/rpmdb.sqlite', content: db.subarray(0, db.length - 1000) }]));
  // the same packages in the older Berkeley DB database, as a RHEL 8 rebuild has it
  const images: { tag: string; layers: { blob: Buffer }[] }[] = [];
  if (!skipBdb) {
    const bdb = bdbFromSqlite(rpmRoot.db, join(work, 'bdb'));
    bdbInstalled = bdb.installed;
    const el8 = gzip(tarOf([{ path: 'var/lib/rpm/.wh.rpmdb.sqlite', content: '' }, { path: 'var/lib/rpm/Packages', content: readFileSync(bdb.file) }]));
    images.push({ tag: 'rocky8', layers: [{ blob: base }, { blob: app }, { blob: osRelease('rocky', '8.9', 'Rocky Linux 8.9 (Green Obsidian)') }, { blob: el8 }] });
  }
  writeOciLayout(join(work, 'oci'), [
    ...images,
    { tag: 'rocky', layers: [{ blob: base }, { blob: app }, { blob: osRelease('rocky', '9.3', 'Rocky Linux 9.3 (Blue Onyx)') }] },
    { tag: 'alma', layers: [{ blob: base }, { blob: app }, { blob: osRelease('almalinux', '9.3', 'AlmaLinux 9.3 (Shamrock Pampas Cat)') }] },
    { tag: 'rhel', layers: [{ blob: base }, { blob: app }, { blob: osRelease('rhel', '9.3', 'Red Hat Enterprise Linux 9.3 (Plow)') }] },
    { tag: 'fedora', layers: [{ blob: base }, { blob: osRelease('fedora', '39', 'Fedora Linux 39 (Container Image)') }] },
    { tag: 'broken', layers: [{ blob: base }, { blob: app }, { blob: osRelease('rocky', '9.3', 'Rocky Linux 9.3') }, { blob: broken }] },
  ]);
  const records = [
    // Rocky Linux: source package names, versions without the epoch (openssl's is 1)
    osv('RLSA-2026:9101', 'Rocky Linux:9', 'openssl', [{ introduced: '0' }, { fixed: '3.0.7-28.el9' }], { aliases: ['CVE-2026-9101'], summary: 'openssl: overflow', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }),
    // fixed at exactly the installed release (a backport): not reported
    osv('RLSA-2026:9102', 'Rocky Linux:9', 'bash', [{ introduced: '0' }, { fixed: '5.1.8-6.el9_1' }], { summary: 'bash: fixed in this release' }),
    // another release of Rocky: not applied
    osv('RLSA-2026:9103', 'Rocky Linux:8', 'openssl', [{ introduced: '0' }, { fixed: '3.0.7-99.el8' }], { summary: 'openssl on Rocky 8' }),
    // AlmaLinux: binary package names, versions with the epoch
    osv('ALSA-2026:9201', 'AlmaLinux:9', 'openssl-libs', [{ introduced: '0' }, { fixed: '1:3.0.7-28.el9' }], { aliases: ['CVE-2026-9101'], summary: 'openssl: overflow' }),
    osv('ALSA-2026:9202', 'AlmaLinux:9', 'bash', [{ introduced: '0' }, { fixed: '5.1.8-6.el9_1' }], { summary: 'bash: fixed in this release' }),
    // a source name under AlmaLinux is not how its records name packages: not looked up
    osv('ALSA-2026:9203', 'AlmaLinux:9', 'openssl-extra-src-only', [{ introduced: '0' }], { summary: 'never' }),
    // Red Hat: product streams; binary or source names; module streams kept apart
    osv('RHSA-2026:9301', 'Red Hat:enterprise_linux:9::baseos', 'openssl-libs', [{ introduced: '0' }, { fixed: '1:3.0.7-28.el9' }], { summary: 'openssl: overflow' }),
    osv('RHSA-2026:9302', 'Red Hat:enterprise_linux:9::appstream', 'nodejs', [{ introduced: '0' }, { fixed: '1:22.23.2-2.module+el9.8.0+24958+80b2ac6e' }], { summary: 'nodejs:22 stream only' }),
    osv('RHSA-2026:9303', 'Red Hat:enterprise_linux:9::appstream', 'nodejs', [{ introduced: '0' }, { fixed: '1:18.20.4-1.module+el9.4.0+21830+f2ab9ce4' }], { summary: 'nodejs:18 stream' }),
    osv('RHSA-2026:9304', 'Red Hat:enterprise_linux:8::baseos', 'openssl-libs', [{ introduced: '0' }, { fixed: '1:3.0.7-99.el8' }], { summary: 'RHEL 8 only' }),
    osv('RHSA-2026:9305', 'Red Hat:enterprise_linux:9::baseos', 'bash', [{ introduced: '0' }, { fixed: '0:5.1.8-6.el9_1' }], { summary: 'bash: fixed in this release' }),
    // an npm record for the language package an rpm owns: that package is counted once, as the rpm
    osv('GHSA-kmkm-xxxx-0001', 'npm', 'x', [{ introduced: '0' }, { fixed: '1.0.1' }], { summary: 'x is bad' }),
    osv('GHSA-kmkm-yyyy-0002', 'npm', 'y', [{ introduced: '0' }, { fixed: '2.0.1' }], { summary: 'y is bad' }),
  ];
  mkdirSync(join(work, 'osv'));
  writeFileSync(join(work, 'osv', 'rpm-all.zip'), zipSync(Object.fromEntries(records.map((r) => [`${(r as { id: string }).id}.json`, strToU8(JSON.stringify(r))]))));
});

after(() => rmSync(work, { recursive: true, force: true }));

const oci = (tag: string) => `oci:${join(work, 'oci')}:${tag}`;
const hits = (report: Report) => report.findings.map((f) => `${f.message.split(' ')[0]} ${/affected by ([^\s,]+)/.exec(f.message)?.[1]}`).sort();

describe('kubemoat images on rpm-based images', { skip }, () => {
  test('the SBOM lists exactly the packages rpm -qa lists, with epochs, source rpms and pkg:rpm purls', async () => {
    const r = await cli(['images', 'sbom', oci('rocky')]);
    assert.equal(r.status, 0, r.stderr);
    const bom = JSON.parse(r.stdout) as { components: { type: string; name: string; version: string; purl?: string; licenses?: { expression: string }[]; properties?: { name: string; value: string }[] }[] };
    const prop = (c: (typeof bom.components)[number], name: string) => c.properties?.find((p) => p.name === name)?.value;
    const rpms = bom.components.filter((c) => prop(c, 'kubemoat:package:type') === 'rpm');
    const ours = rpms.map((c) => `${c.name} ${c.version} ${prop(c, 'kubemoat:package:source')}`).sort();
    const theirs = rpmRoot.installed
      .map((p) => {
        const evr = `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
        const src = /^(.+)-([^-]+)-([^-]+)\.src\.rpm$/.exec(p.sourceRpm)!;
        return `${p.name} ${evr} ${src[1]} ${p.epoch ? `${p.epoch}:` : ''}${src[2]}-${src[3]}`;
      })
      .sort();
    assert.equal(theirs.length, 17, 'rpm installed every built package');
    // the database is the shape the reader must handle: an interior b-tree page, and headers in overflow chains
    const shape = execFileSync('sqlite3', [rpmRoot.db, "select pagetype, count(*) from dbstat where name = 'Packages' group by 1"], { encoding: 'utf8' });
    assert.match(shape, /^internal\|[1-9]/m);
    assert.match(shape, /^overflow\|[1-9]/m);
    assert.deepEqual(ours, theirs);
    const libs = rpms.find((c) => c.name === 'openssl-libs')!;
    assert.equal(libs.purl, 'pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.3&epoch=1');
    assert.equal(libs.licenses?.[0]?.expression, 'ASL 2.0');
    assert.equal(rpms.find((c) => c.name === 'bash')!.purl, 'pkg:rpm/rocky/bash@5.1.8-6.el9_1?arch=noarch&distro=rocky-9.3');
    // the npm package an rpm owns is not listed again; the one the app layer added is
    const npm = bom.components.filter((c) => c.purl?.startsWith('pkg:npm/')).map((c) => c.purl);
    assert.deepEqual(npm, ['pkg:npm/y@2.0.0']);
  });

  test('Rocky Linux: source names, records without epochs; a backported fix and another release not reported', async () => {
    const r = await cli(['images', oci('rocky'), '--db', join(work, 'db'), '--format', 'json', '--no-save-state']);
    assert.equal(r.status, 2, `no database yet: ${r.stderr}`);
    const update = await cli(['images', 'db', 'update', '--from', join(work, 'osv'), '--db', join(work, 'db')]);
    assert.equal(update.status, 0, update.stderr);
    const scan = await cli(['images', oci('rocky'), '--db', join(work, 'db'), '--format', 'json', '--no-save-state']);
    assert.equal(scan.status, 1, scan.stderr);
    const report = JSON.parse(scan.stdout) as Report;
    // every binary built from the openssl source rpm is affected (installed 1:3.0.7-27.el9 < 3.0.7-28.el9)
    const opensslBinaries = rpmRoot.installed.filter((p) => p.sourceRpm.startsWith('openssl-')).map((p) => `${p.name} RLSA-2026:9101`);
    assert.deepEqual(hits(report), [...opensslBinaries, 'y GHSA-kmkm-yyyy-0002'].sort());
    const libs = report.findings.find((f) => f.message.startsWith('openssl-libs'))!;
    assert.equal(libs.severity, 'critical');
    assert.match(libs.message, /openssl-libs \(source openssl\) 1:3\.0\.7-27\.el9/);
    assert.match(libs.message, /fixed in 3\.0\.7-28\.el9/);
    assert.match(libs.remediation, /Upgrade openssl to 3\.0\.7-28\.el9/);
    assert.match(libs.evidence ?? '', /Rocky Linux:9 rpm package at \/var\/lib\/rpm\/rpmdb\.sqlite/);
    const all = report.findings.map((f) => f.message).join('\n');
    for (const id of ['RLSA-2026:9102', 'RLSA-2026:9103', 'GHSA-kmkm-xxxx-0001']) assert.ok(!all.includes(id), `${id} must not be reported`);
    assert.deepEqual(report.coverage.filter((c) => c.severity === 'error'), []);
  });

  test('AlmaLinux: binary names with epochs; Red Hat: every product stream of the release, module streams apart', async () => {
    const common = ['--db', join(work, 'db'), '--format', 'json', '--no-save-state'];
    const alma = JSON.parse((await cli(['images', oci('alma'), ...common])).stdout) as Report;
    assert.deepEqual(hits(alma), ['openssl-libs ALSA-2026:9201', 'y GHSA-kmkm-yyyy-0002']);
    const rhel = JSON.parse((await cli(['images', oci('rhel'), ...common])).stdout) as Report;
    assert.deepEqual(hits(rhel), ['nodejs RHSA-2026:9303', 'openssl-libs RHSA-2026:9301', 'y GHSA-kmkm-yyyy-0002']);
    assert.match(rhel.findings.find((f) => f.message.startsWith('nodejs'))!.message, /fixed in 1:18\.20\.4-1\.module\+el9\.4\.0/);
  });

  test('an rpm distribution without precise OSV records is listed but not checked, and says so', async () => {
    const r = await cli(['images', oci('fedora'), '--db', join(work, 'db'), '--format', 'json', '--no-save-state']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(report.findings, []);
    assert.ok(report.coverage.some((c) => c.severity === 'warning' && /rpm packages found on fedora 39/.test(c.reason)), JSON.stringify(report.coverage));
  });

  test('the older Berkeley DB database (RHEL 8 and rebuilds): the packages rpm itself reads from it, matched for that release', { skip: skipBdb }, async () => {
    const sbom = await cli(['images', 'sbom', oci('rocky8')]);
    assert.equal(sbom.status, 0, sbom.stderr);
    const bom = JSON.parse(sbom.stdout) as { components: { name: string; version: string; purl?: string }[] };
    const ours = bom.components.filter((c) => c.purl?.startsWith('pkg:rpm/')).map((c) => `${c.name} ${c.version}`).sort();
    assert.equal(bdbInstalled.length, 17, 'rpm (bdb_ro) reads every package from the Berkeley DB file');
    assert.deepEqual(ours, bdbInstalled);
    const scan = await cli(['images', oci('rocky8'), '--db', join(work, 'db'), '--format', 'json', '--no-save-state']);
    const report = JSON.parse(scan.stdout) as Report;
    const opensslBinaries = rpmRoot.installed.filter((p) => p.sourceRpm.startsWith('openssl-')).map((p) => `${p.name} RLSA-2026:9103`);
    assert.deepEqual(hits(report), [...opensslBinaries, 'y GHSA-kmkm-yyyy-0002'].sort(), 'Rocky Linux 8 records only');
    assert.deepEqual(report.coverage.filter((c) => c.severity === 'error'), []);
  });

  test('a corrupt rpm database is a coverage error naming the image and the file; the rest is still scanned', async () => {
    const r = await cli(['images', oci('broken'), '--db', join(work, 'db'), '--format', 'json', '--no-save-state']);
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    const errors = report.coverage.filter((c) => c.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(report.coverage));
    assert.equal(errors[0].target, oci('broken'));
    assert.match(errors[0].reason, /\/var\/lib\/rpm\/rpmdb\.sqlite: .*truncated.*rpm packages were not read/);
    // without the database nothing says an rpm owns x, so it counts as an npm package again
    assert.deepEqual(hits(report), ['x GHSA-kmkm-xxxx-0001', 'y GHSA-kmkm-yyyy-0002'], 'the language packages are still checked');
  });
});
