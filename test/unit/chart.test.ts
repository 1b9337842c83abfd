// charts/kubemoat rendered by the real Helm v4 (lab/setup.d/55-helm.sh), linted, and scanned by the
// built kubemoat: nothing critical or high that is not accepted with a reason, no stale acceptance,
// the security settings the chart promises on every container, the read-only role of
// docs/cluster-role.yaml, and deploy/kubemoat.yaml equal to a fresh render.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { CHART_DIR, helm, manifestsText, MANIFESTS_FILE, renderChart } from '../helpers/helm.js';
import { kubeconfigTargets } from '../../src/probe/targets.js';
import { IGNORE_ANNOTATION, IGNORE_REASON_ANNOTATION } from '../../src/core/suppression.js';
import type { Finding } from '../../src/core/finding.js';

type Json = Record<string, unknown>;
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Json;
  data?: Record<string, string>;
  rules?: unknown[];
  automountServiceAccountToken?: boolean;
}
interface Container {
  name: string;
  image: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: Json }[];
  securityContext: Json & { capabilities?: { add?: string[]; drop?: string[] } };
  resources: { requests?: Json; limits?: Json };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: (Json & { name: string })[];
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  securityContext?: Json;
}

const EVERYTHING_ON = [
  'webhook.enabled=true',
  'webhook.tls.certManager.enabled=true',
  'webhook.tls.certManager.issuerRef.name=kubemoat-ca',
  'webhook.hostNetwork=true',
  'store.existingSecret.name=kubemoat-store',
  'rbac.kubeletConfigz=true',
  'apiServer.host=10.77.1.10',
  'sinks.syslog[0]=tcp://127.0.0.1:6514',
  'skipNamespaces[0].name=ci-sandbox',
  'skipNamespaces[0].reason=throwaway build pods',
];
const VALUE_SETS: Record<string, string[]> = {
  defaults: [],
  'everything on': EVERYTHING_ON,
  'webhook on the pod network, an existing TLS Secret, a hostPath store': ['webhook.enabled=true', 'webhook.tls.existingSecret=kubemoat-tls', 'store.volume.type=hostPath'],
};

function objects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

function find(objs: readonly K8sObject[], kind: string, name: string): K8sObject {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} rendered (have: ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')})`);
  return o;
}

function podSpecOf(o: K8sObject): PodSpec | undefined {
  const spec = o.spec as { template?: { spec: PodSpec }; jobTemplate?: { spec: { template: { spec: PodSpec } } } } | undefined;
  return spec?.jobTemplate?.spec.template.spec ?? spec?.template?.spec;
}

function workloads(objs: readonly K8sObject[]): { object: K8sObject; pod: PodSpec }[] {
  return objs.flatMap((object) => {
    const pod = podSpecOf(object);
    return pod ? [{ object, pod }] : [];
  });
}

const renders = new Map<string, K8sObject[]>();
function rendered(name: string): K8sObject[] {
  let objs = renders.get(name);
  if (objs === undefined) renders.set(name, (objs = objects(renderChart(VALUE_SETS[name]))));
  return objs;
}

interface ScanReport {
  findings: Finding[];
  suppressed: Finding[];
}

function selfScan(text: string): ScanReport {
  const r = runCli(['scan', '-', '--format', 'json', '--severity', 'info', '--fail-on', 'never'], { input: text });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ScanReport;
}

