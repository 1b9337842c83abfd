// Edge cases of the workload rules (KM-WL-002…024): pod-level versus container-level settings,
// init and ephemeral containers, CronJob nesting, string booleans, and the safe forms that must
// stay silent. The catalogue tester runs each rule's own examples; these pin the decisions.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding.js';
import { workloadRules } from '../../src/rules/workload/index.js';
import { findRule } from '../../src/rules/catalogue.js';
import { matchRuntimeSocket, matchSensitivePath, normaliseHostPath } from '../../src/rules/workload/host-paths.js';
import { canonicalSysctl } from '../../src/rules/workload/sysctls.js';
import { scanText } from '../helpers/scan.js';

function run(yaml: string, ...ids: string[]): Finding[] {
  const rules = ids.length === 0 ? workloadRules : ids.map((id) => {
    const r = findRule(id);
    assert.ok(r, `rule ${id} exists`);
    return r;
  });
  const report = scanText(yaml, rules);
  assert.deepEqual(report.coverage, [], 'input parses cleanly');
  return report.findings;
}

function pod(spec: string, meta = '{name: p, namespace: shop}'): string {
  return `apiVersion: v1
kind: Pod
metadata: ${meta}
spec:
${spec}`;
}

describe('workload rules: precision on a hardened workload', () => {
  test('a fully hardened Deployment produces no workload finding at all', () => {
    const yaml = `apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/web: runtime/default
    spec:
      serviceAccountName: web
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
        sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "80"}]
      initContainers:
        - name: init
          image: registry.example.com/init:1.0
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            limits: {cpu: 100m, memory: 64Mi}
      containers:
        - name: web
          image: registry.example.com/web:2.3
          ports: [{containerPort: 8080}]
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          volumeMounts: [{name: tmp, mountPath: /tmp}]
      volumes:
        - {name: tmp, emptyDir: {}}`;
    assert.deepEqual(run(yaml).map((f) => `${f.ruleId} ${f.message}`), []);
  });
});

describe('host namespaces (KM-WL-002/003/004)', () => {
  test('pod-level flags are reported once per pod spec, at the field, string booleans included', () => {
    const yaml = pod(`  hostPID: "true"
  hostIPC: True
  hostNetwork: true
  containers:
    - {name: a, image: "busybox:1.36"}
    - {name: b, image: "busybox:1.36"}`);
    const f = run(yaml, 'KM-WL-002', 'KM-WL-003', 'KM-WL-004');
    assert.deepEqual(f.map((x) => [x.ruleId, x.location?.line]), [['KM-WL-002', 5], ['KM-WL-003', 6], ['KM-WL-004', 7]]);
    assert.equal(f[0].resource?.container, undefined);
  });

  test('false, "false" and absent stay silent', () => {
    const yaml = pod(`  hostPID: false
  hostIPC: "false"
  containers:
    - {name: a, image: "busybox:1.36"}`);
    assert.deepEqual(run(yaml, 'KM-WL-002', 'KM-WL-003', 'KM-WL-004'), []);
  });

  test('CronJob pod templates are found', () => {
    const yaml = `apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: ops}
spec:
  schedule: "@hourly"
  jobTemplate:
    spec:
      template:
        spec:
          hostNetwork: true
          containers:
            - {name: c, image: "busybox:1.36"}`;
    const f = run(yaml, 'KM-WL-004');
    assert.equal(f.length, 1);
    assert.equal(f[0].location?.line, 10);
    assert.equal(f[0].message, "CronJob ops/cj uses the node's network namespace (hostNetwork): NetworkPolicy does not govern it, and it reaches whatever the node reaches, the cloud metadata endpoint included");
  });

  test('a Windows HostProcess pod is reported by KM-WL-022, not again by KM-WL-004', () => {
    const yaml = pod(`  hostNetwork: true
  securityContext:
    windowsOptions: {hostProcess: true}
  containers:
    - {name: a, image: "registry.example.com/a:1"}`);
    const f = run(yaml, 'KM-WL-004', 'KM-WL-022');
    assert.deepEqual(f.map((x) => x.ruleId), ['KM-WL-022']);
  });

  test('a Windows pod on the host network without HostProcess is still KM-WL-004', () => {
    const yaml = pod(`  os: {name: windows}
  hostNetwork: true
  containers:
    - {name: a, image: "registry.example.com/a:1"}`);
    assert.deepEqual(run(yaml, 'KM-WL-004', 'KM-WL-022').map((x) => x.ruleId), ['KM-WL-004']);
  });
});

