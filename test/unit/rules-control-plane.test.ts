// Control-plane (KM-CP-…) and etcd (KM-ET-…) rules: their own examples, kubeadm's defaults,
// effective defaults of absent flags, the forms a flag can take, and the fixtures scanned end to end.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { controlPlaneRules } from '../../src/rules/control-plane/index.js';
import { etcdRules } from '../../src/rules/etcd/index.js';
import { catalogue } from '../../src/rules/catalogue.js';
import {
  HARDENED_APISERVER,
  HARDENED_CONTROLLER_MANAGER,
  HARDENED_SCHEDULER,
  KUBEADM_APISERVER,
  KUBEADM_CONTROLLER_MANAGER,
  KUBEADM_ETCD,
  KUBEADM_SCHEDULER,
  staticPod,
  withFlags,
} from '../../src/rules/control-plane/examples.js';
import { etcdPod, MEMBER_ETCD } from '../../src/rules/etcd/examples.js';
import { scanManifests } from '../../src/core/pipeline.js';
import { EMPTY_CONFIG } from '../../src/core/config.js';
import type { Finding } from '../../src/core/finding.js';
import type { Report } from '../../src/core/report.js';
import type { Rule } from '../../src/core/rule.js';
import { scanText } from '../helpers/scan.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const RULES: readonly Rule[] = [...controlPlaneRules, ...etcdRules];

function scan(yaml: string): Finding[] {
  const report = scanText(yaml, RULES);
  assert.deepEqual(report.coverage, [], 'the manifest parses cleanly');
  return report.findings;
}

function ids(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.ruleId))].sort();
}

function only(findings: readonly Finding[], id: string): Finding[] {
  return findings.filter((f) => f.ruleId === id);
}

describe('rule metadata and examples', () => {
  test('ids are unique, grouped by door, with CIS ids from sections 1 and 2', () => {
    const all = RULES.map((r) => r.meta.id);
    assert.equal(new Set(all).size, all.length);
    for (const r of controlPlaneRules) {
      assert.match(r.meta.id, /^KM-CP-\d{3}$/);
      assert.equal(r.meta.door, 'control-plane');
      for (const cis of r.meta.frameworks.cis ?? []) assert.match(cis, /^1\.[234]\.\d+$/, r.meta.id);
    }
    for (const r of etcdRules) {
      assert.match(r.meta.id, /^KM-ET-\d{3}$/);
      assert.equal(r.meta.door, 'etcd');
      for (const cis of r.meta.frameworks.cis ?? []) assert.match(cis, /^2\.\d$/, r.meta.id);
    }
  });

  for (const rule of RULES) {
    test(`${rule.meta.id}: failing examples report it with a location, passing ones stay silent`, () => {
      assert.ok(rule.examples.fail.length > 0 && rule.examples.pass.length > 0);
      rule.examples.fail.forEach((yaml, i) => {
        const report = scanText(yaml, [rule]);
        assert.deepEqual(report.coverage, []);
        const mine = only(report.findings, rule.meta.id);
        assert.ok(mine.length > 0, `fail example ${i + 1}`);
        for (const f of mine) {
          assert.ok(f.location && f.location.line > 1, 'located at a field');
          assert.ok(!f.message.includes('{{'), f.message);
          assert.ok(f.evidence && f.evidence.length > 0, 'evidence');
        }
        const prints = mine.map((f) => f.fingerprint);
        assert.equal(new Set(prints).size, prints.length, 'one fingerprint per finding');
      });
      rule.examples.pass.forEach((yaml, i) => {
        const report = scanText(yaml, [rule]);
        assert.deepEqual(report.coverage, []);
        assert.deepEqual(report.findings.map((f) => f.message), [], `pass example ${i + 1}`);
      });
    });
  }
});

