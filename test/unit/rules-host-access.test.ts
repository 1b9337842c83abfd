// Host access weighed from the whole pod (issue 18): who the container is on the node's files
// (non-root, no escalation, capabilities dropped, no gid 0), what a host path is for, and the
// purpose a user declares for a node agent. Findings get lower, never lost.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding.js';
import { EMPTY_CONFIG, type KubemoatConfig } from '../../src/core/config.js';
import { workloadRules } from '../../src/rules/workload/index.js';
import { networkRules } from '../../src/rules/network/index.js';
import { hostIdentity } from '../../src/rules/security-context.js';
import { loadText, scanText } from '../helpers/scan.js';

function run(yaml: string, config: KubemoatConfig = EMPTY_CONFIG): Finding[] {
  const report = scanText(yaml, [...workloadRules, ...networkRules], config);
  assert.deepEqual(report.coverage, [], 'input parses cleanly');
  return report.findings;
}

function only(fs: Finding[], ruleId: string): Finding[] {
  return fs.filter((f) => f.ruleId === ruleId);
}

const UNPRIVILEGED = `securityContext:
            runAsUser: 65534
            runAsGroup: 65534
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}`;

/** A DaemonSet with one container; `volumes` are `name: path` pairs, each mounted at /host/<name>. */
function agent(opts: { security?: string; mounts: { name: string; path: string; readOnly?: boolean }[]; meta?: string; spec?: string; image?: string }): string {
  const mounts = opts.mounts.map((m) => `            - {name: ${m.name}, mountPath: /host/${m.name}${m.readOnly ? ', readOnly: true' : ''}}`).join('\n');
  const volumes = opts.mounts.map((m) => `        - {name: ${m.name}, hostPath: {path: ${m.path}}}`).join('\n');
  return `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ops${opts.meta ?? ''}}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:${opts.spec ?? ''}
      containers:
        - name: agent
          image: ${opts.image ?? 'registry.example.com/agent:1.0'}
          ${opts.security ?? ''}
          volumeMounts:
${mounts}
      volumes:
${volumes}`;
}

describe('hostIdentity: who a container is on the node', () => {
  const identity = (security: string, spec = ''): string => {
    const load = loadText(agent({ security, spec, mounts: [{ name: 'x', path: '/srv' }] }));
    const pod = load.inventory.podSpecs[0];
    return hostIdentity(pod.containers[0]).as;
  };
  test('non-root, no escalation, every capability dropped: unprivileged', () => assert.equal(identity(UNPRIVILEGED), 'unprivileged'));
  test('runAsNonRoot without a uid counts as non-root', () => assert.equal(identity('securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}'), 'unprivileged'));
  test('no securityContext: root', () => assert.equal(identity(''), 'root'));
  test('escalation not forbidden: root (a setuid program gives uid 0 back)', () => assert.equal(identity('securityContext: {runAsUser: 1000, capabilities: {drop: [ALL]}}'), 'root'));
  test('default capabilities kept: root', () => assert.equal(identity('securityContext: {runAsUser: 1000, allowPrivilegeEscalation: false}'), 'root'));
  test('a file-power capability added back: root', () => assert.equal(identity('securityContext: {runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [DAC_READ_SEARCH]}}'), 'root'));
  test('gid 0 from supplementalGroups: root', () => assert.equal(identity(UNPRIVILEGED, '\n      securityContext: {supplementalGroups: [0]}'), 'root'));
  test('privileged: root', () => assert.equal(identity('securityContext: {privileged: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}'), 'root'));
  test('root inside its own user namespace: unprivileged', () => assert.equal(identity('', '\n      hostUsers: false'), 'unprivileged'));
});

