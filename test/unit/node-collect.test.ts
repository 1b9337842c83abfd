// The node source on a host root made for the test (`--root`): a /proc with a kubelet and an etcd
// process, and the files they use. Checks what only fixtures can set up: a relative --config
// resolved against the process's working directory, --config-dir drop-ins, etcd settings from
// ETCD_* variables, files that do not exist (not applicable), and the CIS view built from it.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectNode, type NodeLoad } from '../../src/sources/node/collect.js';
import { analyse } from '../../src/core/pipeline.js';
import { EMPTY_CONFIG } from '../../src/core/config.js';
import { catalogue } from '../../src/rules/catalogue.js';
import type { Report } from '../../src/core/report.js';
import { cisChecks } from '../../src/report/cis-summary.js';
import { runCli } from '../helpers/cli.js';
import { assertCodeScanningReady, readSarifRun, validateSarif } from '../helpers/sarif.js';
import { createServer, type Server } from 'node:net';
import { execFileSync } from 'node:child_process';

let root = '';
let load: NodeLoad;
let report: Report;

function file(path: string, text: string, mode = 0o600): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  chmodSync(full, mode);
}

/** A process in the fake /proc: its command line, working directory, environment, and root (the fake host). */
function proc(pid: number, argv: string[], cwd: string, env: string[] = []): void {
  const dir = join(root, 'proc', String(pid));
  mkdirSync(join(dir, 'ns'), { recursive: true });
  writeFileSync(join(dir, 'cmdline'), `${argv.join('\0')}\0`);
  writeFileSync(join(dir, 'environ'), env.map((e) => `${e}\0`).join(''));
  writeFileSync(join(dir, 'status'), 'Name:\tx\nUid:\t0\t0\t0\t0\n');
  writeFileSync(join(dir, 'cgroup'), '0::/\n');
  symlinkSync(cwd, join(dir, 'cwd'));
  symlinkSync(argv[0], join(dir, 'exe'));
  symlinkSync('net:[4026531999]', join(dir, 'ns', 'net'));
  symlinkSync(root, join(dir, 'root'));
}

const KC = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'kubemoat-node-'));
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n', 0o644);
  file('etc/group', 'root:x:0:\n', 0o644);
  // the kubelet: relative --config against its cwd /srv/node, drop-ins turning anonymous auth back on
  file('srv/node/conf/kubelet.yaml', `${KC}authentication:\n  anonymous: {enabled: false}\n  x509: {clientCAFile: ../pki/ca.crt}\nstaticPodPath: ../manifests\n`, 0o644);
  file('etc/kubelet.conf.d/10-debug.conf', `${KC}authentication:\n  anonymous: {enabled: true}\n`);
  file('etc/kubelet.conf.d/README', 'not a drop-in');
  file('srv/node/kubelet.conf', 'apiVersion: v1\nkind: Config\nusers: []\n', 0o640);
  mkdirSync(join(root, 'srv/node/manifests'), { recursive: true });
  chmodSync(join(root, 'srv/node/manifests'), 0o700);
  file('srv/node/manifests/agent.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: monitoring}\nspec:\n  hostPID: true\n  containers: [{name: a, image: x, securityContext: {privileged: true}}]\n');
  proc(4242, ['/usr/bin/kubelet', '--config=conf/kubelet.yaml', '--config-dir', '/etc/kubelet.conf.d', '--kubeconfig=kubelet.conf'], '/srv/node');
  // etcd configured through its environment, data directory 0755
  mkdirSync(join(root, 'var/lib/etcd'), { recursive: true });
  chmodSync(join(root, 'var/lib/etcd'), 0o755);
  proc(4300, ['/usr/bin/etcd'], '/', ['ETCD_DATA_DIR=/var/lib/etcd', 'ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379', 'HOME=/root']);
  // something else entirely
  proc(4400, ['/usr/sbin/sshd', '-D'], '/');
  load = await collectNode({ root, allNetns: true, now: new Date('2026-01-01T00:00:00Z') });
  report = analyse(load.inventory, { type: 'node', root }, load.coverage, new Date(), { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'info' });
});