describe('kubeadm defaults', () => {
  test('kubeadm\'s API server: the classic benchmark failures and nothing else', () => {
    const f = scan(staticPod('kube-apiserver', KUBEADM_APISERVER));
    assert.deepEqual(ids(f), ['KM-CP-001', 'KM-CP-006', 'KM-CP-010', 'KM-CP-011', 'KM-CP-015']);
    assert.equal(f.length, 5);
  });

  test('kubeadm\'s controller manager and scheduler: profiling only; kubeadm\'s etcd: nothing', () => {
    assert.deepEqual(ids(scan(staticPod('kube-controller-manager', KUBEADM_CONTROLLER_MANAGER))), ['KM-CP-010']);
    assert.deepEqual(ids(scan(staticPod('kube-scheduler', KUBEADM_SCHEDULER))), ['KM-CP-010']);
    assert.deepEqual(scan(staticPod('etcd', KUBEADM_ETCD)), []);
    assert.deepEqual(scan(etcdPod(MEMBER_ETCD)), []);
  });

  test('the hardened variants are silent', () => {
    for (const yaml of [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      staticPod('kube-controller-manager', HARDENED_CONTROLLER_MANAGER),
      staticPod('kube-scheduler', HARDENED_SCHEDULER),
    ]) assert.deepEqual(scan(yaml).map((f) => f.message), []);
  });

  test('a missing flag points at the command list; a wrong one at its own line', () => {
    const yaml = staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'anonymous-auth': null, 'authorization-mode': 'AlwaysAllow' }));
    const lines = yaml.split('\n');
    const f = scan(yaml);
    const anonymous = only(f, 'KM-CP-001')[0];
    assert.equal(lines[anonymous.location!.line - 1].trim(), 'command:');
    const allow = only(f, 'KM-CP-002')[0];
    assert.equal(lines[allow.location!.line - 1].trim(), '- --authorization-mode=AlwaysAllow');
    assert.deepEqual(allow.resource, { apiVersion: 'v1', kind: 'Pod', namespace: 'kube-system', name: 'kube-apiserver', container: 'kube-apiserver' });
  });
});

