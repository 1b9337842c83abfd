// kubemoat images against a real registry: Debian's docker-registry on 127.0.0.1 with token auth
// (Bearer, from a token service this test runs) and with basic auth; images written as OCI layouts
// (one on a debootstrapped Debian base, so the dpkg database is real; one built by umoci with a
// real Go binary) and pushed by skopeo; an OSV fixture whose records hit some of those packages and,
// for backported fixes, must not.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { CLI } from '../helpers/cli.js';
import { pushWithSkopeo, runCliAsync, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { debianBaseLayer, dpkgSourceOf } from '../helpers/debian-base.js';
import { gzip, tarOf, writeOciLayout, zstd } from '../helpers/image-fixtures.js';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  evidence?: string;
  remediation: string;
  resource?: { kind: string; name: string; namespace?: string; container?: string };
}

const work = mkdtempSync(join(tmpdir(), 'km-images-e2e-'));
let token: TestRegistry;
let basic: TestRegistry;
const glibc = dpkgSourceOf('libc6');
const bash = dpkgSourceOf('bash');
const zlib = dpkgSourceOf('zlib1g');

function osv(id: string, ecosystem: string, name: string, events: object[], extra: object = {}): object {
  return { id, modified: new Date().toISOString(), affected: [{ package: { ecosystem, name }, ranges: [{ type: ecosystem === 'npm' || ecosystem === 'Go' ? 'SEMVER' : 'ECOSYSTEM', events }] }], ...extra };
}

function dockerConfig(registries: TestRegistry[]): string {
  const file = join(work, `docker-config-${registries.length}.json`);
  const auths = Object.fromEntries(registries.map((r) => [r.host, { auth: Buffer.from(`${r.user}:${r.password}`).toString('base64') }]));
  writeFileSync(file, JSON.stringify({ auths }));
  return file;
}

const cli = (args: string[]) => runCliAsync(CLI, args, { XDG_CACHE_HOME: join(work, 'cache') });