describe('host paths weighed by who mounts them and what for', () => {
  test("the node's root read-only by an unprivileged exporter: KM-WL-007 medium, not a critical runtime socket", () => {
    const fs = run(agent({ security: UNPRIVILEGED, mounts: [{ name: 'root', path: '/', readOnly: true }] }));
    assert.deepEqual(only(fs, 'KM-WL-008'), []);
    const [f] = only(fs, 'KM-WL-007');
    assert.equal(f.severity, 'medium');
    assert.match(f.message, /mounts the host path `\/` read-only into container `agent`: the node's whole filesystem$/);
    assert.match(f.evidence ?? '', /uid 65534, no privilege escalation, all capabilities dropped/);
  });

  test('the same mount by a root container stays a critical runtime-socket exposure', () => {
    const fs = run(agent({ mounts: [{ name: 'root', path: '/', readOnly: true }] }));
    assert.deepEqual(only(fs, 'KM-WL-008').map((f) => f.severity), ['critical']);
    assert.deepEqual(only(fs, 'KM-WL-007'), []);
  });

  test('a socket mounted by itself is critical whoever mounts it', () => {
    const fs = run(agent({ security: UNPRIVILEGED, mounts: [{ name: 'sock', path: '/run/containerd/containerd.sock', readOnly: true }] }));
    assert.deepEqual(only(fs, 'KM-WL-008').map((f) => f.severity), ['critical']);
  });

  test('the iptables lock, writable: KM-WL-005 low with its purpose, no KM-WL-006', () => {
    const fs = run(agent({ mounts: [{ name: 'xtables', path: '/run/xtables.lock' }, { name: 'varrun', path: '/var/run/xtables.lock' }] }));
    assert.deepEqual(only(fs, 'KM-WL-006'), []);
    assert.deepEqual(only(fs, 'KM-WL-005').map((f) => [f.severity, f.message.endsWith('the iptables lock file network agents share')]), [['low', true], ['low', true]]);
  });

  test('/var/log: read-only is a log shipper reading (low); writable is the symlink escape (critical for root, high unprivileged)', () => {
    const ro = run(agent({ mounts: [{ name: 'log', path: '/var/log', readOnly: true }] }));
    assert.deepEqual(ro.filter((f) => f.ruleId.startsWith('KM-WL-00')).map((f) => [f.ruleId, f.severity]), [['KM-WL-005', 'low']]);
    assert.deepEqual(only(run(agent({ mounts: [{ name: 'log', path: '/var/log' }] })), 'KM-WL-007').map((f) => f.severity), ['critical']);
    assert.deepEqual(only(run(agent({ security: UNPRIVILEGED, mounts: [{ name: 'log', path: '/var/log' }] })), 'KM-WL-007').map((f) => f.severity), ['high']);
  });

  test('/proc read-only: high for root (other processes\' environments), low for an unprivileged exporter', () => {
    assert.deepEqual(only(run(agent({ mounts: [{ name: 'proc', path: '/proc', readOnly: true }] })), 'KM-WL-007').map((f) => f.severity), ['high']);
    const unprivileged = run(agent({ security: UNPRIVILEGED, mounts: [{ name: 'proc', path: '/proc', readOnly: true }] }));
    assert.deepEqual(only(unprivileged, 'KM-WL-007'), []);
    assert.deepEqual(only(unprivileged, 'KM-WL-005').map((f) => f.severity), ['low']);
  });

  test('an ordinary writable path: KM-WL-006 high for root, medium unprivileged', () => {
    assert.deepEqual(only(run(agent({ mounts: [{ name: 'data', path: '/srv/data' }] })), 'KM-WL-006').map((f) => f.severity), ['high']);
    assert.deepEqual(only(run(agent({ security: UNPRIVILEGED, mounts: [{ name: 'data', path: '/srv/data' }] })), 'KM-WL-006').map((f) => f.severity), ['medium']);
  });

  test('/etc/kubernetes/manifests stays critical when a root container can write it', () => {
    assert.deepEqual(only(run(agent({ mounts: [{ name: 'm', path: '/etc/kubernetes/manifests' }] })), 'KM-WL-007').map((f) => f.severity), ['critical']);
  });
});

describe('added capabilities a non-root process cannot use', () => {
  const caps = (security: string): Finding[] => only(run(agent({ security, mounts: [] }).replace(/volumeMounts:\n\n      volumes:\n/, '')), 'KM-WL-009');
  test('non-root without privilege escalation: low, and the message says why', () => {
    const [f] = caps('securityContext: {runAsUser: 65534, allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [SYS_TIME]}}');
    assert.equal(f.severity, 'low');
    assert.match(f.message, /which its process cannot use \(uid 65534 without privilege escalation\)/);
  });
  test('root, or escalation allowed: the capability\'s own severity', () => {
    assert.deepEqual(caps('securityContext: {capabilities: {add: [SYS_TIME]}}').map((f) => f.severity), ['high']);
    assert.deepEqual(caps('securityContext: {runAsUser: 1000, capabilities: {add: [SYS_ADMIN]}}').map((f) => f.severity), ['critical']);
  });
});

describe('declared purposes: expected host access is lower and says so, never dropped', () => {
  const CNI_ANNOTATION = ', annotations: {kubemoat.io/purpose: cni-agent, kubemoat.io/purpose-reason: "our CNI, reviewed 2026-11"}';
  const cni = (meta: string, image?: string): string =>
    agent({
      meta,
      image,
      spec: '\n      hostNetwork: true',
      security: 'securityContext: {privileged: true}',
      mounts: [{ name: 'cni-bin', path: '/opt/cni/bin' }, { name: 'docker', path: '/var/run/docker.sock' }],
    });

  test('by annotation: privileged, host network and the CNI plugin directory are expected; the Docker socket is not', () => {
    const declared = run(cni(CNI_ANNOTATION));
    const plain = run(cni(''));
    const bySeverity = (fs: Finding[], id: string): string[] => only(fs, id).map((f) => f.severity);
    assert.deepEqual(bySeverity(plain, 'KM-WL-001'), ['critical']);
    assert.deepEqual(bySeverity(declared, 'KM-WL-001'), ['medium'], 'critical, two steps lower');
    assert.deepEqual(bySeverity(declared, 'KM-WL-004'), ['low'], 'high, two steps lower');
    assert.deepEqual(bySeverity(declared, 'KM-WL-007'), ['medium'], '/opt/cni/bin writable is what a CNI agent does');
    assert.deepEqual(bySeverity(declared, 'KM-WL-008'), ['critical'], 'a CNI agent has no business with the Docker socket');
    assert.match(only(declared, 'KM-WL-001')[0].message, /; expected for a CNI agent \(declared by annotation: our CNI, reviewed 2026-11\); review$/);
    assert.doesNotMatch(only(declared, 'KM-WL-008')[0].message, /expected/);
    assert.equal(only(declared, 'KM-WL-001')[0].fingerprint, only(plain, 'KM-WL-001')[0].fingerprint, 'the same fact keeps its fingerprint');
  });

  test('an annotation without a reason, or with an unknown purpose, is not applied and the finding says why', () => {
    const noReason = only(run(cni(', annotations: {kubemoat.io/purpose: cni-agent}')), 'KM-WL-001')[0];
    assert.equal(noReason.severity, 'critical');
    assert.match(noReason.message, /kubemoat\.io\/purpose: cni-agent has no kubemoat\.io\/purpose-reason, so it was not applied$/);
    const unknown = only(run(cni(', annotations: {kubemoat.io/purpose: network, kubemoat.io/purpose-reason: r}')), 'KM-WL-001')[0];
    assert.equal(unknown.severity, 'critical');
    assert.match(unknown.message, /`network` is not a purpose kubemoat knows/);
  });

  test('in the config, by kind, namespace and name glob', () => {
    const config: KubemoatConfig = { ...EMPTY_CONFIG, purposes: [{ purpose: 'cni-agent', resource: { kind: 'DaemonSet', namespace: 'ops', name: 'ag*' }, reason: 'flannel' }] };
    const hit = only(run(cni(''), config), 'KM-WL-001')[0];
    assert.equal(hit.severity, 'medium');
    assert.match(hit.message, /declared in the config: flannel/);
    const elsewhere: KubemoatConfig = { ...EMPTY_CONFIG, purposes: [{ purpose: 'cni-agent', resource: { name: 'other' }, reason: 'x' }] };
    assert.equal(only(run(cni(''), elsewhere), 'KM-WL-001')[0].severity, 'critical');
  });

  test("a well-known agent's image is only recognised: same severity, a hint to declare it", () => {
    const f = only(run(cni('', 'ghcr.io/flannel-io/flannel:v0.26.1')), 'KM-WL-001')[0];
    assert.equal(f.severity, 'critical');
    assert.match(f.message, /its image `ghcr\.io\/flannel-io\/flannel` looks like a CNI agent; if it is one, declare kubemoat\.io\/purpose: cni-agent with a reason$/);
  });

  test('a metrics exporter declared: host PID and the read-only node root are expected, a writable mount is not', () => {
    const meta = ', annotations: {kubemoat.io/purpose: metrics-exporter, kubemoat.io/purpose-reason: node-exporter}';
    const fs = run(agent({ meta, spec: '\n      hostPID: true', mounts: [{ name: 'root', path: '/', readOnly: true }, { name: 'data', path: '/srv/data' }] }));
    assert.deepEqual(only(fs, 'KM-WL-002').map((f) => f.severity), ['low']);
    assert.deepEqual(only(fs, 'KM-WL-008').map((f) => f.severity), ['critical'], 'root reading `/` reaches the runtime sockets: not what an exporter needs');
    assert.deepEqual(only(fs, 'KM-WL-006').map((f) => f.severity), ['high']);
  });
});