describe('API server', () => {
  test('AlwaysAllow is one critical finding, not also "lacks Node/RBAC"', () => {
    const f = scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': 'AlwaysAllow' })));
    assert.deepEqual(ids(f), ['KM-CP-002']);
    assert.equal(f[0].severity, 'critical');
    assert.doesNotMatch(f[0].message, /anonymous requests are on/, 'anonymous auth is off here');
  });

  test('repeated --authorization-mode flags accumulate, as pflag slices do', () => {
    const flags = withFlags(HARDENED_APISERVER, { 'authorization-mode': 'Node' }).concat('--authorization-mode=RBAC');
    assert.deepEqual(scan(staticPod('kube-apiserver', flags)), []);
  });

  test('lacking both Node and RBAC is one finding', () => {
    const f = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'authorization-mode': 'Webhook' }))), 'KM-CP-003');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /without the Node authorizer or RBAC/);
  });

  test('insecure port: explicit on an unknown version is reported, 1.20+ never, loopback is high', () => {
    const digest = 'registry.example.com/kube-apiserver@sha256:0b7e7a5d1c5b0e8f29e2e8ab7ad1e6a1c5f0a0b4c3d2e1f00112233445566778';
    const unknown = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'insecure-port': '8080' }), { image: digest })), 'KM-CP-004');
    assert.deepEqual(unknown.map((f) => f.severity), ['high']);
    assert.match(unknown[0].message, /on 127\.0\.0\.1:8080/);
    assert.deepEqual(only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'insecure-port': '8080', 'insecure-bind-address': '0.0.0.0' }))), 'KM-CP-004'), []);
    const old = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { port: '8888', address: '10.0.0.10' }), { image: 'k8s.gcr.io/kube-apiserver:v1.15.12' })), 'KM-CP-004');
    assert.deepEqual(old.map((f) => f.severity), ['critical'], 'the old --port/--address aliases');
    assert.match(old[0].message, /10\.0\.0\.10:8888/);
  });

  test('admission: AlwaysAdmit next to other plugins is low; alone it is high', () => {
    const low = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'enable-admission-plugins': 'AlwaysAdmit,NodeRestriction' }))), 'KM-CP-007');
    assert.deepEqual(low.map((f) => f.severity), ['low']);
    const high = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'enable-admission-plugins': null, 'admission-control': 'AlwaysAdmit' }), { image: 'k8s.gcr.io/kube-apiserver-amd64:v1.9.11' })), 'KM-CP-007');
    assert.deepEqual(high.map((f) => f.severity), ['high']);
  });

  test('admission: NodeRestriction explicitly disabled points at the disabling flag', () => {
    const yaml = staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'disable-admission-plugins': 'NodeRestriction' }));
    const f = only(scan(yaml), 'KM-CP-008');
    assert.equal(f.length, 1);
    assert.equal(yaml.split('\n')[f[0].location!.line - 1].trim(), '- --disable-admission-plugins=NodeRestriction');
  });

  test('admission: disabling PodSecurity and NamespaceLifecycle is one finding naming both', () => {
    const f = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'disable-admission-plugins': 'PodSecurity,NamespaceLifecycle' }))), 'KM-CP-009');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /without the NamespaceLifecycle and PodSecurity admission plugins/);
  });

  test('audit: no policy means no events; before 1.8 a path alone logged', () => {
    assert.deepEqual(ids(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'audit-policy-file': null })))), ['KM-CP-011']);
    assert.deepEqual(only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'audit-policy-file': null }), { image: 'gcr.io/google_containers/kube-apiserver-amd64:v1.7.16' })), 'KM-CP-011'), []);
  });

  test('audit retention: small files only matter when the count is capped', () => {
    const unbounded = withFlags(HARDENED_APISERVER, { 'audit-log-maxbackup': null, 'audit-log-maxsize': '10' });
    assert.deepEqual(only(scan(staticPod('kube-apiserver', unbounded)), 'KM-CP-012'), []);
    const capped = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'audit-log-maxsize': '10' }))), 'KM-CP-012');
    assert.equal(capped.length, 1);
    assert.match(capped[0].message, /at most 110 MB of events are kept/);
  });

  test('etcd connection: plain HTTP to loopback is medium, to the network high; kine sockets are fine', () => {
    const local = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'etcd-servers': 'http://127.0.0.1:2379' }))), 'KM-CP-013');
    assert.deepEqual(local.map((f) => f.severity), ['medium']);
    const remote = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'etcd-servers': 'https://10.0.0.21:2379,http://10.0.0.22:2379' }))), 'KM-CP-013');
    assert.deepEqual(remote.map((f) => f.severity), ['high']);
  });

  test('credentials in URLs are never printed', () => {
    const f = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'etcd-servers': 'http://root:s3cr3t-pass@10.0.0.21:2379' }))), 'KM-CP-013');
    assert.equal(f.length, 1);
    assert.doesNotMatch(`${f[0].message} ${f[0].evidence}`, /s3cr3t/);
    assert.match(f[0].evidence ?? '', /http:\/\/\[redacted\]@10\.0\.0\.21:2379/);
  });

  test('service account lookup off and no key file are two findings at two places', () => {
    const f = only(scan(staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'service-account-lookup': 'false', 'service-account-key-file': null }))), 'KM-CP-016');
    assert.deepEqual(f.map((x) => x.severity).sort(), ['low', 'medium']);
    assert.notEqual(f[0].fingerprint, f[1].fingerprint);
  });

  test('a mirror pod (with the kubelet\'s annotation) is judged the same way', () => {
    const mirror = staticPod('kube-apiserver', KUBEADM_APISERVER).replace('metadata:', 'metadata:\n  annotations: {kubernetes.io/config.mirror: 3f1c0a8e}');
    assert.deepEqual(ids(scan(mirror)), ['KM-CP-001', 'KM-CP-006', 'KM-CP-010', 'KM-CP-011', 'KM-CP-015']);
  });

  test('an API server started from a shell line is judged; flags kubemoat cannot see silence it', () => {
    const shell = `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  hostNetwork: true
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.30.2
      command:
        - /bin/sh
        - -c
        - >-
          exec /usr/local/bin/kube-apiserver ${HARDENED_APISERVER.filter((x) => !x.startsWith('--authorization-mode')).join(' ')}
          --authorization-mode=AlwaysAllow 1>>/var/log/kube-apiserver.log 2>&1`;
    const f = scan(shell);
    assert.deepEqual(ids(f), ['KM-CP-002']);
    assert.equal(f[0].location?.line, 12, 'the shell line');
    const opaque = shell.replace('2>&1', '"$@" 2>&1');
    assert.deepEqual(scan(opaque), []);
  });
});