describe('host path helpers', () => {
  test('normaliseHostPath collapses //, /./, .. and trailing slashes', () => {
    assert.equal(normaliseHostPath('//var/run/./docker.sock/'), '/var/run/docker.sock');
    assert.equal(normaliseHostPath('/var/lib/kubelet/../kubelet/pki//'), '/var/lib/kubelet/pki');
    assert.equal(normaliseHostPath('/'), '/');
    assert.equal(normaliseHostPath('///'), '/');
    assert.equal(normaliseHostPath('\\\\.\\pipe\\docker_engine'), '\\\\.\\pipe\\docker_engine');
    assert.equal(normaliseHostPath('//./pipe/containerd-containerd'), '\\\\.\\pipe\\containerd-containerd');
  });

  test('runtime sockets: the socket, its directory and /run or /var/run, but not /var', () => {
    const runtimes = (p: string): string | undefined => matchRuntimeSocket(p)?.runtimes.join(',');
    assert.equal(runtimes('/var/run/docker.sock'), 'docker');
    assert.equal(runtimes('/run/docker.sock'), 'docker');
    assert.equal(runtimes('/run/containerd/containerd.sock'), 'containerd');
    assert.equal(runtimes('/var/run/containerd'), 'containerd');
    assert.equal(runtimes('/var/run/crio/crio.sock'), 'cri-o');
    assert.equal(runtimes('/run/cri-dockerd.sock'), 'cri-dockerd');
    assert.equal(runtimes('/run/podman/podman.sock'), 'podman');
    assert.equal(runtimes('/var/run/docker'), 'containerd'); // Docker's own containerd lives there
    assert.equal(runtimes('/run/k3s/containerd'), 'containerd');
    assert.equal(runtimes('/run/user/1000/docker.sock'), 'docker'); // rootless Docker
    assert.equal(runtimes('\\\\.\\pipe\\docker_engine'), 'docker');
    assert.ok(matchRuntimeSocket('/var/run')?.directory);
    assert.ok(matchRuntimeSocket('/')?.runtimes.includes('cri-o'));
    assert.equal(matchRuntimeSocket('/var'), undefined, '/var/run inside a mounted /var is a symlink resolved in the container');
    assert.equal(matchRuntimeSocket('/run/xtables.lock'), undefined);
    assert.equal(matchRuntimeSocket('/var/lib/docker'), undefined);
    assert.equal(matchRuntimeSocket('/run/flannel'), undefined);
  });

  test('sensitive paths: listed paths, what is below them, their parents; read-only only where reading is a door', () => {
    const hit = (p: string, writable: boolean): string | undefined => {
      const m = matchSensitivePath(p, writable);
      return m === undefined ? undefined : `${m.relation} ${m.entry}`;
    };
    assert.equal(hit('/etc/kubernetes/manifests', false), 'is /etc/kubernetes/manifests');
    assert.equal(hit('/etc/kubernetes/admin.conf', false), 'inside /etc/kubernetes');
    assert.equal(hit('/var/lib/kubelet/pki/kubelet-client-current.pem', false), 'inside /var/lib/kubelet/pki');
    assert.equal(hit('/var', false), 'contains /var/lib/kubelet');
    assert.equal(hit('/var/lib', true), 'contains /var/lib/kubelet');
    assert.equal(hit('/home/ubuntu/.aws', false), 'inside /home');
    assert.equal(hit('/var/lib/jenkins/.config/gcloud/credentials.db', false), 'inside /var/lib/jenkins/.config/gcloud');
    assert.equal(hit('/srv/ops/.azure', false), 'is /srv/ops/.azure');
    assert.equal(hit('/var/lib/cloud/instance', false), 'inside /var/lib/cloud');
    assert.equal(hit('/proc/sys/kernel', false), 'inside /proc');
    assert.equal(hit('/dev/nvme0n1', false), 'is /dev/nvme0n1');
    // safe forms
    assert.equal(hit('/etc/ssl/certs', false), undefined);
    assert.equal(hit('/etc/ssl/certs', true), undefined);
    assert.equal(hit('/var/log/app', true), undefined);
    assert.equal(hit('/var/lib/kubelet/device-plugins', true), undefined);
    assert.equal(hit('/var/lib/kubelet/plugins_registry', true), undefined);
    assert.equal(hit('/dev/fuse', true), undefined);
    assert.equal(hit('/mnt/data', true), undefined);
    // only a writable mount makes these a door
    assert.equal(hit('/sys/fs/cgroup', false), undefined);
    assert.equal(hit('/sys/fs/cgroup', true), 'inside /sys');
    assert.equal(hit('/lib/modules', false), undefined);
    assert.equal(hit('/lib/modules', true), 'inside /lib');
    assert.equal(hit('/opt', false), undefined);
    assert.equal(hit('/opt', true), 'contains /opt/cni/bin');
    assert.equal(hit('/var/lib/docker/containers', false), undefined);
  });
});

