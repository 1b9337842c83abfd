// kubemoat paths on fixtures: every step is a finding `scan` reports on the same input, the chains
// are the ones the fixture was written to hold (and not the ones it was written not to hold), a
// door's "cuts" is what closing it really cuts, live placement keeps steps on the right node, alerts
// in the store mark the steps seen, and a baseline lets CI fail only on a new path.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { EMPTY_CONFIG } from '../../src/core/config.js';
import { loadManifests } from '../../src/sources/manifests/source.js';
import { buildGraph, findPaths } from '../../src/paths/analyse.js';
import { placementOf } from '../../src/paths/placement.js';
import { doorKey } from '../../src/paths/doors.js';
import { OBSERVED_RULE_IDS, placeAlerts } from '../../src/paths/observed.js';
import { STEP_RULE_IDS } from '../../src/paths/edges.js';
import { knownRuleIds } from '../../src/cli/rule-ids.js';
import type { AttackPath, PathsReport } from '../../src/paths/model.js';
import type { Finding } from '../../src/core/finding.js';
import type { Report } from '../../src/core/report.js';
import type { RuntimeAlert } from '../../src/detect/alert.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { toKubeObject, type KubeObject } from '../../src/inventory/objects.js';
import type { JsonObject } from '../../src/core/json.js';
import { recordRunningPods } from '../../src/sources/cluster/collect.js';
import { analyse } from '../../src/core/pipeline.js';
import { catalogue } from '../../src/rules/catalogue.js';
import { HistoryStore } from '../../src/store/store.js';
import { alert as auditAlert } from '../helpers/store-fixtures.js';
import { fakeKubeletNode } from '../helpers/fake-node.js';