test('helm lint passes on every value set', () => {
  for (const [name, set] of Object.entries(VALUE_SETS)) {
    const r = helm(['lint', CHART_DIR, '--strict', ...set.flatMap((s) => ['--set', s])]);
    assert.equal(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
  }
});

for (const name of Object.keys(VALUE_SETS)) {
  test(`kubemoat's own scan (${name}): nothing critical or high unaccepted, every acceptance has a reason and is used`, () => {
    const text = renderChart(VALUE_SETS[name]);
    const report = selfScan(text);
    const serious = report.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    assert.deepEqual(serious.map((f) => `${f.ruleId} ${f.message}`), []);
    assert.ok(report.suppressed.length > 0, 'the sensor has accepted findings');
    for (const f of report.suppressed) {
      const reason = f.suppressed?.reason ?? '';
      // an annotation without kubemoat.io/ignore-reason gets this placeholder
      assert.notEqual(reason, `annotation ${IGNORE_ANNOTATION}`, `${f.ruleId} on ${f.resource?.kind} ${f.resource?.name} has no reason`);
      assert.match(reason, new RegExp(`${f.ruleId}: \\S.{20,}`), `the reason names ${f.ruleId} and says why`);
    }
    // every id an object accepts is a finding kubemoat raises on it: no acceptance outlives its cause
    for (const o of objects(text)) {
      const ids = o.metadata.annotations?.[IGNORE_ANNOTATION];
      if (ids === undefined) continue;
      assert.ok(o.metadata.annotations?.[IGNORE_REASON_ANNOTATION], `${o.kind} ${o.metadata.name} has a reason`);
      for (const id of ids.split(',')) {
        const used = report.suppressed.some((f) => f.ruleId === id && f.resource?.kind === o.kind && f.resource.name === o.metadata.name);
        assert.ok(used, `${o.kind} ${o.metadata.name} accepts ${id}, which kubemoat does not raise on it`);
      }
    }
  });

  test(`every container is locked down (${name})`, () => {
    for (const { object, pod } of workloads(rendered(name))) {
      const sensor = object.kind === 'DaemonSet';
      const podSeccomp = (pod.securityContext?.seccompProfile as Json | undefined)?.type;
      for (const c of pod.containers) {
        const where = `${object.kind} ${object.metadata.name} container ${c.name}`;
        const sc = c.securityContext;
        assert.equal(sc.readOnlyRootFilesystem, true, `${where}: read-only root`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${where}: no privilege escalation`);
        assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${where}: drops every capability`);
        assert.equal((sc.seccompProfile as Json | undefined)?.type ?? podSeccomp, 'RuntimeDefault', `${where}: seccomp`);
        assert.notEqual(sc.privileged, true, where);
        for (const kind of ['requests', 'limits'] as const) {
          assert.ok(c.resources[kind]?.cpu !== undefined && c.resources[kind]?.memory !== undefined, `${where}: cpu and memory ${kind}`);
        }
        if (sensor) {
          // root with named capabilities only (values.yaml `sensor` says why)
          assert.equal(sc.runAsUser, 0, where);
          assert.ok((sc.capabilities?.add ?? []).every((cap) => ['SYS_ADMIN', 'SYS_PTRACE'].includes(cap)), `${where}: ${sc.capabilities?.add?.join()}`);
        } else {
          assert.equal(sc.runAsNonRoot, true, `${where}: non-root`);
          assert.equal(sc.runAsUser, 65532, where);
          assert.equal(sc.capabilities?.add, undefined, `${where}: adds nothing`);
        }
        for (const m of c.volumeMounts ?? []) {
          const volume = pod.volumes?.find((v) => v.name === m.name);
          if (volume?.hostPath !== undefined && object.kind !== 'CronJob') assert.equal(m.readOnly, true, `${where}: host path ${m.mountPath} read-only`);
        }
      }
      // a token only where the API is read: the scan
      assert.equal(pod.automountServiceAccountToken, object.kind === 'CronJob', `${object.kind} ${object.metadata.name} token`);
    }
    for (const sa of rendered(name).filter((o) => o.kind === 'ServiceAccount')) assert.equal(sa.automountServiceAccountToken, false, sa.metadata.name);
  });
}

test("the chart's ClusterRoles are docs/cluster-role.yaml's", () => {
  const docs = objects(readFileSync(join(REPO_ROOT, 'docs', 'cluster-role.yaml'), 'utf8'));
  const chart = rendered('everything on');
  for (const name of ['kubemoat-reader', 'kubemoat-kubelet-configz']) {
    assert.deepEqual(find(chart, 'ClusterRole', name).rules, find(docs, 'ClusterRole', name).rules, name);
  }
  // nodes/proxy (as strong as exec everywhere) only when asked for
  assert.ok(!rendered('defaults').some((o) => o.metadata.name === 'kubemoat-kubelet-configz'));
  const binding = find(rendered('defaults'), 'ClusterRoleBinding', 'kubemoat-reader') as K8sObject & { subjects: Json[] };
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'kubemoat-scan', namespace: 'kubemoat' }]);
});