describe('hostPath volumes (KM-WL-005/006/007/008)', () => {
  const HOSTPATH_RULES = ['KM-WL-005', 'KM-WL-006', 'KM-WL-007', 'KM-WL-008'];

  test('exactly one of 005/006/007/008 reports each volume', () => {
    const yaml = pod(`  containers:
    - name: a
      image: busybox:1.36
      volumeMounts:
        - {name: sock, mountPath: /var/run/docker.sock}
        - {name: kubelet, mountPath: /kubelet}
        - {name: data, mountPath: /data}
        - {name: zone, mountPath: /zone, readOnly: true}
        - {name: root, mountPath: /host, readOnly: true}
  volumes:
    - {name: sock, hostPath: {path: /var/run/docker.sock}}
    - {name: kubelet, hostPath: {path: /var/lib/kubelet}}
    - {name: data, hostPath: {path: /mnt/data}}
    - {name: zone, hostPath: {path: /usr/share/zoneinfo}}
    - {name: root, hostPath: {path: /}}`);
    const f = run(yaml, ...HOSTPATH_RULES);
    assert.deepEqual(
      f.map((x) => [x.ruleId, x.severity, x.location?.line]).sort(),
      [
        ['KM-WL-005', 'low', 18],
        ['KM-WL-006', 'high', 11],
        ['KM-WL-007', 'critical', 16],
        ['KM-WL-008', 'critical', 15],
        ['KM-WL-008', 'critical', 19],
      ].sort(),
    );
  });

  test('KM-WL-008: read-only does not help; evidence names the runtime; path normalised', () => {
    const yaml = pod(`  containers:
    - name: runner
      image: busybox:1.36
      volumeMounts: [{name: s, mountPath: /s, readOnly: true}]
  volumes:
    - {name: s, hostPath: {path: "//run/./containerd/containerd.sock/"}}`);
    const f = run(yaml, ...HOSTPATH_RULES);
    assert.equal(f.length, 1);
    assert.equal(f[0].ruleId, 'KM-WL-008');
    assert.equal(f[0].severity, 'critical');
    assert.equal(f[0].message, 'Pod shop/p mounts the containerd socket `/run/containerd/containerd.sock` from the host into container `runner`');
    assert.match(f[0].evidence ?? '', /runtime: containerd/);
  });

  test('KM-WL-008: a subPath that reaches the socket inside /var/run counts', () => {
    const yaml = pod(`  containers:
    - name: c
      image: busybox:1.36
      volumeMounts: [{name: run, mountPath: /var/run/docker.sock, subPath: docker.sock}]
  volumes:
    - {name: run, hostPath: {path: /var/run}}`);
    const f = run(yaml, ...HOSTPATH_RULES);
    assert.deepEqual(f.map((x) => x.ruleId), ['KM-WL-008']);
    assert.match(f[0].message, /docker socket `\/var\/run\/docker.sock`/);
    assert.match(f[0].evidence ?? '', /subPath: docker.sock/);
  });

  test('KM-WL-008: the directory of one runtime names it', () => {
    const yaml = pod(`  containers:
    - {name: c, image: "busybox:1.36", volumeMounts: [{name: d, mountPath: /d}]}
  volumes:
    - {name: d, hostPath: {path: /var/run/crio}}`);
    const f = run(yaml, 'KM-WL-008');
    assert.equal(f[0].message, 'Pod shop/p mounts the host directory `/var/run/crio` into container `c`, which holds the cri-o socket `/var/run/crio/crio.sock`');
  });

  test('KM-WL-007: writable critical, read-only high, declared high; /var goes to 007 not 008', () => {
    const yaml = pod(`  containers:
    - name: w
      image: busybox:1.36
      volumeMounts: [{name: manifests, mountPath: /m}]
    - name: r
      image: busybox:1.36
      volumeMounts: [{name: var, mountPath: /v, readOnly: "true"}]
  volumes:
    - {name: manifests, hostPath: {path: /etc/kubernetes/manifests}}
    - {name: var, hostPath: {path: /var}}
    - {name: proc, hostPath: {path: /proc}}`);
    const f = run(yaml, ...HOSTPATH_RULES);
    assert.deepEqual(f.map((x) => [x.ruleId, x.severity, x.location?.line]), [
      ['KM-WL-007', 'critical', 13],
      ['KM-WL-007', 'high', 14],
      ['KM-WL-007', 'high', 15],
    ]);
    assert.match(f[0].message, /writable into container `w`: static pod manifests/);
    assert.match(f[1].message, /read-only into container `r`: it holds `\/var\/lib\/kubelet`/);
    assert.match(f[2].message, /declares the host path `\/proc`/);
  });

  test('KM-WL-007: a subPath narrowing / to /etc is the sensitive path, not the root', () => {
    const yaml = pod(`  containers:
    - {name: c, image: "busybox:1.36", volumeMounts: [{name: root, mountPath: /hostetc, subPath: etc, readOnly: true}]}
  volumes:
    - {name: root, hostPath: {path: /}}`);
    const f = run(yaml, ...HOSTPATH_RULES);
    assert.deepEqual(f.map((x) => [x.ruleId, x.severity]), [['KM-WL-007', 'high']]);
    assert.match(f[0].message, /host path `\/etc` read-only/);
  });

  test('KM-WL-007: a writable mount by any one container makes it critical', () => {
    const yaml = pod(`  initContainers:
    - {name: init, image: "busybox:1.36", volumeMounts: [{name: logs, mountPath: /logs}]}
  containers:
    - {name: c, image: "busybox:1.36", volumeMounts: [{name: logs, mountPath: /logs, readOnly: true}]}
  volumes:
    - {name: logs, hostPath: {path: /var/log/}}`);
    const f = run(yaml, ...HOSTPATH_RULES);
    assert.deepEqual(f.map((x) => [x.ruleId, x.severity]), [['KM-WL-007', 'critical']]);
    assert.match(f[0].message, /writable into init container `init`/);
  });

  test('KM-WL-006: one finding per writable mount, at the volumeMount; readOnly mounts and emptyDir are silent', () => {
    const yaml = pod(`  containers:
    - name: a
      image: busybox:1.36
      volumeMounts:
        - {name: data, mountPath: /data}
        - {name: data, mountPath: /ro, readOnly: true}
    - name: b
      image: busybox:1.36
      volumeMounts:
        - {name: data, mountPath: /data, readOnly: false}
        - {name: tmp, mountPath: /tmp}
  volumes:
    - {name: data, hostPath: {path: /srv/data}}
    - {name: tmp, emptyDir: {}}`);
    const f = run(yaml, ...HOSTPATH_RULES);
    assert.deepEqual(f.map((x) => [x.ruleId, x.resource?.container, x.location?.line]), [
      ['KM-WL-006', 'a', 9],
      ['KM-WL-006', 'b', 14],
    ]);
  });

  test('KM-WL-006: kubelet plugin registration dirs are a plain writable hostPath, not sensitive', () => {
    const yaml = pod(`  containers:
    - {name: plugin, image: "busybox:1.36", volumeMounts: [{name: dp, mountPath: /var/lib/kubelet/device-plugins}]}
  volumes:
    - {name: dp, hostPath: {path: /var/lib/kubelet/device-plugins}}`);
    assert.deepEqual(run(yaml, ...HOSTPATH_RULES).map((x) => x.ruleId), ['KM-WL-006']);
  });

  test('KM-WL-005: read-only ordinary paths and declared-only volumes', () => {
    const yaml = pod(`  containers:
    - {name: c, image: "busybox:1.36", volumeMounts: [{name: static, mountPath: /static, readOnly: true}]}
  volumes:
    - {name: static, hostPath: {path: /srv/static}}
    - {name: spare, hostPath: {path: /mnt/spare}}`);
    const f = run(yaml, ...HOSTPATH_RULES);
    assert.deepEqual(f.map((x) => [x.ruleId, x.message]), [
      ['KM-WL-005', 'Pod shop/p mounts the host path `/srv/static` (read-only) into container `c`'],
      ['KM-WL-005', 'Pod shop/p declares the host path `/mnt/spare` as a volume'],
    ]);
  });

  test('ephemeral containers mounting a hostPath count as mounts', () => {
    const yaml = pod(`  containers:
    - {name: c, image: "busybox:1.36"}
  ephemeralContainers:
    - {name: debugger, image: "busybox:1.36", volumeMounts: [{name: etc, mountPath: /etc-host}]}
  volumes:
    - {name: etc, hostPath: {path: /etc}}`);
    const f = run(yaml, ...HOSTPATH_RULES);
    assert.deepEqual(f.map((x) => [x.ruleId, x.severity]), [['KM-WL-007', 'critical']]);
    assert.match(f[0].message, /ephemeral container `debugger`/);
  });
});