before(async () => {
  token = await startRegistry('token');
  basic = await startRegistry('basic');
  // images as OCI layouts: a Debian base, and apps on it that share its layer
  const base = debianBaseLayer();
  const app1 = zstd(
    tarOf([
      { path: 'srv/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20"}' },
      { path: 'usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n' },
      { path: 'usr/share/doc/.wh.bash', content: '' },
    ]),
  );
  const app2 = gzip(tarOf([{ path: 'srv/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21"}' }]));
  writeOciLayout(join(work, 'oci'), [
    { tag: 'debian', layers: [{ blob: base }] },
    { tag: 'app1', layers: [{ blob: base }, { blob: app1, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }] },
    { tag: 'app2', layers: [{ blob: base }, { blob: app2 }] },
  ]);
  // a tools image built by umoci, with a real Go binary and a Java archive
  const u = join(work, 'umoci');
  execFileSync('umoci', ['init', '--layout', u]);
  execFileSync('umoci', ['new', '--image', `${u}:tools`]);
  execFileSync('umoci', ['unpack', '--rootless', '--image', `${u}:tools`, join(work, 'bundle')]);
  const rootfs = join(work, 'bundle', 'rootfs');
  mkdirSync(join(rootfs, 'usr/local/bin'), { recursive: true });
  copyFileSync('/usr/bin/docker-registry', join(rootfs, 'usr/local/bin/registry'));
  chmodSync(join(rootfs, 'usr/local/bin/registry'), 0o755);
  mkdirSync(join(rootfs, 'opt'), { recursive: true });
  writeFileSync(join(rootfs, 'opt/app.jar'), zipSync({ 'META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties': strToU8('groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n') }));
  execFileSync('umoci', ['repack', '--image', `${u}:tools`, join(work, 'bundle')]);
  const goVersion = execFileSync('go', ['version', '/usr/bin/docker-registry'], { encoding: 'utf8' }).trim().split(' ').pop()!.replace(/^go/, '');

  for (const tag of ['debian', 'app1', 'app2']) await pushWithSkopeo(join(work, 'oci'), tag, token, tag === 'debian' ? 'library/debian' : 'team/app', tag === 'debian' ? '12' : tag === 'app1' ? '1' : '2');
  await pushWithSkopeo(join(work, 'oci'), 'app1', token, 'team/app', 'latest');
  await pushWithSkopeo(u, 'tools', basic, 'team/tools', '1');

  const records = [
    // glibc: the installed version is before the fix: reported on every image with the base
    osv('DSA-9901-1', 'Debian:12', 'glibc', [{ introduced: '0' }, { fixed: `${glibc.version}+kmtest1` }], { aliases: ['CVE-2026-9901'], summary: 'glibc: resolver overflow', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }),
    // glibc: fixed by a backport at exactly the installed version: must not be reported
    osv('DSA-9902-1', 'Debian:12', 'glibc', [{ introduced: '0' }, { fixed: glibc.version }], { aliases: ['CVE-2026-9902'], summary: 'glibc: backported fix' }),
    // bash: fixed in the source version the binNMU was built from (binary version has +bN): not reported
    osv('DSA-9903-1', 'Debian:12', 'bash', [{ introduced: '0' }, { fixed: bash.version }], { summary: 'bash: fixed in source' }),
    // zlib: an older release's record must not apply to bookworm
    osv('DLA-9904-1', 'Debian:11', 'zlib', [{ introduced: '0' }, { fixed: '1:9.9-1' }], { summary: 'zlib on bullseye only' }),
    // zlib: affected with no fix yet
    osv('DEBIAN-CVE-2026-9905', 'Debian:12', 'zlib', [{ introduced: '0' }], { aliases: ['CVE-2026-9905'], summary: 'zlib: unfixed' }),
    osv('GHSA-35jh-r3h4-6jhm', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }], { aliases: ['CVE-2021-23337'], summary: 'Command injection in lodash', database_specific: { severity: 'HIGH' } }),
    { id: 'PYSEC-2026-9906', modified: new Date().toISOString(), summary: 'requests leaks headers', affected: [{ package: { ecosystem: 'PyPI', name: 'requests' }, versions: ['2.31.0'] }] },
    osv('GO-2026-9907', 'Go', 'stdlib', [{ introduced: '0' }, { fixed: `${goVersion.replace(/\.(\d+)$/, (_, n: string) => `.${Number(n) + 1}`)}` }], { summary: 'net/http: request smuggling' }),
    osv('GHSA-jfh8-c2jp-5v3q', 'Maven', 'org.apache.logging.log4j:log4j-core', [{ introduced: '2.0-beta9' }, { fixed: '2.15.0' }], { aliases: ['CVE-2021-44228'], summary: 'Log4Shell', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' }] }),
  ];
  mkdirSync(join(work, 'osv'));
  writeFileSync(join(work, 'osv', 'debian-all.zip'), zipSync(Object.fromEntries(records.slice(0, 5).map((r) => [`${(r as { id: string }).id}.json`, strToU8(JSON.stringify(r))]))));
  writeFileSync(join(work, 'osv', 'lang.json'), JSON.stringify(records.slice(5)));
  const update = await cli(['images', 'db', 'update', '--from', join(work, 'osv'), '--db', join(work, 'db')]);
  assert.equal(update.status, 0, update.stderr);
});

after(async () => {
  await token?.stop();
  await basic?.stop();
});

