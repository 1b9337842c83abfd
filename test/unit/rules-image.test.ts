// Image rules (KM-IM-001..003) and the image-reference parser they share.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_CONFIG, type KubemoatConfig } from '../../src/core/config.js';
import { parseImageRef, parseRegistryEntry, registryEntryAllows } from '../../src/rules/image-ref.js';
import latestTag from '../../src/rules/image/latest-tag.js';
import digestMissing from '../../src/rules/image/digest-missing.js';
import untrustedRegistry, { EXAMPLE_TRUSTED_REGISTRIES } from '../../src/rules/image/untrusted-registry.js';
import type { Rule } from '../../src/core/rule.js';
import { scanText } from '../helpers/scan.js';

const DIGEST = 'sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa';

function findings(yaml: string, rule: Rule, config: KubemoatConfig = EMPTY_CONFIG) {
  const report = scanText(yaml, [rule], config);
  assert.deepEqual(report.coverage, []);
  return report.findings.filter((f) => f.ruleId === rule.meta.id);
}

function pod(...images: string[]): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
spec:
  containers:
${images.map((img, i) => `    - name: c${i}\n      image: "${img}"`).join('\n')}`;
}

const trusted = (...entries: string[]): KubemoatConfig => ({ ...EMPTY_CONFIG, trustedRegistries: entries });

describe('parseImageRef', () => {
  const cases: [string, { registry: string; path: string; tag?: string; digest?: string } | undefined][] = [
    ['nginx', { registry: 'docker.io', path: 'library/nginx' }],
    ['nginx:1.27', { registry: 'docker.io', path: 'library/nginx', tag: '1.27' }],
    ['user/app:v2', { registry: 'docker.io', path: 'user/app', tag: 'v2' }],
    ['docker.io/nginx', { registry: 'docker.io', path: 'library/nginx' }],
    ['index.docker.io/library/redis:7', { registry: 'docker.io', path: 'library/redis', tag: '7' }],
    ['localhost:5000/app', { registry: 'localhost:5000', path: 'app' }],
    ['localhost/app:1', { registry: 'localhost', path: 'app', tag: '1' }],
    ['registry.example.com:5000/team/app:1.0', { registry: 'registry.example.com:5000', path: 'team/app', tag: '1.0' }],
    ['[::1]:5000/app:1', { registry: '[::1]:5000', path: 'app', tag: '1' }],
    ['Registry/app', { registry: 'registry', path: 'app' }],
    [`app@${DIGEST}`, { registry: 'docker.io', path: 'library/app', digest: DIGEST }],
    [`ghcr.io/acme/app:latest@${DIGEST}`, { registry: 'ghcr.io', path: 'acme/app', tag: 'latest', digest: DIGEST }],
    ['{{ .Values.image }}', undefined],
    ['$(IMAGE)', undefined],
    ['App:1', undefined],
    ['app:', undefined],
    ['app@sha256:abc', undefined],
    ['', undefined],
  ];
  for (const [input, expected] of cases) {
    test(`${input || '(empty)'}`, () => {
      const ref = parseImageRef(input);
      if (expected === undefined) return assert.equal(ref, undefined);
      assert.ok(ref);
      assert.equal(ref.registry, expected.registry);
      assert.equal(ref.path, expected.path);
      assert.equal(ref.tag, expected.tag);
      assert.equal(ref.digest, expected.digest);
    });
  }
});

describe('trusted registry entries', () => {
  const allows = (entry: string, image: string): boolean => registryEntryAllows(parseRegistryEntry(entry), parseImageRef(image)!);
  test('a host allows everything on it, and only on that host and port', () => {
    assert.ok(allows('ghcr.io', 'ghcr.io/anyone/app:1'));
    assert.ok(allows('GHCR.io/', 'ghcr.io/anyone/app:1'));
    assert.ok(!allows('registry.example.com', 'registry.example.com:5000/app:1'));
    assert.ok(allows('registry.example.com:5000', 'registry.example.com:5000/app:1'));
    assert.ok(!allows('ghcr.io', 'ghcr.io.evil.example/app:1'));
  });
  test('a path prefix matches whole segments', () => {
    assert.ok(allows('ghcr.io/acme', 'ghcr.io/acme/app:1'));
    assert.ok(allows('ghcr.io/acme', 'ghcr.io/acme/team/app:1'));
    assert.ok(!allows('ghcr.io/acme', 'ghcr.io/acme-evil/x:1'));
    assert.ok(!allows('ghcr.io/acme', 'ghcr.io/acmex:1'));
  });
  test('Docker Hub: names without a registry, its aliases, and bare namespaces', () => {
    assert.ok(allows('docker.io', 'nginx:1'));
    assert.ok(allows('docker.io/library', 'nginx:1'));
    assert.ok(!allows('docker.io/library', 'user/app:1'));
    assert.ok(allows('docker.io/user', 'user/app:1'));
    assert.ok(allows('index.docker.io', 'registry-1.docker.io/user/app:1'));
    assert.ok(allows('bitnami', 'bitnami/redis:7'));
    assert.ok(!allows('bitnami', 'quay.io/bitnami/redis:7'));
  });
  test('a wildcard host covers subdomains, not the apex', () => {
    assert.ok(allows('*.dkr.ecr.eu-west-1.amazonaws.com', '000000000000.dkr.ecr.eu-west-1.amazonaws.com/api:1'));
    assert.ok(!allows('*.dkr.ecr.eu-west-1.amazonaws.com', 'dkr.ecr.eu-west-1.amazonaws.com/api:1'));
    assert.ok(!allows('*.example.com', 'evil-example.com/api:1'));
  });
  test('a scheme in the entry is ignored', () => {
    assert.ok(allows('https://registry.example.com', 'registry.example.com/app:1'));
  });
});

describe('KM-IM-001 latest or no tag', () => {
  test('reports no tag and latest, not digests or other tags', () => {
    const f = findings(pod('nginx', 'nginx:latest', 'nginx:1.27', `nginx@${DIGEST}`, `nginx:latest@${DIGEST}`, 'localhost:5000/app', 'ghcr.io/acme/app:latest-2'), latestTag);
    assert.deepEqual(f.map((x) => x.resource?.container), ['c0', 'c1', 'c5']);
    assert.equal(f[0].message, 'container `c0` in Pod ns/p uses image `nginx` with no tag, so the runtime pulls `latest`');
    assert.equal(f[1].message, 'container `c1` in Pod ns/p uses image `nginx:latest` with the mutable `latest` tag');
    assert.equal(f[0].location?.line, 7, 'points at the image field');
    assert.equal(f[0].severity, 'medium');
  });
  test('checks init and ephemeral containers, ignores unparseable references', () => {
    const yaml = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: i, image: busybox}]
  containers: [{name: c, image: "{{ .Values.image }}"}]
  ephemeralContainers: [{name: e, image: "busybox:latest"}]`;
    assert.deepEqual(findings(yaml, latestTag).map((x) => x.resource?.container), ['i', 'e']);
  });
  test('`Latest` is a different tag from `latest`', () => {
    assert.equal(findings(pod('nginx:Latest'), latestTag).length, 0);
  });
});