describe('capabilities (KM-WL-009/010)', () => {
  const caps = (add: string, extra = ''): string =>
    pod(`${extra}  containers:
    - name: c
      image: busybox:1.36
      securityContext:
        capabilities:
          add: ${add}`);

  test('severity tiers', () => {
    const sev = (add: string, extra = ''): string | undefined => run(caps(add, extra), 'KM-WL-009')[0]?.severity;
    assert.equal(sev('[NET_BIND_SERVICE]'), undefined);
    assert.equal(sev('[CHOWN, SETUID, SETGID, KILL, "cap_net_bind_service"]'), undefined);
    assert.equal(sev('[cap_sys_admin]'), 'critical');
    assert.equal(sev('[all]'), 'critical');
    assert.equal(sev('[SYS_MODULE]'), 'critical');
    assert.equal(sev('[BPF]'), 'critical');
    assert.equal(sev('[DAC_READ_SEARCH]'), 'critical');
    assert.equal(sev('[SYS_PTRACE]'), 'high');
    assert.equal(sev('[SYS_PTRACE]', '  hostPID: true\n'), 'critical');
    assert.equal(sev('[NET_ADMIN]'), 'high');
    assert.equal(sev('[SYS_TIME]'), 'high');
    assert.equal(sev('[NET_RAW]'), 'medium');
    assert.equal(sev('[IPC_LOCK]'), 'medium');
    assert.equal(sev('[DAC_OVERRIDE]'), 'low');
    assert.equal(sev('[SETFCAP, SYS_CHROOT]'), 'low');
  });

  test('one finding per container, at the most severe capability, listing all flagged ones', () => {
    const f = run(caps('[NET_BIND_SERVICE, NET_RAW, SYS_ADMIN, DAC_OVERRIDE]'), 'KM-WL-009');
    assert.equal(f.length, 1);
    assert.equal(f[0].location?.line, 10);
    assert.equal(f[0].location?.column, 44); // SYS_ADMIN, not the first entry
    assert.equal(f[0].message, 'container `c` in Pod shop/p adds the capabilities `NET_RAW`, `SYS_ADMIN`, `DAC_OVERRIDE`');
  });

  test('init and ephemeral containers are checked; Windows pods are not', () => {
    const yaml = pod(`  initContainers:
    - {name: i, image: "busybox:1.36", securityContext: {capabilities: {add: [NET_ADMIN]}}}
  containers:
    - {name: c, image: "busybox:1.36"}
  ephemeralContainers:
    - {name: e, image: "busybox:1.36", securityContext: {capabilities: {add: [SYS_PTRACE]}}}`);
    assert.deepEqual(run(yaml, 'KM-WL-009').map((x) => x.resource?.container), ['i', 'e']);
    const win = pod(`  os: {name: windows}
  containers:
    - {name: c, image: "busybox:1.36", securityContext: {capabilities: {add: [SYS_ADMIN]}}}`);
    assert.deepEqual(run(win, 'KM-WL-009'), []);
  });

  test('KM-WL-010: drop ALL in any case or with CAP_ prefix; privileged, ephemeral and Windows are skipped', () => {
    const yaml = pod(`  containers:
    - {name: a, image: "busybox:1.36", securityContext: {capabilities: {drop: [all]}}}
    - {name: b, image: "busybox:1.36", securityContext: {capabilities: {drop: [CAP_ALL]}}}
    - {name: c, image: "busybox:1.36", securityContext: {capabilities: {drop: [NET_RAW, SYS_ADMIN]}}}
    - {name: d, image: "busybox:1.36", securityContext: {privileged: true}}
  ephemeralContainers:
    - {name: e, image: "busybox:1.36"}`);
    const f = run(yaml, 'KM-WL-010');
    assert.deepEqual(f.map((x) => [x.resource?.container, x.location?.line]), [['c', 8]]);
  });
});