const FIXTURE = 'test/fixtures/paths/cluster.yaml';
const dir = mkdtempSync(join(tmpdir(), 'kubemoat-paths-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function pathsJson(args: string[]): { status: number; report: PathsReport; stderr: string } {
  const r = runCli(['paths', ...args, '-f', 'json']);
  assert.ok(r.stdout.length > 0, `no JSON on stdout; stderr: ${r.stderr}`);
  return { status: r.status, report: JSON.parse(r.stdout) as PathsReport, stderr: r.stderr };
}

const chain = (p: AttackPath): string => p.steps.map((s) => s.findings.map((f) => f.ruleId).join('+')).join(' > ');
const INTERNAL = /^(group:|pods:|node-pods:|accounts:|pod-network$|asset:node-root$)/;

const fixture = pathsJson(['--manifests', FIXTURE]);

test('every step of every path is proved by a finding kubemoat scan reports on the same input', () => {
  const scan = runCli(['scan', FIXTURE, '-f', 'json', '-s', 'info', '--fail-on', 'never']);
  const report = JSON.parse(scan.stdout) as Report;
  const known = new Map([...report.findings, ...report.suppressed].map((f) => [f.fingerprint, f]));
  assert.ok(fixture.report.paths.length > 0);
  for (const p of fixture.report.paths) {
    assert.ok(p.steps.length > 0 && p.length === p.steps.length);
    for (const s of p.steps) {
      assert.ok(s.findings.length > 0, `a step without a finding: ${s.from} → ${s.to}`);
      for (const f of s.findings) {
        const seen = known.get(f.fingerprint);
        assert.ok(seen, `step finding ${f.ruleId} ${f.fingerprint} is not in the scan`);
        assert.equal(seen.ruleId, f.ruleId);
        assert.equal(seen.location?.line, f.location?.line);
      }
    }
  }
});

test('the fixture chains are found, shortest first, with the finding behind each step', () => {
  const paths = fixture.report.paths;
  const find = (from: string, start: string, to: string): AttackPath | undefined => paths.find((p) => p.from === from && p.start === start && p.to === to);
  assert.equal(chain(find('any-pod', 'workload:Deployment/shop/web', 'node-root')!), 'KM-WL-001');
  assert.equal(chain(find('any-pod', 'workload:Pod/ci/runner', 'cluster-admin')!), 'KM-WL-023 > KM-RB-001');
  assert.equal(chain(find('authenticated', 'entry:authenticated', 'cluster-admin')!), 'KM-RB-012 > KM-WL-023 > KM-RB-001');
  const exec = find('authenticated', 'entry:authenticated', 'cluster-admin')!.steps[0];
  assert.equal(exec.to, 'workload:Pod/ci/runner', 'the exec step lands on the pod that holds the token, not on the group or hub between');
  assert.match(exec.findings[0].location!.file, /cluster\.yaml$/);
  assert.ok(exec.findings[0].remediation.length > 20);
  for (let i = 1; i < paths.length; i++) assert.ok(paths[i - 1].length <= paths[i].length, 'ranked by length');
  // the pod that mounts no token opens no step, though its account is cluster-admin
  assert.ok(!paths.some((p) => p.start === 'workload:Pod/ci/tokenless' || p.steps.some((s) => s.from === 'workload:Pod/ci/tokenless')));
  // the exporter mounts the node's root read-only (KM-WL-007 reports it): no step to the node
  const scan = JSON.parse(runCli(['scan', FIXTURE, '-f', 'json', '-s', 'info', '--fail-on', 'never']).stdout) as Report;
  assert.ok(scan.findings.some((f) => f.ruleId === 'KM-WL-007' && f.resource?.name === 'exporter'));
  assert.ok(!paths.some((p) => p.start === 'workload:DaemonSet/ci/exporter' && p.to === 'node-root'));
  // no network entry point from manifests: nothing was probed, and nothing in them is a network door
  assert.ok(!paths.some((p) => p.from === 'network'));
});

test('no step starts or ends on a group or hub, and the drawn graph holds every step', () => {
  const ids = new Set(fixture.report.graph.vertices.map((v) => v.id));
  for (const p of fixture.report.paths) {
    assert.equal(p.steps[0].from, p.start);
    assert.equal(p.steps[p.steps.length - 1].to, p.target);
    for (let i = 0; i < p.steps.length; i++) {
      const s = p.steps[i];
      assert.doesNotMatch(s.from, INTERNAL);
      assert.doesNotMatch(s.to, INTERNAL);
      assert.ok(ids.has(s.from) && ids.has(s.to));
      if (i > 0) assert.equal(s.from, p.steps[i - 1].to, 'steps join end to start');
      assert.ok(fixture.report.graph.edges.some((e) => e.from === s.from && e.to === s.to && e.technique === s.technique));
    }
  }
  assert.equal(fixture.status, 1, 'a path exists: exit 1 by default');
});

test("a door's cuts are the paths that lose every way to their asset once its findings are gone", async () => {
  const { findings, inventory } = await loadFixture();
  const placement = placementOf(inventory, false);
  const base = findPaths(buildGraph(findings, placement));
  assert.ok(base.doors.length >= 3);
  for (const door of base.doors.slice(0, 4)) {
    const key = doorKey(findings.find((f) => f.fingerprint === door.fingerprint)!, placement);
    const without = findings.filter((f) => doorKey(f, placement) !== key);
    const after = findPaths(buildGraph(without, placement), { perPair: 100 });
    const stillJoined = new Set(after.paths.map((p) => `${p.start}>${p.to}`));
    const through = base.paths.filter((p) => p.steps.some((s) => s.findings.some((f) => doorKey(findings.find((x) => x.fingerprint === f.fingerprint)!, placement) === key)));
    assert.equal(door.paths, through.length, `${door.ruleId}: paths through it`);
    assert.equal(door.cuts, through.filter((p) => !stillJoined.has(`${p.start}>${p.to}`)).length, `${door.ruleId}: cuts`);
  }
  for (let i = 1; i < base.doors.length; i++) assert.ok(base.doors[i - 1].cuts >= base.doors[i].cuts, 'the best single change first');
});

test('--from starts from a chosen subject; --entry and --asset filter', () => {
  const r = pathsJson(['--manifests', FIXTURE, '--from', 'sa:shop/web', '--entry', 'subject', '--asset', 'cluster-admin']);
  assert.ok(r.report.paths.length >= 1);
  for (const p of r.report.paths) {
    assert.equal(p.from, 'subject');
    assert.equal(p.to, 'cluster-admin');
  }
  assert.equal(r.report.paths[0].start, 'entry:subject:sa:shop/web');
  // the web account may exec anywhere as an authenticated user: into the runner, then its token
  assert.equal(chain(r.report.paths[0]), 'KM-RB-012 > KM-WL-023 > KM-RB-001');
});

test('with --baseline, --fail-on new-path exits 0 until a change opens a new path', () => {
  const first = join(dir, 'first.json');
  writeFileSync(first, JSON.stringify(fixture.report));
  const same = runCli(['paths', '--manifests', FIXTURE, '--baseline', first, '--fail-on', 'new-path']);
  assert.equal(same.status, 0, same.stderr);
  assert.doesNotMatch(same.stdout, /\[new\]/);
  const changed = join(dir, 'changed.yaml');
  writeFileSync(changed, `${readFileSync(FIXTURE, 'utf8')}---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: ci}
spec:
  containers:
    - name: sh
      image: registry.example.com/debug:1.0.0
      volumeMounts: [{name: sock, mountPath: /run/containerd/containerd.sock}]
  volumes: [{name: sock, hostPath: {path: /run/containerd/containerd.sock}}]
`);
  const opened = runCli(['paths', '--manifests', changed, '--baseline', first, '--fail-on', 'new-path']);
  assert.equal(opened.status, 1, opened.stderr);
  const wide = opened.stdout.split('\n').filter((l) => l.length > 80);
  assert.deepEqual(wide, [], 'the table fits 80 columns');
  assert.match(opened.stdout.replace(/\n\s+/g, ' '), /Pod ci\/debug → a node.*\[new\]/);
});

test('bad input: one line naming what is wrong, exit 2', () => {
  const notNode = join(dir, 'scan.json');
  writeFileSync(notNode, runCli(['scan', FIXTURE, '-f', 'json', '--fail-on', 'never']).stdout);
  for (const [args, pattern] of [
    [['--entry', 'everyone'], /--entry everyone: not one of network, any-pod/],
    [['--node-report', notNode], /--node-report .*scan\.json: not a `kubemoat node -f json` report/],
    [['--node-report', join(dir, 'missing.json')], /--node-report .*missing\.json: ENOENT/],
    [['--from', 'sa:web'], /--from sa:web: a service account is written sa:NAMESPACE\/NAME/],
    [['--fail-on', 'new-path'], /--fail-on new-path needs --baseline/],
  ] as const) {
    const r = runCli(['paths', '--manifests', FIXTURE, ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

// ─── a live-like inventory: pods placed on nodes ─────────────────────────────────────────────────

const live = (raw: JsonObject): KubeObject => toKubeObject(raw, { type: 'cluster', context: 'test' })!;

function liveCluster(): { inventory: Inventory; findings: Finding[] } {
  const pod = (name: string, node: string, spec: JsonObject, sa = 'default'): KubeObject =>
    live({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'apps', uid: `uid-${name}` }, spec: { nodeName: node, serviceAccountName: sa, ...spec }, status: { phase: 'Running' } });
  const objects = [
    live({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.11' }] } }),
    live({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.12' }] } }),
    live({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } }),
    live({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'admin-bot', namespace: 'apps' } }),
    pod('escaper', 'n1', { containers: [{ name: 'c', image: 'r.example.com/a:1', securityContext: { privileged: true } }] }),
    pod('bot', 'n2', { containers: [{ name: 'c', image: 'r.example.com/b:1' }] }, 'admin-bot'),
    live({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'bot-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'admin-bot', namespace: 'apps' }] }),
  ];
  const inventory = new Inventory();
  for (const o of objects) inventory.add(o);
  recordRunningPods(inventory, objects);
  const report = analyse(inventory, { type: 'cluster', context: 'test' }, [], new Date(), { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'info' });
  // what the probe says of n1's kubelet
  const kubelet: Finding = { ruleId: 'KM-EX-002', severity: 'critical', title: 'Kubelet runs commands for anyone', message: 'kubelet at https://127.0.0.11:10250 lets anonymous requests use /run', endpoint: { url: 'https://127.0.0.11:10250' }, remediation: 'turn off anonymous auth', references: [], frameworks: {}, fingerprint: '00000000000000aa' };
  return { inventory, findings: [...report.findings, ...report.suppressed, kubelet] };
}

test('live placement: the kubelet step reaches only the pods on its node, node root only the tokens on that node', () => {
  const { inventory, findings } = liveCluster();
  const placement = placementOf(inventory, true);
  const result = findPaths(buildGraph(findings, placement));
  const network = result.paths.filter((p) => p.from === 'network');
  const toNode = network.find((p) => p.to === 'node-root');
  assert.ok(toNode, 'network → n1 kubelet → escaper → node n1');
  assert.equal(chain(toNode), 'KM-EX-002 > KM-WL-001');
  assert.equal(toNode.target, 'node:n1');
  assert.equal(toNode.steps[0].to, 'workload:Pod/apps/escaper');
  // the bot (cluster-admin token) runs on n2: neither the n1 kubelet nor root on n1 reaches it
  assert.ok(!network.some((p) => p.to === 'cluster-admin'), network.map(chain).join('\n'));
  assert.ok(!result.paths.some((p) => p.steps.some((s) => s.from === 'node:n1' && s.to === 'sa:apps/admin-bot')));
  // but the bot's own pod does
  assert.ok(result.paths.some((p) => p.start === 'workload:Pod/apps/bot' && p.to === 'cluster-admin'));
  // Pod Security enforced in apps: creating pods there is not node root
  assert.ok(!result.paths.some((p) => p.steps.some((s) => s.findings.some((f) => f.ruleId === 'KM-NS-001'))));
});

test('alerts in the store mark the steps seen: a kubelet exec then the escape is happening', async () => {
  const { inventory, findings } = liveCluster();
  const placement = placementOf(inventory, true);
  const now = new Date().toISOString();
  const runtime = (ruleId: string, pod: string): RuntimeAlert => ({
    source: 'runtime', ruleId, title: ruleId, severity: 'critical', message: `${ruleId} in ${pod}`, mitre: [], time: now, detectedAt: now, node: 'n1',
    container: { id: 'a'.repeat(64), name: 'c', pod, namespace: 'apps', podUID: `uid-${pod}`, image: 'r.example.com/a:1', node: 'n1' },
    process: { pid: 10, comm: 'sh', uid: 0 },
  });
  const alerts = [runtime('KM-RT-001', 'escaper'), runtime('KM-RT-010', 'escaper'), { ...auditAlert(1), what: { ...auditAlert(1).what, namespace: 'apps', name: 'unrelated' } }];
  const placed = placeAlerts(alerts, placement);
  assert.deepEqual(placed.map((a) => `${a.ruleId} ${a.workload}`), ['KM-RT-001 workload:Pod/apps/escaper', 'KM-RT-010 workload:Pod/apps/escaper']);
  const result = findPaths(buildGraph(findings, placement), {}, placed);
  const walked = result.paths.find((p) => p.from === 'network' && p.to === 'node-root')!;
  assert.equal(walked.observed, 'happening');
  assert.deepEqual(walked.steps.map((s) => s.observed?.map((o) => o.ruleId)), [['KM-RT-001'], ['KM-RT-010']]);
  // paths happening now rank first: this one, and the escape seen from the pod itself
  const happening = result.paths.filter((p) => p.observed === 'happening');
  assert.deepEqual(happening.map((p) => `${p.start} ${chain(p)}`).sort(), ['entry:network KM-EX-002 > KM-WL-001', 'workload:Pod/apps/escaper KM-WL-001']);
  assert.deepEqual(result.paths.slice(0, 2).map((p) => p.observed), ['happening', 'happening']);

  // the same through the CLI and a real SQLite store: a detect run's alerts mark the manifests' steps
  const store = join(dir, 'alerts.db');
  const s = await HistoryStore.open(`sqlite:${store}`, { create: true });
  const run = await s.beginRun({ kind: 'detect', scope: 'node n1', target: { type: 'detect' }, toolVersion: 'test', startedAt: now });
  await run.addAlerts([{ ...runtime('KM-RT-010', 'web-5d9c7-abcde'), container: { ...runtime('KM-RT-010', 'x').container!, pod: 'web-5d9c7-abcde', namespace: 'shop' } }]);
  await run.finish('complete');
  await s.close();
  const r = pathsJson(['--manifests', FIXTURE, '--store', `sqlite:${store}`]);
  const escape = r.report.paths.find((p) => p.start === 'workload:Deployment/shop/web' && p.to === 'node-root')!;
  assert.equal(escape.observed, 'happening');
  assert.equal(escape.steps[0].observed?.[0].ruleId, 'KM-RT-010');
  assert.ok(r.report.evidence.some((e) => e.source === 'store' && e.findings === 1));
});

/** The fixture's findings and inventory, in process, as `paths --manifests` gathers them. */
async function loadFixture(): Promise<{ findings: Finding[]; inventory: Inventory }> {
  const load = await loadManifests([join(REPO_ROOT, FIXTURE)], {});
  const report = analyse(load.inventory, { type: 'manifests', paths: [FIXTURE] }, load.coverage, new Date(), { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'info' });
  return { findings: [...report.findings, ...report.suppressed], inventory: load.inventory };
}

test('every rule that opens a step exists and is documented in docs/paths.md; so is every observed alert rule', () => {
  const ids = knownRuleIds();
  const doc = readFileSync(join(REPO_ROOT, 'docs/paths.md'), 'utf8');
  assert.ok(STEP_RULE_IDS.length >= 30);
  for (const id of STEP_RULE_IDS) {
    assert.ok(ids.scan.includes(id), `${id} is not a rule`);
    assert.ok(doc.includes(id), `${id} is not in docs/paths.md`);
  }
  for (const id of OBSERVED_RULE_IDS) assert.ok(ids.detect.includes(id), `${id} is not a detect rule`);
});

test("a node's latest run in the store joins the graph: its etcd, open over plain HTTP, is a path from the network", () => {
  const node = fakeKubeletNode();
  node.process(4243, ['/usr/local/bin/etcd', '--listen-client-urls=http://0.0.0.0:2379', '--advertise-client-urls=http://10.0.0.5:2379', '--data-dir=/var/lib/etcd']);
  const store = `sqlite:${join(dir, 'nodes.db')}`;
  try {
    const recorded = runCli(['node', '--root', node.root, '--all-netns', '--store', store, '-f', 'json', '--fail-on', 'never']);
    assert.equal(recorded.status, 0, recorded.stderr);
    const r = pathsJson(['--manifests', FIXTURE, '--store', store, '--entry', 'network']);
    const nodeRun = r.report.evidence.find((e) => e.source === 'node');
    assert.ok(nodeRun && nodeRun.findings > 0, JSON.stringify(r.report.evidence));
    assert.deepEqual(r.report.paths.map((p) => `${p.to} ${chain(p)}`).sort(), ['all-secrets KM-ET-002 > KM-ET-002', 'cluster-admin KM-ET-002 > KM-ET-002', 'etcd KM-ET-002']);
    const step = r.report.paths.find((p) => p.to === 'etcd')!.steps[0].findings[0];
    assert.equal(step.resource?.kind, 'NodeProcess');
    assert.match(step.remediation, /client-cert-auth/, 'the rule\'s fix, from the catalogue');
    assert.equal(r.report.doors[0].ruleId, 'KM-ET-002');
    assert.equal(r.report.doors[0].cuts, 3, 'fixing etcd closes all three');
  } finally {
    rmSync(node.root, { recursive: true, force: true });
  }
});