test('the sensor runs exactly `node --every … --metrics …` and `detect --node --metrics …`, on the host PID and network', () => {
  const ds = find(rendered('defaults'), 'DaemonSet', 'kubemoat-sensor');
  const pod = podSpecOf(ds)!;
  assert.equal(pod.hostPID, true);
  assert.equal(pod.hostNetwork, true);
  const [node, detect] = pod.containers;
  assert.deepEqual(node.args.slice(0, 7), ['node', '--root', '/host', '--every', '1h', '--metrics', '0.0.0.0:9465']);
  assert.deepEqual(detect.args.slice(0, 4), ['detect', '--node', '--metrics', '0.0.0.0:9464']);
  assert.equal(detect.args[detect.args.indexOf('--bpftrace') + 1], '/usr/bin/bpftrace');
  assert.equal(detect.image, 'docker.io/kubemoat/kubemoat:0.1.0-node');
  assert.equal(node.image, 'docker.io/kubemoat/kubemoat:0.1.0');
  // the host root for `node`; for `detect` containerd's task bundles (never the socket beside them) and tracefs
  assert.deepEqual(node.volumeMounts?.map((m) => [m.mountPath, m.readOnly]), [['/host', true]]);
  assert.deepEqual(detect.volumeMounts?.map((m) => m.mountPath), ['/run/containerd/io.containerd.runtime.v2.task/k8s.io', '/sys/kernel/tracing']);
  // an SQLite store is the scan's alone: the sensor records only into PostgreSQL
  assert.ok(!node.args.includes('--store') && !detect.args.includes('--store'));
});

test('the scan: cluster and probe --from-kubeconfig, recorded in the SQLite store on its volume', () => {
  const objs = rendered('defaults');
  const pod = podSpecOf(find(objs, 'CronJob', 'kubemoat-scan'))!;
  const [cluster, probe] = pod.containers;
  assert.equal(cluster.args[0], 'cluster');
  assert.equal(probe.args[0], 'probe');
  for (const c of [cluster, probe]) {
    assert.equal(c.args[c.args.indexOf('--store') + 1], 'sqlite:/var/lib/kubemoat/history.db');
    assert.equal(c.args[c.args.indexOf('--fail-on') + 1], 'never');
    assert.ok(c.volumeMounts?.some((m) => m.name === 'store' && m.mountPath === '/var/lib/kubemoat'));
  }
  assert.ok(pod.volumes?.some((v) => v.name === 'store' && (v.persistentVolumeClaim as Json).claimName === 'kubemoat-store'));
  find(objs, 'PersistentVolumeClaim', 'kubemoat-store');
  assert.equal(probe.args[probe.args.indexOf('--from-kubeconfig') + 1], '/etc/kubemoat/kubeconfig/kubeconfig');
  assert.ok(!objs.some((o) => o.kind === 'Deployment'), 'the webhook is off by default');
});