describe('privilege escalation, root, read-only root filesystem (KM-WL-011…014)', () => {
  test('KM-WL-011: unset and true report, false and privileged do not; ephemeral only when explicit', () => {
    const yaml = pod(`  containers:
    - {name: unset, image: "busybox:1.36"}
    - {name: allowed, image: "busybox:1.36", securityContext: {allowPrivilegeEscalation: "true"}}
    - {name: denied, image: "busybox:1.36", securityContext: {allowPrivilegeEscalation: "false"}}
    - {name: priv, image: "busybox:1.36", securityContext: {privileged: "true"}}
  ephemeralContainers:
    - {name: dbg, image: "busybox:1.36"}
    - {name: dbg2, image: "busybox:1.36", securityContext: {allowPrivilegeEscalation: true}}`);
    const f = run(yaml, 'KM-WL-011');
    assert.deepEqual(f.map((x) => x.resource?.container), ['unset', 'allowed', 'dbg2']);
    assert.equal(f[1].message, 'container `allowed` in Pod shop/p sets allowPrivilegeEscalation: true');
  });

  test('KM-WL-012: the container overrides the pod; a pod-level 0 is located at the pod field', () => {
    const yaml = pod(`  securityContext:
    runAsUser: 0
  containers:
    - {name: inherits, image: "busybox:1.36"}
    - {name: overrides, image: "busybox:1.36", securityContext: {runAsUser: 1000}}
    - {name: own, image: "busybox:1.36", securityContext: {runAsUser: "0"}}`);
    const f = run(yaml, 'KM-WL-012', 'KM-WL-013');
    assert.deepEqual(f.map((x) => [x.ruleId, x.resource?.container, x.location?.line]), [
      ['KM-WL-012', 'inherits', 6],
      ['KM-WL-012', 'own', 10],
    ]);
    assert.equal(f[0].message, 'container `inherits` in Pod shop/p runs as root (runAsUser: 0, from the pod)');
  });

  test('KM-WL-012 is medium in a user-namespaced pod; 013 is silent there', () => {
    const yaml = pod(`  hostUsers: false
  containers:
    - {name: root, image: "busybox:1.36", securityContext: {runAsUser: 0}}
    - {name: unknown, image: "busybox:1.36"}`);
    const f = run(yaml, 'KM-WL-012', 'KM-WL-013');
    assert.deepEqual(f.map((x) => [x.ruleId, x.severity, x.resource?.container]), [['KM-WL-012', 'medium', 'root']]);
  });

  test('KM-WL-013: a non-zero runAsUser is enough; runAsNonRoot from the pod counts; 012 and 013 never both fire', () => {
    const yaml = pod(`  securityContext: {runAsNonRoot: "true"}
  containers:
    - {name: inherits, image: "busybox:1.36"}
    - {name: disabled, image: "busybox:1.36", securityContext: {runAsNonRoot: false}}
    - {name: uid, image: "busybox:1.36", securityContext: {runAsNonRoot: false, runAsUser: 1000}}
    - {name: root, image: "busybox:1.36", securityContext: {runAsUser: 0, runAsNonRoot: true}}
  initContainers:
    - {name: init, image: "busybox:1.36", securityContext: {runAsNonRoot: false}}`);
    const f = run(yaml, 'KM-WL-012', 'KM-WL-013');
    assert.deepEqual(f.map((x) => [x.ruleId, x.resource?.container]).sort(), [
      ['KM-WL-012', 'root'],
      ['KM-WL-013', 'disabled'],
      ['KM-WL-013', 'init'],
    ].sort());
  });

  test('Linux-only rules skip Windows pods (spec.os or the kubernetes.io/os node selector)', () => {
    for (const marker of ['  os: {name: windows}', '  nodeSelector: {kubernetes.io/os: windows}']) {
      const yaml = pod(`${marker}
  containers:
    - {name: iis, image: "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022", securityContext: {runAsUser: 0}}`);
      const ids = ['KM-WL-010', 'KM-WL-011', 'KM-WL-012', 'KM-WL-013', 'KM-WL-014', 'KM-WL-015', 'KM-WL-016', 'KM-WL-017', 'KM-WL-018'];
      assert.deepEqual(run(yaml, ...ids).map((x) => x.ruleId), [], marker);
    }
  });

  test('KM-WL-014: init containers are checked, ephemeral ones are not; "true" counts', () => {
    const yaml = pod(`  initContainers:
    - {name: init, image: "busybox:1.36"}
  containers:
    - {name: c, image: "busybox:1.36", securityContext: {readOnlyRootFilesystem: "true"}}
  ephemeralContainers:
    - {name: dbg, image: "busybox:1.36"}`);
    assert.deepEqual(run(yaml, 'KM-WL-014').map((x) => x.resource?.container), ['init']);
  });
});