describe('kubemoat images with a real registry', () => {
  test('vulnerabilities per image: Debian source packages matched per release, backports not reported, layers shared', async () => {
    const refs = [`${token.host}/library/debian:12`, `${token.host}/team/app:1`, `${token.host}/team/app:2`];
    const r = await cli(['images', ...refs, '--db', join(work, 'db'), '--docker-config', dockerConfig([token]), '--format', 'json', '--no-save-state', '--fail-on', 'critical']);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(token.tokensIssued() > 0, 'the Bearer token flow ran');
    const report = JSON.parse(r.stdout) as { findings: JsonFinding[]; coverage: { reason: string }[]; summary: { resources: number } };
    const byImage = (ref: string) => report.findings.filter((f) => f.resource?.name === ref).map((f) => `${f.message.split(' ')[0]} ${/affected by ([^\s,]+)/.exec(f.message)?.[1]}`).sort();
    const glibcHits = ['libc-bin DSA-9901-1', 'libc6 DSA-9901-1'];
    const zlibHit = 'zlib1g DEBIAN-CVE-2026-9905';
    assert.deepEqual(byImage(refs[0]), [...glibcHits, zlibHit].sort());
    assert.deepEqual(byImage(refs[1]), [...glibcHits, 'lodash GHSA-35jh-r3h4-6jhm', 'requests PYSEC-2026-9906', zlibHit].sort());
    assert.deepEqual(byImage(refs[2]), [...glibcHits, zlibHit].sort(), 'lodash 4.17.21 is the fixed version');
    const all = report.findings.map((f) => f.message).join('\n');
    for (const backported of ['DSA-9902-1', 'DSA-9903-1', 'DLA-9904-1']) assert.ok(!all.includes(backported), `${backported} must not be reported`);
    const glibcFinding = report.findings.find((f) => f.message.startsWith('libc6'))!;
    assert.equal(glibcFinding.severity, 'critical', 'CVSS 9.8 from the record');
    assert.match(glibcFinding.message, new RegExp(`fixed in ${glibc.version.replace(/[.+]/g, '\\$&')}\\+kmtest1`));
    assert.match(glibcFinding.remediation, /Upgrade glibc to/);
    assert.equal(report.summary.resources, 3);
  });

  test('--only-fixed drops records without a fix; cross-image views by package and by vulnerability', async () => {
    const refs = [`${token.host}/team/app:1`, `${token.host}/team/app:2`];
    const common = ['--db', join(work, 'db'), '--docker-config', dockerConfig([token]), '--no-save-state'];
    const fixed = await cli(['images', ...refs, ...common, '--only-fixed', '--format', 'json']);
    const ids = (JSON.parse(fixed.stdout) as { findings: JsonFinding[] }).findings.map((f) => /affected by ([^\s,]+)/.exec(f.message)?.[1]);
    assert.ok(!ids.includes('DEBIAN-CVE-2026-9905') && !ids.includes('PYSEC-2026-9906'));
    assert.ok(ids.includes('GHSA-35jh-r3h4-6jhm'));
    const pk = await cli(['images', ...refs, ...common, '--view', 'packages', '--package', 'lodash', '--format', 'json']);
    assert.equal(pk.status, 0, pk.stderr);
    const rows = (JSON.parse(pk.stdout) as { rows: { version: string; images: string[]; vulnerabilities: string[] }[] }).rows;
    assert.deepEqual(rows.map((x) => [x.version, x.images, x.vulnerabilities]).sort(), [
      ['4.17.20', [refs[0]], ['GHSA-35jh-r3h4-6jhm']],
      ['4.17.21', [refs[1]], []],
    ]);
    const libc = await cli(['images', ...refs, ...common, '--view', 'packages', '--package', 'glibc']);
    assert.match(libc.stdout, /deb libc6 .*: 2 image\(s\)/);
    const where = await cli(['images', ...refs, ...common, '--view', 'vulns', '--vuln', 'CVE-2026-9901']);
    assert.match(where.stdout, /CRITICAL DSA-9901-1/);
    assert.ok(where.stdout.includes(refs[0]) && where.stdout.includes(refs[1]));
    assert.ok(!where.stdout.includes('lodash'));
  });

  test('basic auth registry, a real Go binary and a Java archive in an image built by umoci; SBOM', async () => {
    const ref = `${basic.host}/team/tools:1`;
    const r = await cli(['images', ref, '--db', join(work, 'db'), '--docker-config', dockerConfig([basic]), '--format', 'json', '--no-save-state']);
    const report = JSON.parse(r.stdout) as { findings: JsonFinding[] };
    const msgs = report.findings.map((f) => f.message);
    assert.ok(msgs.some((m) => m.startsWith('stdlib') && m.includes('GO-2026-9907')), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.startsWith('org.apache.logging.log4j:log4j-core 2.14.1') && m.includes('CVE-2021-44228')));
    assert.equal(report.findings.find((f) => f.message.includes('Log4Shell'))?.severity, 'critical');
    const sbomFile = join(work, 'tools.cdx.json');
    const s = await cli(['images', 'sbom', ref, '--docker-config', dockerConfig([basic]), '-o', sbomFile]);
    assert.equal(s.status, 0, s.stderr);
    const bom = JSON.parse(readFileSync(sbomFile, 'utf8')) as { bomFormat: string; specVersion: string; components: { purl?: string }[]; metadata: { component: { name: string; version: string } } };
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.metadata.component.name, ref);
    assert.match(bom.metadata.component.version, /^sha256:[a-f0-9]{64}$/);
    const purls = bom.components.map((c) => c.purl);
    assert.ok(purls.includes('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'));
    assert.ok(purls.some((p) => p?.startsWith('pkg:golang/stdlib@')));
  });

  test('SBOM of the Debian image lists the real dpkg database with source packages', async () => {
    const s = await cli(['images', 'sbom', `${token.host}/library/debian:12`, '--docker-config', dockerConfig([token])]);
    assert.equal(s.status, 0, s.stderr);
    const bom = JSON.parse(s.stdout) as { components: { name: string; version: string; purl?: string; properties?: { name: string; value: string }[] }[] };
    const libc6 = bom.components.find((c) => c.name === 'libc6')!;
    assert.equal(libc6.version, glibc.binaryVersion);
    assert.equal(libc6.purl, `pkg:deb/debian/libc6@${encodeURIComponent(glibc.binaryVersion)}?distro=debian-12`);
    assert.ok(libc6.properties?.some((p) => p.name === 'kubemoat:package:source' && p.value === `glibc ${glibc.version}`));
    const installed = execFileSync('dpkg-query', [`--admindir=/var/cache/kubemoat-images/bookworm-minbase/var/lib/dpkg`, '-W', '-f', '${db:Status-Abbrev}\n'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('ii')).length;
    assert.equal(bom.components.filter((c) => c.purl?.startsWith('pkg:deb/')).length, installed, 'every installed package, as dpkg counts them');
    assert.ok(zlib.version.length > 0);
  });

  test('images from manifests: per workload, trust rules, and a tag that moved since the last scan', async () => {
    const manifests = join(work, 'manifests');
    mkdirSync(manifests, { recursive: true });
    const tagged = `${token.host}/team/app:latest`;
    writeFileSync(
      join(manifests, 'apps.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: "${tagged}"}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: ops}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - {name: job, image: "${tagged}"}
            - {name: sidecar, image: "${token.host}/library/debian:12"}
`,
    );
    writeFileSync(join(work, 'kubemoat.yaml'), 'trustedRegistries: ["ghcr.io/acme"]\n');
    const state = join(work, 'seen.json');
    const args = ['images', '--manifests', manifests, '--db', join(work, 'db'), '--docker-config', dockerConfig([token]), '--state', state, '-c', join(work, 'kubemoat.yaml'), '--format', 'json'];
    const first = await cli(args);
    const report = JSON.parse(first.stdout) as { findings: JsonFinding[]; target: { source: string; images: string[] } };
    assert.equal(report.target.source, 'manifests');
    assert.deepEqual(report.target.images.sort(), [`${token.host}/library/debian:12`, tagged].sort());
    const lodash = report.findings.find((f) => f.message.startsWith('lodash'))!;
    assert.match(lodash.evidence ?? '', /run by CronJob ops\/report \(job\), Deployment shop\/web \(web\)/);
    const trust = report.findings.filter((f) => f.ruleId === 'KM-IM-001' || f.ruleId === 'KM-IM-002' || f.ruleId === 'KM-IM-003');
    assert.ok(trust.some((f) => f.ruleId === 'KM-IM-001' && f.resource?.name === 'web'), 'latest tag, per workload');
    assert.ok(trust.some((f) => f.ruleId === 'KM-IM-003' && f.resource?.name === 'report' && f.resource.container === 'sidecar'), 'registry outside the allow-list');
    assert.ok(!report.findings.some((f) => f.ruleId === 'KM-IM-005'), 'nothing to compare on the first scan');

    const workloads = await cli([...args.slice(0, -2), '--view', 'workloads']);
    assert.match(workloads.stdout, /CronJob ops\/report \(sidecar\): .*debian:12: 2 critical/);

    // the tag now names another image
    await pushWithSkopeo(join(work, 'oci'), 'app2', token, 'team/app', 'latest');
    const second = await cli(args);
    const moved = (JSON.parse(second.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.ruleId === 'KM-IM-005');
    assert.equal(moved.length, 1);
    assert.match(moved[0].message, new RegExp(`${tagged.replace(/[.]/g, '\\.')} now resolves to sha256:`));
    assert.match(moved[0].evidence ?? '', /Deployment shop\/web/);
    const third = await cli(args);
    assert.ok(!(JSON.parse(third.stdout) as { findings: JsonFinding[] }).findings.some((f) => f.ruleId === 'KM-IM-005'), 'reported once, then remembered');
  });

  test('no credentials, a missing image, a missing database: clear errors naming the place, the rest still scanned', async () => {
    const ok = `${basic.host}/team/tools:1`;
    const r = await cli(['images', `${token.host}/team/app:1`, `${basic.host}/team/nothing:1`, ok, '--db', join(work, 'db'), '--docker-config', join(work, 'none.json'), '--format', 'json', '--no-save-state']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`${token.host.replace(/\./g, '\\.')}/team/app:1: .*(refused \\(401\\)|access denied)`));
    assert.match(r.stderr, /team\/nothing:1: .*(not found|access denied)/);
    const noDb = await cli(['images', ok, '--db', join(work, 'no-db')]);
    assert.equal(noDb.status, 2);
    assert.match(noDb.stderr, /no vulnerability database in .*no-db/);
  });
});