describe('controller manager and scheduler', () => {
  test('--use-service-account-credentials defaults to false; a bare flag is true', () => {
    assert.deepEqual(ids(scan(staticPod('kube-controller-manager', withFlags(HARDENED_CONTROLLER_MANAGER, { 'use-service-account-credentials': null })))), ['KM-CP-017']);
  });

  test('bind address: absent is every interface; 127.0.0.2 is loopback; a scheduler --config does not hide it', () => {
    assert.deepEqual(ids(scan(staticPod('kube-controller-manager', withFlags(HARDENED_CONTROLLER_MANAGER, { 'bind-address': null })))), ['KM-CP-019']);
    assert.deepEqual(scan(staticPod('kube-scheduler', withFlags(HARDENED_SCHEDULER, { 'bind-address': '127.0.0.2' }))), []);
    const configured = scan(staticPod('kube-scheduler', withFlags(KUBEADM_SCHEDULER, { 'bind-address': null, config: '/etc/kubernetes/scheduler-config.yaml' })));
    assert.deepEqual(ids(configured), ['KM-CP-019'], 'profiling is in the config file; the bind address is still a flag');
  });
});

describe('etcd', () => {
  test('without TLS listeners the client finding is "plain HTTP", not also "no client certificates"', () => {
    const f = scan(etcdPod(['--data-dir=/var/lib/etcd', '--listen-client-urls=http://0.0.0.0:2379', '--advertise-client-urls=http://10.0.0.10:2379']));
    assert.deepEqual(ids(f), ['KM-ET-002']);
    assert.equal(f[0].severity, 'critical');
  });

  test('reach sets severity: network critical, node loopback high, pod loopback low', () => {
    const noAuth = withFlags(KUBEADM_ETCD, { 'client-cert-auth': null, 'trusted-ca-file': null });
    assert.deepEqual(only(scan(etcdPod(noAuth)), 'KM-ET-001').map((f) => f.severity), ['critical']);
    const loopback = withFlags(noAuth, { 'listen-client-urls': 'https://127.0.0.1:2379' });
    assert.deepEqual(only(scan(etcdPod(loopback)), 'KM-ET-001').map((f) => f.severity), ['high']);
    assert.deepEqual(only(scan(etcdPod(loopback, { hostNetwork: false })), 'KM-ET-001').map((f) => f.severity), ['low']);
    assert.deepEqual(only(scan(etcdPod(['--name=a'], { hostNetwork: false })), 'KM-ET-002').map((f) => f.severity), ['low']);
  });

  test('environment variables count; the flag wins over the variable; valueFrom is unknown', () => {
    const noAuth = withFlags(KUBEADM_ETCD, { 'client-cert-auth': null, 'trusted-ca-file': null });
    const fromEnv = only(scan(etcdPod(noAuth, { env: { ETCD_CLIENT_CERT_AUTH: 'false' } })), 'KM-ET-001');
    assert.match(fromEnv[0].evidence ?? '', /ETCD_CLIENT_CERT_AUTH=false/);
    assert.deepEqual(scan(etcdPod(withFlags(noAuth, { 'client-cert-auth': 'true' }), { env: { ETCD_CLIENT_CERT_AUTH: 'false' } })), []);
    const valueFrom = etcdPod(noAuth).concat('\n      env:\n        - name: ETCD_CLIENT_CERT_AUTH\n          valueFrom: {configMapKeyRef: {name: etcd, key: auth}}');
    assert.deepEqual(scan(valueFrom), []);
    assert.deepEqual(scan(etcdPod(['--name=a'], { env: { ETCD_CONFIG_FILE: '/etc/etcd/etcd.yaml' } })), [], 'a config file replaces flags and variables');
  });

  test('peers: loopback-only peers are not judged; an exposed single member is medium', () => {
    const single = withFlags(KUBEADM_ETCD, { 'listen-peer-urls': 'http://10.0.0.10:2380', 'initial-advertise-peer-urls': 'http://10.0.0.10:2380', 'initial-cluster': 'cp-1=http://10.0.0.10:2380', 'peer-cert-file': null, 'peer-key-file': null, 'peer-trusted-ca-file': null, 'peer-client-cert-auth': null });
    assert.deepEqual(only(scan(etcdPod(single)), 'KM-ET-004').map((f) => f.severity), ['medium']);
    const joining = withFlags(single, { 'initial-cluster-state': 'existing' });
    assert.deepEqual(only(scan(etcdPod(joining)), 'KM-ET-004').map((f) => f.severity), ['high'], 'joining an existing cluster means other members');
    const noPeerAuth = only(scan(etcdPod(withFlags(KUBEADM_ETCD, { 'peer-client-cert-auth': 'false', 'peer-trusted-ca-file': null }))), 'KM-ET-005');
    assert.deepEqual(noPeerAuth.map((f) => f.severity), ['medium']);
  });

  test('an application etcd from a repackaged image without a command is not judged', () => {
    const bitnami = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: apisix-etcd, namespace: ingress}
spec:
  template:
    spec:
      containers:
        - name: etcd
          image: docker.io/bitnami/etcd:3.5.12
          env:
            - {name: ETCD_LISTEN_CLIENT_URLS, value: "http://0.0.0.0:2379"}
            - {name: ALLOW_NONE_AUTHENTICATION, value: "no"}`;
    assert.deepEqual(scan(bitnami), []);
  });
});

describe('fixtures, end to end', () => {
  const root = `${REPO_ROOT}test/fixtures/control-plane`;
  const EXPECTED_INSECURE = [
    'KM-CP-001', 'KM-CP-002', 'KM-CP-004', 'KM-CP-005', 'KM-CP-006', 'KM-CP-007', 'KM-CP-008', 'KM-CP-009', 'KM-CP-010',
    'KM-CP-011', 'KM-CP-012', 'KM-CP-013', 'KM-CP-015', 'KM-CP-016', 'KM-CP-017', 'KM-CP-018', 'KM-CP-019', 'KM-ET-002', 'KM-ET-004',
  ];
  const mine = (f: Finding) => /^KM-(CP|ET)-/.test(f.ruleId);

  test('the pipeline finds every planted door in insecure and nothing in hardened', async () => {
    const insecure = await scanManifests([`${root}/insecure`], { rules: RULES, config: EMPTY_CONFIG, minimumSeverity: 'info' });
    assert.deepEqual(insecure.report.coverage, []);
    assert.deepEqual(ids(insecure.report.findings), EXPECTED_INSECURE);
    const critical = insecure.report.findings.filter((f) => f.severity === 'critical').map((f) => f.ruleId).sort();
    assert.deepEqual(critical, ['KM-CP-002', 'KM-CP-004', 'KM-ET-002']);
    // three components report profiling and two a bind address
    assert.equal(only(insecure.report.findings, 'KM-CP-010').length, 3);
    assert.equal(only(insecure.report.findings, 'KM-CP-019').length, 2);
    const scheduler = only(insecure.report.findings, 'KM-CP-019').find((f) => f.resource?.name === 'kube-scheduler');
    assert.match(scheduler?.location?.file ?? '', /kube-scheduler\.yaml$/);
    assert.equal(scheduler?.location?.line, 16, 'the shell line of the scheduler');
    const hardened = await scanManifests([`${root}/hardened`], { rules: RULES, config: EMPTY_CONFIG, minimumSeverity: 'info' });
    assert.deepEqual(hardened.report.coverage, []);
    assert.deepEqual(hardened.report.findings.map((f) => f.message), []);
  });

  const wired = catalogue.some((r) => r.meta.id === 'KM-CP-001') && catalogue.some((r) => r.meta.id === 'KM-ET-001');
  test('the CLI reports them from the catalogue', { skip: wired ? false : 'control-plane and etcd rules are not in src/rules/catalogue.ts yet' }, () => {
    const insecure = runCli(['scan', 'test/fixtures/control-plane/insecure', '-f', 'json', '-s', 'info']);
    assert.equal(insecure.status, 1, insecure.stderr);
    const report = JSON.parse(insecure.stdout) as Report;
    assert.deepEqual(ids(report.findings.filter(mine)), EXPECTED_INSECURE);
    const hardened = runCli(['scan', 'test/fixtures/control-plane/hardened', '-f', 'json', '-s', 'info', '--fail-on', 'never']);
    assert.equal(hardened.status, 0, hardened.stderr);
    const clean = JSON.parse(hardened.stdout) as Report;
    assert.deepEqual(clean.findings.filter(mine).map((f) => f.message), []);
    assert.deepEqual(clean.findings.filter((f) => mine(f) && ['medium', 'high', 'critical'].includes(f.severity)), []);
  });
});