describe('KM-IM-002 not pinned by digest', () => {
  test('reports every reference without a digest', () => {
    const f = findings(pod('nginx', 'nginx:1.27', `nginx@${DIGEST}`, `ghcr.io/acme/app:1.0@${DIGEST}`), digestMissing);
    assert.deepEqual(f.map((x) => x.resource?.container), ['c0', 'c1']);
    assert.equal(f[1].message, 'container `c1` in Pod ns/p uses image `nginx:1.27`, which is not pinned by digest');
    assert.equal(f[1].severity, 'low');
  });
});

describe('KM-IM-003 registry outside the allow-list', () => {
  test('is silent without an allow-list', () => {
    assert.equal(findings(pod('evil.example/miner:1'), untrustedRegistry).length, 0);
  });
  test('its examples hold with the example allow-list', () => {
    const config = trusted(...EXAMPLE_TRUSTED_REGISTRIES);
    untrustedRegistry.examples.fail.forEach((yaml, i) => assert.ok(findings(yaml, untrustedRegistry, config).length > 0, `fail example ${i + 1}`));
    untrustedRegistry.examples.pass.forEach((yaml, i) => assert.deepEqual(findings(yaml, untrustedRegistry, config).map((f) => f.message), [], `pass example ${i + 1}`));
  });
  test('names the image, its canonical name and the allow-list', () => {
    const f = findings(pod('ghcr.io/acme-evil/x:1', 'nginx:1.27', 'ghcr.io/acme/app:1'), untrustedRegistry, trusted('ghcr.io/acme'));
    assert.equal(f.length, 2);
    assert.equal(f[0].message, 'container `c0` in Pod ns/p pulls `ghcr.io/acme-evil/x:1`, which no trustedRegistries entry allows (ghcr.io/acme)');
    assert.equal(f[1].message, 'container `c1` in Pod ns/p pulls `nginx:1.27` (docker.io/library/nginx), which no trustedRegistries entry allows (ghcr.io/acme)');
    assert.equal(f[0].severity, 'high');
    assert.equal(f[0].location?.line, 7);
  });
  test('covers init containers and CronJobs', () => {
    const yaml = `apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: i, image: "quay.io/x/y:1"}]
          containers: [{name: c, image: "registry.example.com/y:1"}]`;
    assert.deepEqual(findings(yaml, untrustedRegistry, trusted('registry.example.com')).map((f) => f.resource?.container), ['i']);
  });
});