after(() => rmSync(root, { recursive: true, force: true }));

function finding(ruleId: string, name: string) {
  return report.findings.find((f) => f.ruleId === ruleId && f.resource?.name === name);
}

describe('node source on a fixture host root', () => {
  test('finds the component processes and nothing else', () => {
    assert.deepEqual(load.components.map((c) => `${c.component} ${c.source.type === 'process' ? c.source.process.pid : ''}`).sort(), ['etcd 4300', 'kubelet 4242']);
  });

  test('the kubelet: relative --config from its cwd, a drop-in overriding the file, with where each value came from', () => {
    const f = finding('KM-KL-001', load.nodeName);
    assert.ok(f, JSON.stringify(report.findings.map((x) => x.ruleId)));
    assert.equal(f.evidence, 'authentication.anonymous.enabled: true (from drop-in /etc/kubelet.conf.d/10-debug.conf)');
    assert.equal(load.kubelet?.effective.provenance['authentication.x509.clientCAFile'], 'config file /srv/node/conf/kubelet.yaml');
    assert.equal(load.kubelet?.effective.config.staticPodPath, '/srv/node/manifests');
    assert.deepEqual(load.kubelet?.effective.skipped, ['/etc/kubelet.conf.d/README']);
  });

  test('file permissions with CIS ids; a file that does not exist is not a finding', () => {
    const config = finding('KM-ND-001', '/srv/node/conf/kubelet.yaml');
    assert.deepEqual(config?.frameworks.cis, ['4.1.9']);
    assert.equal(config?.severity, 'low');
    const kubeconfig = finding('KM-ND-001', '/srv/node/kubelet.conf');
    assert.deepEqual(kubeconfig?.frameworks.cis, ['4.1.5']);
    assert.equal(kubeconfig?.severity, 'high');
    assert.match(kubeconfig?.message ?? '', /its group can read it/);
    // the client CA file ../pki/ca.crt is named but absent
    assert.equal(report.findings.filter((f) => f.resource?.name === '/srv/pki/ca.crt').length, 0);
    assert.equal(finding('KM-ND-003', '/srv/node/manifests'), undefined, 'a 0700 root directory is fine');
  });

  test('etcd from ETCD_* variables: plain HTTP on every interface, data directory 0755', () => {
    const plain = finding('KM-ET-002', 'etcd');
    assert.ok(plain);
    assert.match(plain.evidence ?? '', /ETCD_LISTEN_CLIENT_URLS=http:\/\/0.0.0.0:2379/);
    assert.deepEqual(finding('KM-ND-001', '/var/lib/etcd')?.frameworks.cis, ['1.1.11']);
  });

  test('a privileged static pod with hostPID, outside admission', () => {
    const f = finding('KM-ND-004', '/srv/node/manifests/agent.yaml');
    assert.equal(f?.severity, 'high');
    assert.match(f?.message ?? '', /privileged container `a`, hostPID/);
  });

  test('CIS view: failed, passed, not applicable, not checked', () => {
    const checks = new Map(cisChecks(load.inventory, report.findings, catalogue).map((c) => [c.id, c.status]));
    assert.equal(checks.get('4.2.1'), 'FAIL');
    assert.equal(checks.get('4.1.9'), 'FAIL');
    assert.equal(checks.get('1.1.11'), 'FAIL');
    assert.equal(checks.get('4.2.2'), 'PASS');
    assert.equal(checks.get('4.1.10'), 'PASS');
    assert.equal(checks.get('1.2.1'), 'N/A', 'no API server on this node');
    assert.equal(checks.get('4.1.7'), 'N/A', 'the client CA file does not exist');
    assert.equal(checks.get('4.2.13'), 'FAIL', 'no podPidsLimit');
    assert.equal(checks.get('4.2.8'), 'WARN', 'applies, but kubemoat has no check');
  });

  test('the CLI on the same root, all formats through the shared report options', () => {
    for (const format of ['json', 'sarif', 'junit', 'table']) {
      const r = runCli(['node', '--root', root, '--all-netns', '-f', format, '--fail-on', 'critical']);
      assert.equal(r.status, 1, `${format}: ${r.stderr}`);
      assert.match(r.stdout, /KM-KL-001/);
    }
    const cis = runCli(['node', '--root', root, '--all-netns', '--cis', 'text', '--fail-on', 'never']);
    assert.equal(cis.status, 0, cis.stderr);
    assert.match(cis.stdout, /\[FAIL\] 4\.2\.1 Kubelet anonymous authentication off/);
    assert.match(cis.stdout, /== 4\.2: \d+ pass, \d+ fail, \d+ warn, \d+ not applicable ==/);
    // the SARIF passes Microsoft's validator (schema and GitHub ingestion rules), offline
    const sarif = join(root, 'node.sarif');
    assert.equal(runCli(['node', '--root', root, '--all-netns', '-f', 'sarif', '-o', sarif, '--fail-on', 'never']).status, 0);
    assert.deepEqual(validateSarif(sarif), []);
    assertCodeScanningReady(readSarifRun(sarif), undefined);
    const missing = runCli(['node', '--root', join(root, 'nothing-here')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot list processes in .*nothing-here\/proc/);
  });
});

describe('node source: runtime socket, certificates, static pod namespaces (second fixture host)', () => {
  let root2 = '';
  let server: Server | undefined;
  let report2: Report;
  let checks2: Map<string, string>;
  before(async () => {
    root2 = mkdtempSync(join(tmpdir(), 'kubemoat-node2-'));
    const put = (path: string, text: string, mode = 0o600): void => {
      const full = join(root2, path);
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, text);
      chmodSync(full, mode);
    };
    const fakeProc = (pid: number, argv: string[]): void => {
      const dir = join(root2, 'proc', String(pid));
      mkdirSync(join(dir, 'ns'), { recursive: true });
      writeFileSync(join(dir, 'cmdline'), `${argv.join('\0')}\0`);
      symlinkSync('/', join(dir, 'cwd'));
      symlinkSync('net:[4026531999]', join(dir, 'ns', 'net'));
      symlinkSync(root2, join(dir, 'root'));
    };
    // containerd whose socket address comes from its TOML config; the socket is 0666
    put('etc/ctr/config.toml', 'version = 2\n[grpc]\n  address = "/run/ctr/containerd.sock"\n  uid = 0\n[plugins]\n', 0o644);
    mkdirSync(join(root2, 'run/ctr'), { recursive: true });
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(join(root2, 'run/ctr/containerd.sock'), resolve));
    chmodSync(join(root2, 'run/ctr/containerd.sock'), 0o666);
    fakeProc(500, ['/usr/bin/containerd', '--config', '/etc/ctr/config.toml']);
    // a kubelet serving a self-signed certificate that expires in 10 days, with a static pod in a namespace that is gone
    mkdirSync(join(root2, 'etc/k/pki'), { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '10', '-subj', '/CN=node-1', '-keyout', join(root2, 'etc/k/pki/kubelet.key'), '-out', join(root2, 'etc/k/pki/kubelet.crt')], { stdio: 'ignore' });
    put('etc/k/config.yaml', `${KC}tlsCertFile: pki/kubelet.crt\ntlsPrivateKeyFile: pki/kubelet.key\nstaticPodPath: /etc/k/manifests\n`);
    put('etc/k/manifests/hidden.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: hidden, namespace: gone}\nspec:\n  containers: [{name: c, image: x}]\n');
    put('etc/k/manifests/shown.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: shown, namespace: kube-system}\nspec:\n  containers: [{name: c, image: x}]\n');
    fakeProc(600, ['/usr/bin/kubelet', '--config=/etc/k/config.yaml']);
    // kube-proxy with --config: its --metrics-bind-address flag is ignored, the file binds metrics everywhere
    put('var/lib/kube-proxy/config.conf', 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249\nclientConnection:\n  kubeconfig: kubeconfig.conf\n', 0o644);
    put('var/lib/kube-proxy/kubeconfig.conf', 'apiVersion: v1\nkind: Config\n', 0o644);
    fakeProc(700, ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--metrics-bind-address=127.0.0.1:10249']);
    const asked: string[] = [];
    const load2 = await collectNode({ root: root2, allNetns: true, namespaceExists: async (ns) => (asked.push(ns), ns !== 'gone') });
    assert.deepEqual(asked.sort(), ['gone', 'kube-system']);
    report2 = analyse(load2.inventory, { type: 'node', root: root2 }, load2.coverage, new Date(), { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'info' });
    checks2 = new Map(cisChecks(load2.inventory, report2.findings, catalogue).map((c) => [c.id, c.status]));
  });
  after(() => {
    server?.close();
    rmSync(root2, { recursive: true, force: true });
  });
  const find = (ruleId: string, name: string) => report2.findings.find((f) => f.ruleId === ruleId && f.resource?.name === name);

  test('the runtime socket named in containerd\'s config, open to every user', () => {
    const f = find('KM-ND-006', '/run/ctr/containerd.sock');
    assert.equal(f?.severity, 'critical');
    assert.match(f?.evidence ?? '', /mode 0666 owner \d+:\d+ \(containerd \(pid 500\)\)/);
  });

  test('a certificate expiring within 30 days, and a self-signed kubelet serving certificate', () => {
    const expiring = find('KM-ND-008', 'kubelet-serving:/etc/k/pki/kubelet.crt');
    assert.equal(expiring?.severity, 'medium');
    assert.match(expiring?.message ?? '', /expires in (9|10) days/);
    assert.ok(find('KM-ND-009', 'kubelet-serving:/etc/k/pki/kubelet.crt'));
  });

  test('a static pod whose namespace does not exist, and only that one', () => {
    assert.ok(find('KM-ND-005', '/etc/k/manifests/hidden.yaml'));
    assert.equal(find('KM-ND-005', '/etc/k/manifests/shown.yaml'), undefined);
  });

  test('kube-proxy with --config: the file decides (flags ignored), and its kubeconfig comes from the file', () => {
    const f = find('KM-ND-010', 'kube-proxy');
    assert.equal(f?.resource?.kind, 'KubeProxyConfiguration');
    assert.equal(f?.evidence, 'metricsBindAddress: 0.0.0.0:10249');
    assert.deepEqual(find('KM-ND-001', '/var/lib/kube-proxy/kubeconfig.conf')?.frameworks.cis, ['4.1.3']);
    assert.equal(checks2.get('4.3.1'), 'FAIL');
    assert.equal(checks2.get('4.1.3'), 'FAIL');
  });
});

test('a component process whose namespace and cwd cannot be read (not root) is reported, not taken for another node', async () => {
  const r = mkdtempSync(join(tmpdir(), 'kubemoat-node3-'));
  try {
    const dir = join(r, 'proc', '77');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cmdline'), '/usr/bin/kubelet\0--config=/x\0');
    const load3 = await collectNode({ root: r });
    assert.equal(load3.components.length, 0);
    assert.equal(load3.otherNetns, 0);
    const gap = load3.coverage.find((c) => c.severity === 'error');
    assert.match(gap?.reason ?? '', /cannot read the network namespace or working directory of 1 Kubernetes or runtime process \(pid 77\): run kubemoat node as root/);
  } finally {
    rmSync(r, { recursive: true, force: true });
  }
});
