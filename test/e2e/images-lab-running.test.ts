// `kubemoat images` on the live lab cluster scans what the pods run, not only what the tag names now.
// A Deployment's pod pulls shop/app:1 from a registry on the lab's loopback; then a new build is
// pushed under the same tag. The kubelet still reports the first build's digest, so kubemoat must say
// that the pods run another build than the tag (KM-IM-005) and find the vulnerable library that only
// the running build carries (KM-IM-004, under its digest).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { inNetns, kubectl, kubectlOk, labUp, run, type LabEnv } from '../helpers/lab.js';
import { pushWithSkopeo, runCliAsync, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { sha256, tarOf, writeOciLayout, type FixtureLayer } from '../helpers/image-fixtures.js';

const NS = 'kmtest-images-running';
const work = mkdtempSync(join(tmpdir(), 'km-images-running-'));
chmodSync(work, 0o755);
let env: LabEnv;
let registry: TestRegistry;
let runningDigest = '';
let tagDigest = '';

interface Descriptor {
  mediaType: string;
  digest: string;
}

/** The lab's busybox image as containerd holds it: its layers and their diff ids, to build runnable images on. */
async function busyboxBase(): Promise<{ layers: FixtureLayer[]; diffIds: string[] }> {
  const dir = join(work, 'busybox');
  mkdirSync(dir, { recursive: true });
  const exported = await run('ctr', ['--address', env.containerdSocket, '-n', 'k8s.io', 'images', 'export', join(work, 'busybox.tar'), 'kubemoat.local/lab/busybox:1.35']);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal((await run('tar', ['-xf', join(work, 'busybox.tar'), '-C', dir])).code, 0);
  const blob = (d: string): Buffer => readFileSync(join(dir, 'blobs', ...d.split(':')));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString()) as { config: Descriptor; layers: Descriptor[] };
  const config = JSON.parse(blob(manifest.config.digest).toString()) as { rootfs: { diff_ids: string[] } };
  return { layers: manifest.layers.map((l) => ({ blob: blob(l.digest), mediaType: l.mediaType })), diffIds: config.rootfs.diff_ids };
}

function lodashLayer(version: string): { layer: FixtureLayer; diffId: string } {
  const tar = tarOf([{ path: 'srv/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version }) }]);
  return { layer: { blob: tar, mediaType: 'application/vnd.oci.image.layer.v1.tar' }, diffId: sha256(tar) };
}

async function podImageId(): Promise<string> {
  for (let i = 0; i < 60; i++) {
    const out = await kubectl(env, ['-n', NS, 'get', 'pods', '-l', 'app=app', '-o', 'jsonpath={.items[0].status.phase} {.items[0].status.containerStatuses[0].imageID}']);
    const [phase, imageID] = out.stdout.trim().split(' ');
    if (phase === 'Running' && imageID) return imageID;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the pod did not start');
}

before(async () => {
  env = await labUp('insecure');
  registry = await startRegistry('none', env.netns);
  const base = await busyboxBase();
  const old = lodashLayer('4.17.20');
  const fixed = lodashLayer('4.17.21');
  writeOciLayout(join(work, 'oci'), [
    { tag: 'old', layers: [...base.layers, old.layer], diffIds: [...base.diffIds, old.diffId] },
    { tag: 'new', layers: [...base.layers, fixed.layer], diffIds: [...base.diffIds, fixed.diffId] },
  ]);
  writeFileSync(join(work, 'lodash.json'), JSON.stringify({ id: 'GHSA-35jh-r3h4-6jhm', modified: new Date().toISOString(), aliases: ['CVE-2021-23337'], summary: 'Command injection in lodash', affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] }));
  const u = await runCliAsync(CLI, ['images', 'db', 'update', '--from', join(work, 'lodash.json'), '--db', join(work, 'db')]);
  assert.equal(u.status, 0, u.stderr);

  await pushWithSkopeo(join(work, 'oci'), 'old', registry, 'shop/app', '1', false, env.netns);
  await kubectl(env, ['delete', 'namespace', NS, '--ignore-not-found', '--wait=true']);
  await kubectlOk(env, ['create', 'namespace', NS]);
  writeFileSync(join(work, 'app.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: app, image: "${registry.host}/shop/app:1", imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}]
`);
  await kubectlOk(env, ['apply', '-f', join(work, 'app.yaml')]);
  const imageID = await podImageId();
  // (its repository is whichever name the node first pulled that content under: an earlier run's registry, say)
  assert.match(imageID, /^[^@]+\/shop\/app@sha256:[a-f0-9]{64}$/, 'the kubelet reports the digest it pulled');
  runningDigest = imageID.split('@')[1];
  // a new build behind the same tag; the running pod keeps the old one
  await pushWithSkopeo(join(work, 'oci'), 'new', registry, 'shop/app', '1', false, env.netns);
  const inspected = await inNetns(env, 'skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${registry.host}/shop/app:1`]);
  assert.equal(inspected.code, 0, inspected.stderr);
  tagDigest = inspected.stdout.trim();
  assert.notEqual(tagDigest, runningDigest);
});

after(async () => {
  if (env) {
    await kubectl(env, ['delete', 'namespace', NS, '--ignore-not-found', '--wait=true']);
    // leave the node's image store as it was: drop what this test pulled
    const images = await run('ctr', ['--address', env.containerdSocket, '-n', 'k8s.io', 'images', 'ls', '-q']);
    const pulled = images.stdout.split('\n').filter((n) => /^127\.0\.0\.1:\d+\/shop\/app[:@]/.test(n));
    if (pulled.length > 0) await run('ctr', ['--address', env.containerdSocket, '-n', 'k8s.io', 'images', 'rm', ...pulled]);
  }
  await registry?.stop();
});

test('the build the pods run is scanned under its digest, and its difference from the tag is reported', async () => {
  const args = [CLI, 'images', '--kubeconfig', env.adminKubeconfig, '-n', NS, '--db', join(work, 'db'), '--no-save-state', '--format', 'json', '--fail-on', 'never'];
  const r = await inNetns(env, process.execPath, args, { env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') } });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { findings: { ruleId: string; message: string; evidence?: string; resource?: { kind: string; name: string } }[]; coverage: { target: string; reason: string }[] };
  const tag = `${registry.host}/shop/app:1`;
  const running = `${registry.host}/shop/app@${runningDigest}`;
  const moved = report.findings.filter((f) => f.ruleId === 'KM-IM-005');
  assert.equal(moved.length, 1, JSON.stringify(report.findings, null, 1));
  assert.equal(moved[0].message, `${tag} resolves to ${tagDigest} in the registry, but pods run another build of it, ${runningDigest}`);
  assert.match(moved[0].evidence ?? '', new RegExp(`pods run ${running.replace(/[.]/g, '\\.')}; run by Deployment ${NS}/app \\(app\\)`));
  const vulns = report.findings.filter((f) => f.ruleId === 'KM-IM-004');
  assert.deepEqual(vulns.map((f) => f.resource?.name), [running], 'lodash 4.17.20 is only in the build that runs');
  assert.match(vulns[0].message, /lodash 4\.17\.20 in .*@sha256:.* GHSA-35jh-r3h4-6jhm/);
  assert.deepEqual(report.coverage.filter((c) => c.target.includes('shop/app')), []);
});