test("the probe's kubeconfig names the API server and is read with the pod's own token", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-chart-'));
  try {
    for (const [set, server] of [[[], 'kubernetes.default.svc:443'], [['apiServer.host=10.77.1.10'], '10.77.1.10:6443'], [['apiServer.host=fd00::10', 'apiServer.port=443'], '[fd00::10]:443']] as const) {
      const text = find(objects(renderChart(set)), 'ConfigMap', 'kubemoat-kubeconfig').data!.kubeconfig;
      const file = join(dir, 'kubeconfig');
      writeFileSync(file, text);
      const targets = await kubeconfigTargets(file, undefined);
      assert.equal(targets[1], server, set.join(' '));
      // the Kubernetes client kubemoat uses trusts the mounted CA and sends the mounted token
      // (the kubelet's files, here under a temporary directory)
      writeFileSync(join(dir, 'token'), 'a-token-for-the-test');
      writeFileSync(join(dir, 'ca.crt'), 'the cluster CA');
      const kc = new KubeConfig();
      kc.loadFromString(text.replaceAll('/var/run/secrets/kubernetes.io/serviceaccount/', `${dir}/`));
      const opts: { headers?: Record<string, string>; ca?: Buffer } = {};
      await kc.applyToHTTPSOptions(opts);
      assert.equal(opts.headers?.Authorization, 'Bearer a-token-for-the-test');
      assert.equal(opts.ca?.toString(), 'the cluster CA');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('everything on: a PostgreSQL URL from a Secret, cert-manager, the host network, the API server address', () => {
  const objs = rendered('everything on');
  const work = workloads(objs);
  assert.deepEqual(work.map((w) => w.object.kind).sort(), ['CronJob', 'DaemonSet', 'Deployment']);
  for (const { object, pod } of work) {
    for (const c of pod.containers) {
      const where = `${object.kind} ${c.name}`;
      // every part records into the shared store, whose URL never appears in a command line
      const store = c.env?.find((e) => e.name === 'KUBEMOAT_STORE');
      assert.deepEqual(store?.valueFrom, { secretKeyRef: { name: 'kubemoat-store', key: 'url' } }, where);
      assert.ok(!c.args.includes('--store'), where);
      assert.deepEqual(c.env?.filter((e) => e.name.startsWith('KUBERNETES_SERVICE_')).map((e) => [e.name, e.value]), [['KUBERNETES_SERVICE_HOST', '10.77.1.10'], ['KUBERNETES_SERVICE_PORT', '6443']], where);
      assert.equal(c.args[c.args.indexOf('--config') + 1], '/etc/kubemoat/config/kubemoat.yaml', where);
    }
  }
  assert.ok(!objs.some((o) => o.kind === 'PersistentVolumeClaim'), 'no SQLite volume for a PostgreSQL store');
  const certificate = find(objs, 'Certificate', 'kubemoat-webhook');
  assert.equal((certificate.spec as Json).secretName, 'kubemoat-webhook-tls');
  assert.deepEqual((certificate.spec as { issuerRef: Json }).issuerRef, { name: 'kubemoat-ca', kind: 'Issuer', group: 'cert-manager.io' });
  const webhook = podSpecOf(find(objs, 'Deployment', 'kubemoat-webhook'))!;
  assert.equal(webhook.hostNetwork, true);
  assert.deepEqual(webhook.volumes?.find((v) => v.name === 'tls')?.secret, { secretName: 'kubemoat-webhook-tls', defaultMode: 0o440 });
  const args = webhook.containers[0].args;
  assert.deepEqual(args.slice(0, 7), ['detect', '--listen', '0.0.0.0:9443', '--path', '/audit', '--tls-cert', '/etc/kubemoat/tls/tls.crt']);
  assert.equal(args[args.indexOf('--syslog') + 1], 'tcp://127.0.0.1:6514');
  find(objs, 'Service', 'kubemoat-webhook');
  // NetworkPolicy does not govern the host network: no policy pretends to guard the receiver
  assert.ok(!objs.some((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'kubemoat-webhook'));
});

test('skipNamespaces becomes a config kubemoat accepts, and accepts those namespaces with the reason', () => {
  const config = find(rendered('everything on'), 'ConfigMap', 'kubemoat-config').data!['kubemoat.yaml'];
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-chart-'));
  try {
    writeFileSync(join(dir, 'kubemoat.yaml'), config);
    const pod = (ns: string): string => `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ${ns}}\nspec:\n  containers: [{name: c, image: "busybox:1.36", securityContext: {privileged: true}}]\n`;
    const r = runCli(['scan', '-', '-c', join(dir, 'kubemoat.yaml'), '-f', 'json', '--fail-on', 'never'], { input: `${pod('ci-sandbox')}---\n${pod('shop')}` });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as ScanReport;
    assert.ok(report.suppressed.length > 0 && report.suppressed.every((f) => f.resource?.namespace === 'ci-sandbox' && f.suppressed?.reason === 'throwaway build pods'));
    assert.ok(report.findings.some((f) => f.ruleId === 'KM-WL-001' && f.resource?.namespace === 'shop'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('values that cannot work are refused with a message naming the value', () => {
  const refused = (set: string[], message: RegExp): void => {
    assert.throws(() => renderChart(set), message, set.join(' '));
  };
  refused(['webhook.enabled=true'], /webhook\.tls\.existingSecret/);
  refused(['store.url=sqlite:/data/history.db'], /store\.volume\.mountPath/);
  refused(['scan.format=xml'], /scan\/format/);
  refused(['sensor.detect.capabilities={ALL}'], /capabilities/);
  refused(['store.url=postgres://kubemoat:secret@db/kubemoat'], /store\/url/);
  refused(['skipNamespaces[0].name=dev'], /skipNamespaces/);
});

test('deploy/kubemoat.yaml is the chart rendered with its defaults (npm run manifests)', () => {
  assert.equal(readFileSync(MANIFESTS_FILE, 'utf8'), manifestsText(), 'deploy/kubemoat.yaml is stale: run `npm run manifests`');
});