describe('seccomp and AppArmor (KM-WL-015/016)', () => {
  test('KM-WL-015: Unconfined is medium at the field, missing is low; the container overrides the pod', () => {
    const yaml = pod(`  securityContext:
    seccompProfile: {type: Unconfined}
  containers:
    - {name: inherits, image: "busybox:1.36"}
    - {name: confined, image: "busybox:1.36", securityContext: {seccompProfile: {type: RuntimeDefault}}}`);
    const f = run(yaml, 'KM-WL-015');
    assert.deepEqual(f.map((x) => [x.resource?.container, x.severity, x.location?.line]), [['inherits', 'medium', 6]]);
    assert.equal(f[0].message, 'container `inherits` in Pod shop/p runs with seccomp unconfined (set by the pod)');
    const bare = run(pod(`  containers:\n    - {name: c, image: "busybox:1.36"}`), 'KM-WL-015');
    assert.deepEqual(bare.map((x) => x.severity), ['low']);
  });

  test('KM-WL-015: legacy annotations, container annotation over pod annotation, field over annotation', () => {
    const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: shop}
spec:
  template:
    metadata:
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: runtime/default
        container.seccomp.security.alpha.kubernetes.io/bad: unconfined
        container.seccomp.security.alpha.kubernetes.io/local: localhost/profiles/app.json
        container.seccomp.security.alpha.kubernetes.io/fielded: unconfined
    spec:
      containers:
        - {name: inherits, image: "busybox:1.36"}
        - {name: bad, image: "busybox:1.36"}
        - {name: local, image: "busybox:1.36"}
        - {name: fielded, image: "busybox:1.36", securityContext: {seccompProfile: {type: RuntimeDefault}}}`;
    const f = run(yaml, 'KM-WL-015');
    assert.deepEqual(f.map((x) => [x.resource?.container, x.severity, x.location?.line]), [['bad', 'medium', 9]]);
  });

  test('KM-WL-015: privileged containers and ephemeral containers without a profile are left alone', () => {
    const yaml = pod(`  containers:
    - {name: priv, image: "busybox:1.36", securityContext: {privileged: true}}
  ephemeralContainers:
    - {name: dbg, image: "busybox:1.36"}
    - {name: dbg2, image: "busybox:1.36", securityContext: {seccompProfile: {type: Unconfined}}}`);
    assert.deepEqual(run(yaml, 'KM-WL-015').map((x) => x.resource?.container), ['dbg2']);
  });

  test('KM-WL-016: field or per-container annotation; a missing profile is not a finding', () => {
    const yaml = `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
  annotations:
    container.apparmor.security.beta.kubernetes.io/a: unconfined
    container.apparmor.security.beta.kubernetes.io/b: runtime/default
spec:
  containers:
    - {name: a, image: "busybox:1.36"}
    - {name: b, image: "busybox:1.36"}
    - {name: c, image: "busybox:1.36"}
    - {name: d, image: "busybox:1.36", securityContext: {appArmorProfile: {type: unconfined}}}
    - name: e
      image: busybox:1.36
      securityContext:
        appArmorProfile: {type: Localhost, localhostProfile: k8s-e}`;
    const f = run(yaml, 'KM-WL-016');
    assert.deepEqual(f.map((x) => [x.resource?.container, x.location?.line]), [['a', 7], ['d', 14]]);
  });
});

describe('procMount, sysctls, hostPort (KM-WL-017/018/019)', () => {
  test('KM-WL-017: Unmasked in any case; Default and user-namespaced pods are silent', () => {
    const yaml = pod(`  containers:
    - {name: a, image: "busybox:1.36", securityContext: {procMount: unmasked}}
    - {name: b, image: "busybox:1.36", securityContext: {procMount: Default}}`);
    assert.deepEqual(run(yaml, 'KM-WL-017').map((x) => [x.resource?.container, x.severity]), [['a', 'high']]);
  });

  test('KM-WL-018: one finding per unsafe sysctl, at its name; slash separators understood', () => {
    assert.equal(canonicalSysctl('net/ipv4/conf/eno2.100/rp_filter'), 'net.ipv4.conf.eno2/100.rp_filter');
    assert.equal(canonicalSysctl('net.ipv4.tcp_syncookies'), 'net.ipv4.tcp_syncookies');
    const yaml = pod(`  securityContext:
    sysctls:
      - {name: kernel.shm_rmid_forced, value: "1"}
      - {name: net/ipv4/tcp_keepalive_probes, value: "5"}
      - {name: net.ipv4.tcp_rmem, value: "4096 87380 16777216"}
      - {name: kernel.core_pattern, value: "|/tmp/x"}
      - {name: vm.overcommit_memory, value: "1"}
  containers:
    - {name: c, image: "busybox:1.36"}`);
    const f = run(yaml, 'KM-WL-018');
    assert.deepEqual(f.map((x) => [x.location?.line, x.message]), [
      [10, 'Pod shop/p sets the unsafe sysctl `kernel.core_pattern`'],
      [11, 'Pod shop/p sets the unsafe sysctl `vm.overcommit_memory`'],
    ]);
  });

  test('KM-WL-019: each non-zero hostPort, init containers included; host-network pods are left to KM-WL-004', () => {
    const yaml = pod(`  initContainers:
    - name: i
      image: busybox:1.36
      ports: [{containerPort: 9000, hostPort: 9000}]
  containers:
    - name: c
      image: busybox:1.36
      ports:
        - {containerPort: 80, hostPort: 0}
        - {containerPort: 53, hostPort: "53", protocol: UDP}`);
    const f = run(yaml, 'KM-WL-019');
    assert.deepEqual(f.map((x) => [x.resource?.container, x.location?.line]), [['i', 8], ['c', 14]]);
    assert.equal(f[1].message, 'container `c` in Pod shop/p listens on host port 53/UDP of its node');
    const hostNet = pod(`  hostNetwork: true
  containers:
    - {name: c, image: "busybox:1.36", ports: [{containerPort: 80, hostPort: 80}]}`);
    assert.deepEqual(run(hostNet, 'KM-WL-019'), []);
  });
});

describe('requests (KM-WL-021)', () => {
  test('a limit implies the request; a LimitRange default or defaultRequest counts; ephemeral skipped', () => {
    const yaml = `apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: shop}
spec:
  limits:
    - type: Container
      default: {memory: 256Mi}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
    - name: limit-only
      image: busybox:1.36
      resources: {limits: {cpu: 200m}}
    - {name: none, image: "busybox:1.36"}
  ephemeralContainers:
    - {name: dbg, image: "busybox:1.36"}`;
    const f = run(yaml, 'KM-WL-021');
    assert.deepEqual(f.map((x) => [x.resource?.container, x.message]), [['none', 'container `none` in Pod shop/p has no cpu request']]);
  });

  test('a LimitRange in another namespace does not count', () => {
    const yaml = `apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: other}
spec:
  limits: [{type: Container, defaultRequest: {cpu: 100m, memory: 64Mi}}]
---
${pod('  containers:\n    - {name: c, image: "busybox:1.36"}')}`;
    assert.deepEqual(run(yaml, 'KM-WL-021').map((x) => x.message), ['container `c` in Pod shop/p has no cpu or memory request']);
  });
});

describe('Windows HostProcess (KM-WL-022)', () => {
  test('once per pod: pod-level field first, else the first container that asks', () => {
    const podLevel = pod(`  hostNetwork: true
  securityContext:
    windowsOptions: {hostProcess: true}
  containers:
    - {name: a, image: "r/a:1", securityContext: {windowsOptions: {hostProcess: true}}}
    - {name: b, image: "r/b:1", securityContext: {windowsOptions: {hostProcess: true}}}`);
    const f = run(podLevel, 'KM-WL-022');
    assert.deepEqual(f.map((x) => [x.severity, x.location?.line]), [['critical', 7]]);
    const containerLevel = pod(`  hostNetwork: true
  initContainers:
    - {name: i, image: "r/i:1"}
  containers:
    - name: a
      image: r/a:1
      securityContext:
        windowsOptions: {hostProcess: "true"}`);
    assert.deepEqual(run(containerLevel, 'KM-WL-022').map((x) => x.location?.line), [12]);
  });
});

describe('service account token (KM-WL-023)', () => {
  test('the message names the service account; the pod setting wins over the ServiceAccount', () => {
    const yaml = `apiVersion: v1
kind: ServiceAccount
metadata: {name: quiet, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: inherits, namespace: shop}
spec:
  serviceAccountName: quiet
  containers: [{name: c, image: "busybox:1.36"}]
---
apiVersion: v1
kind: Pod
metadata: {name: forces, namespace: shop}
spec:
  serviceAccountName: quiet
  automountServiceAccountToken: true
  containers: [{name: c, image: "busybox:1.36"}]
---
apiVersion: v1
kind: Pod
metadata: {name: legacy-field, namespace: shop}
spec:
  serviceAccount: builder
  containers: [{name: c, image: "busybox:1.36"}]
---
apiVersion: v1
kind: Pod
metadata: {name: elsewhere, namespace: other}
spec:
  serviceAccountName: quiet
  containers: [{name: c, image: "busybox:1.36"}]`;
    const f = run(yaml, 'KM-WL-023');
    assert.deepEqual(f.map((x) => [x.message, x.location?.line]), [
      ['Pod shop/forces explicitly mounts the API token of service account `quiet` (automountServiceAccountToken: true)', 18],
      ['Pod shop/legacy-field mounts the API token of service account `builder`', 25],
      ['Pod other/elsewhere mounts the API token of service account `quiet`', 32],
    ]);
  });

  test('the default ServiceAccount is assumed when none is named', () => {
    const yaml = `apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
automountServiceAccountToken: "false"
---
${pod('  containers:\n    - {name: c, image: "busybox:1.36"}')}`;
    assert.deepEqual(run(yaml, 'KM-WL-023'), []);
    assert.match(run(pod('  containers:\n    - {name: c, image: "busybox:1.36"}'), 'KM-WL-023')[0].message, /service account `default`/);
  });

  test('static pods get no token: mirror annotations, or a Pod file in a static pod directory', () => {
    const yaml = pod('  containers:\n    - {name: c, image: "busybox:1.36"}');
    const ids = (file: string): string[] => scanText(yaml, [findRule('KM-WL-023')!], undefined, file).findings.map((f) => f.ruleId);
    assert.deepEqual(ids('/etc/kubernetes/manifests/etcd.yaml'), []);
    assert.deepEqual(ids('lab/manifests/hardened/static/web.yaml'), []);
    assert.deepEqual(ids('deploy/manifests/web.yaml'), ['KM-WL-023']);
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: c, image: "busybox:1.36"}]`;
    assert.equal(scanText(deployment, [findRule('KM-WL-023')!], undefined, 'static/d.yaml').findings.length, 1, 'only a Pod can be static');
  });
});

describe('default namespace (KM-WL-024)', () => {
  test('only an explicit `namespace: default` on a workload, inside a List too', () => {
    const yaml = `apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: a
      namespace: default
    spec:
      template:
        spec:
          containers: [{name: c, image: "busybox:1.36"}]
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: b}
    spec:
      template:
        spec:
          containers: [{name: c, image: "busybox:1.36"}]
  - apiVersion: v1
    kind: Service
    metadata: {name: s, namespace: default}
    spec: {ports: [{port: 80}]}`;
    const f = run(yaml, 'KM-WL-024');
    assert.deepEqual(f.map((x) => [x.message, x.location?.line]), [['Deployment default/a is deployed in the `default` namespace', 8]]);
  });
});
