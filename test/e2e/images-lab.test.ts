// `kubemoat images` with no reference on the live lab cluster: it takes the images the workloads
// run (here: a namespace this test creates), reads the imagePullSecret the pods name for the
// registry's credentials, and reports each vulnerable image with the workloads that run it. The
// registry runs on the loopback of the lab's own network namespace, where kubemoat runs too.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { inNetns, kubectl, kubectlOk, labUp, type LabEnv } from '../helpers/lab.js';
import { pushWithSkopeo, runCliAsync, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { gzip, tarOf, writeOciLayout } from '../helpers/image-fixtures.js';

const NS = 'kmtest-images';
const work = mkdtempSync(join(tmpdir(), 'km-images-lab-'));
chmodSync(work, 0o755);
let env: LabEnv;
let registry: TestRegistry;

before(async () => {
  env = await labUp('insecure');
  registry = await startRegistry('basic', env.netns);
  writeOciLayout(join(work, 'oci'), [
    { tag: 'web', layers: [{ blob: gzip(tarOf([{ path: 'srv/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20"}' }])) }] },
    { tag: 'batch', layers: [{ blob: gzip(tarOf([{ path: 'srv/node_modules/left-pad/package.json', content: '{"name":"left-pad","version":"1.3.0"}' }])) }] },
  ]);
  await pushWithSkopeo(join(work, 'oci'), 'web', registry, 'shop/web', '1', true, env.netns);
  await pushWithSkopeo(join(work, 'oci'), 'batch', registry, 'shop/batch', '1', true, env.netns);
  writeFileSync(join(work, 'lodash.json'), JSON.stringify({ id: 'GHSA-35jh-r3h4-6jhm', modified: new Date().toISOString(), aliases: ['CVE-2021-23337'], summary: 'Command injection in lodash', affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] }));
  const u = await runCliAsync(CLI, ['images', 'db', 'update', '--from', join(work, 'lodash.json'), '--db', join(work, 'db')]);
  assert.equal(u.status, 0, u.stderr);
  await kubectl(env, ['delete', 'namespace', NS, '--ignore-not-found', '--wait=true']);
  await kubectlOk(env, ['create', 'namespace', NS]);
  await kubectlOk(env, ['-n', NS, 'create', 'secret', 'docker-registry', 'regcred', `--docker-server=${registry.host}`, `--docker-username=${registry.user}`, `--docker-password=${registry.password}`]);
  // replicas 0: the workloads exist for kubemoat to read, without pods pulling anything
  // the CronJob's pods get the pull secret from their service account, as admission would give it them
  const manifests = `apiVersion: v1
kind: ServiceAccount
metadata: {name: batch-runner, namespace: ${NS}}
imagePullSecrets: [{name: regcred}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      imagePullSecrets: [{name: regcred}]
      containers: [{name: web, image: "${registry.host}/shop/web:1"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ${NS}}
spec:
  schedule: "0 3 * * *"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          serviceAccountName: batch-runner
          containers:
            - {name: batch, image: "${registry.host}/shop/batch:1"}
            - {name: helper, image: "${registry.host}/shop/web:1"}
`;
  writeFileSync(join(work, 'workloads.yaml'), manifests);
  await kubectlOk(env, ['apply', '-f', join(work, 'workloads.yaml')]);
});

after(async () => {
  if (env) await kubectl(env, ['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  await registry?.stop();
});

test('every image the cluster runs, scanned once, with credentials from the imagePullSecret, reported per workload', async () => {
  writeFileSync(join(work, 'empty-docker-config.json'), '{"auths":{}}');
  const args = [CLI, 'images', '--kubeconfig', env.adminKubeconfig, '-n', NS, '--db', join(work, 'db'), '--docker-config', join(work, 'empty-docker-config.json'), '--no-save-state'];
  const r = await inNetns(env, process.execPath, [...args, '--format', 'json', '--fail-on', 'never'], { env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') } });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { target: { source: string; images: string[] }; findings: { ruleId: string; message: string; evidence?: string; resource?: { kind: string; name: string } }[]; coverage: { target: string; reason: string }[] };
  assert.equal(report.target.source, 'cluster');
  assert.deepEqual(report.target.images, [`${registry.host}/shop/batch:1`, `${registry.host}/shop/web:1`]);
  const unreadable = report.coverage.filter((c) => c.target.includes('shop/batch') || c.reason.includes('401'));
  assert.deepEqual(unreadable, [], 'shop/batch is read with the pull secret of the service account its pods run as');
  const vulns = report.findings.filter((f) => f.ruleId === 'KM-IM-004');
  assert.equal(vulns.length, 1, 'one vulnerable image, reported once although two workloads run it');
  assert.match(vulns[0].message, /lodash 4\.17\.20 .* GHSA-35jh-r3h4-6jhm/);
  assert.match(vulns[0].evidence ?? '', new RegExp(`run by CronJob ${NS}/nightly \\(helper\\), Deployment ${NS}/web \\(web\\)`));
  assert.ok(report.findings.some((f) => f.ruleId === 'KM-IM-002' && f.resource?.kind === 'Deployment'), 'tag instead of digest, per workload');
  assert.ok(!r.stdout.includes(registry.password) && !r.stderr.includes(registry.password), 'the pull secret is never printed');

  const where = await inNetns(env, process.execPath, [...args, '--view', 'vulns', '--vuln', 'CVE-2021-23337'], { env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') } });
  assert.match(where.stdout, new RegExp(`images: ${registry.host.replace(/\./g, '\\.')}/shop/web:1`));
  assert.match(where.stdout, /run by CronJob kmtest-images\/nightly \(helper\), Deployment kmtest-images\/web \(web\)/);
});
