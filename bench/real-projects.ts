// How many of kubemoat's findings on widely deployed projects a security engineer would act on
// (issue 18). The projects are pinned by commit and read from git mirrors outside the repository
// (never copied in); each finding at medium or above that is not an RBAC finding is classified by
// the judgement table below, and the share of actionable findings is printed, without and with the
// node agents' purposes declared the way a user would declare them once.
//
//   npx tsc -p tsconfig.json
//   node dist/bench/real-projects.js [--mirrors /work/.mirror] [--cli dist/src/cli/main.js] [--plain-only] [--list]
//
// A mirror is a bare git repository at MIRRORS/<owner>+<name>/repo (what the search tool's `fetch`
// brings). --cli runs another build (an older kubemoat, for the "before" figures; --plain-only when
// it has no `purposes`). --list prints every finding with its class on stderr, for review;
// docs/real-projects.md records a run.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../src/core/finding.js';
import { severityRank } from '../src/core/finding.js';

interface Project {
  name: string;
  repo: string;
  commit: string;
  /** git pathspecs to extract */
  paths: string[];
}

export const PROJECTS: readonly Project[] = [
  { name: 'argo-cd', repo: 'argoproj/argo-cd', commit: '37ee0097cf851bc2dd7665fc081bbce61a7e836e', paths: ['manifests/install.yaml'] },
  { name: 'ingress-nginx', repo: 'kubernetes/ingress-nginx', commit: 'dbb11b92ddb77bee9c35e462479129354c84f939', paths: ['deploy/static/provider/cloud/deploy.yaml'] },
  { name: 'kube-prometheus', repo: 'prometheus-operator/kube-prometheus', commit: '4d719f1dea8853540b3823ab1fbe6be74a9953b3', paths: ['manifests'] },
  { name: 'metrics-server', repo: 'kubernetes-sigs/metrics-server', commit: '5ed5d3a2cf940a8c7541cfbac19af822f4c97844', paths: ['manifests/base/apiservice.yaml', 'manifests/base/deployment.yaml', 'manifests/base/rbac.yaml', 'manifests/base/service.yaml'] },
  { name: 'flannel', repo: 'flannel-io/flannel', commit: 'cdf760595c23292fd03ff4daf03638ac1ceef417', paths: ['Documentation/kube-flannel.yml'] },
  { name: 'kube-router', repo: 'cloudnativelabs/kube-router', commit: '7c2c2779e397b15b85dc5fd2b6e6ff2c64c38596', paths: ['daemonset/kubeadm-kuberouter-all-features.yaml'] },
  { name: 'fluent-bit', repo: 'fluent/fluent-bit-kubernetes-logging', commit: 'c590a9ba0ec1e3034308b2884ec9ffc276bf09a0', paths: ['output/elasticsearch/fluent-bit-ds.yaml', 'fluent-bit-role.yaml', 'fluent-bit-service-account.yaml'] },
  { name: 'kubernetes-examples', repo: 'kubernetes/examples', commit: '279e8e4fe314f6cb7bc55fa3fbc21bbeaa48c0ea', paths: ['*.yaml', '*.yml', '*.json'] },
];

/** What a user declares once for the node agents among them (the `purposes[]` of .kubemoat.yaml). */
const DECLARATIONS = `purposes:
  - purpose: cni-agent
    resource: {kind: DaemonSet, name: kube-flannel-ds}
    reason: flannel is the CNI
  - purpose: cni-agent
    resource: {kind: DaemonSet, name: kube-router}
    reason: kube-router is the CNI and service proxy
  - purpose: metrics-exporter
    resource: {kind: DaemonSet, name: node-exporter}
    reason: node metrics for Prometheus
  - purpose: log-shipper
    resource: {kind: DaemonSet, name: fluent-bit}
    reason: ships node and pod logs
`;

type Verdict = 'actionable' | 'noise' | 'wrong';

interface Judgement {
  rule: string;
  /** narrows the judgement to some findings of the rule */
  message?: RegExp;
  project?: string;
  verdict: Verdict;
  why: string;
}

/**
 * The judgement, first match wins. "actionable": true, and a reviewer would change the manifest or
 * the cluster because of it; "noise": true but not worth acting on (by design of the component,
 * or said by another finding); "wrong": not true.
 */
export const JUDGEMENTS: readonly Judgement[] = [
  { rule: 'KM-WL-001', message: /expected for/, verdict: 'actionable', why: 'declared node agent, privileged: a review item at medium, as asked' },
  { rule: 'KM-WL-001', message: /kube-router|kube-flannel|sysdig|newrelic|flex/, verdict: 'noise', why: 'node agent that needs privileged by design; declare its purpose' },
  { rule: 'KM-WL-001', verdict: 'actionable', why: 'an application container that does not need privileged' },
  // findings of the build before issue 18, judged by the same standard
  { rule: 'KM-WL-008', message: /root filesystem `\/`/, project: 'kube-prometheus', verdict: 'wrong', why: 'the `/` is read by uid 65534 without escalation or capabilities: the 0660 root runtime sockets are closed to it' },
  { rule: 'KM-WL-006', message: /xtables\.lock/, verdict: 'noise', why: 'the iptables lock: writing it only takes the lock' },
  { rule: 'KM-WL-007', message: /`\/sys` read-only/, verdict: 'noise', why: 'reading /sys gives kernel and device information, no credential' },
  { rule: 'KM-WL-009', message: /SYS_TIME/, project: 'kube-prometheus', verdict: 'noise', why: 'added to uid 65534 without escalation: the process cannot use it' },
  { rule: 'KM-SC-001', message: /INSE…|you…/, verdict: 'wrong', why: 'a placeholder (INSERT_…, yourpassword), not a credential' },
  { rule: 'KM-NP-005', message: /has no egress NetworkPolicy in/, verdict: 'noise', why: 'the namespace\'s one missing egress policy, repeated once per workload' },
  { rule: 'KM-NP-001', message: /cover chosen workloads only/, project: 'argo-cd', verdict: 'wrong', why: 'its policies select every workload: there is no "other pod" today' },
  { rule: 'KM-NP-001', message: /cover chosen workloads only/, project: 'kube-prometheus', verdict: 'wrong', why: 'its policies select every workload: there is no "other pod" today' },
  { rule: 'KM-NP-004', message: /on TCP (8082|5558|9001|8084) \(/, project: 'argo-cd', verdict: 'noise', why: 'only a metrics port, opened for Prometheus' },
  // node agents whose host access is their purpose, undeclared
  { rule: 'KM-WL-008', message: /sysdig|newrelic/, verdict: 'noise', why: 'a monitoring or security agent reads the runtime for container metadata by design; declare its purpose' },
  { rule: 'KM-WL-007', message: /sysdig.*`\/(dev|proc|boot)`/, verdict: 'noise', why: 'the sysdig driver needs /dev, /proc and /boot by design' },
  { rule: 'KM-WL-002', message: /expected for/, verdict: 'actionable', why: 'declared agent: review item' },
  { rule: 'KM-WL-002', message: /node-exporter|kube-router|sysdig|newrelic/, verdict: 'noise', why: 'agent that reads host processes by design' },
  { rule: 'KM-WL-002', verdict: 'actionable', why: 'host PID without a node-agent purpose' },
  { rule: 'KM-WL-003', verdict: 'actionable', why: 'host IPC is needed by almost nothing' },
  { rule: 'KM-WL-004', message: /expected for/, verdict: 'actionable', why: 'declared agent: review item' },
  { rule: 'KM-WL-004', message: /node-exporter|kube-router|kube-flannel|sysdig|newrelic/, verdict: 'noise', why: 'network or metrics agent on the host network by design' },
  { rule: 'KM-WL-004', verdict: 'actionable', why: 'application on the host network' },
  { rule: 'KM-WL-006', message: /expected for/, verdict: 'actionable', why: 'declared agent: review item' },
  { rule: 'KM-WL-006', message: /\/etc\/cni\/net\.d|\/run\/flannel/, verdict: 'noise', why: 'a CNI agent writes its own configuration and state' },
  { rule: 'KM-WL-006', verdict: 'actionable', why: 'a writable host directory the workload can do without' },
  { rule: 'KM-WL-007', message: /expected for/, verdict: 'actionable', why: 'declared agent: review item' },
  { rule: 'KM-WL-007', message: /`\/opt(\/cni\/bin)?` writable/, verdict: 'noise', why: 'a CNI agent installs its plugins by design' },
  { rule: 'KM-WL-007', verdict: 'actionable', why: 'sensitive host path a reviewer should narrow or make read-only' },
  { rule: 'KM-WL-008', verdict: 'actionable', why: 'runtime socket: root on the node' },
  { rule: 'KM-WL-009', message: /expected for/, verdict: 'actionable', why: 'declared agent: review item' },
  { rule: 'KM-WL-009', message: /NET_ADMIN|NET_RAW/, project: 'flannel', verdict: 'noise', why: 'a CNI agent programs the node network by design' },
  { rule: 'KM-WL-009', verdict: 'actionable', why: 'capability outside the baseline' },
  { rule: 'KM-WL-011', verdict: 'actionable', why: 'one line (allowPrivilegeEscalation: false) closes setuid escalation' },
  { rule: 'KM-WL-013', verdict: 'actionable', why: 'the image decides the user; runAsNonRoot makes the kubelet refuse root' },
  { rule: 'KM-WL-019', verdict: 'actionable', why: 'a node port outside Service controls' },
  { rule: 'KM-WL-020', verdict: 'actionable', why: 'no limit: one container can starve the node (or mine)' },
  { rule: 'KM-IM-001', verdict: 'actionable', why: 'a mutable tag: what runs can change without a review' },
  { rule: 'KM-NS-001', verdict: 'actionable', why: 'no Pod Security enforcement on the namespace' },
  { rule: 'KM-NP-001', verdict: 'actionable', why: 'no ingress isolation for the namespace' },
  { rule: 'KM-NP-003', verdict: 'actionable', why: 'a workload its namespace policies miss' },
  { rule: 'KM-NP-004', message: /prometheus-adapter/, verdict: 'noise', why: 'an aggregated API must be reachable from the API server, whose address a policy cannot name portably' },
  { rule: 'KM-NP-004', verdict: 'actionable', why: 'a policy that lets every namespace in on non-metrics ports' },
  { rule: 'KM-NP-005', message: /expected for/, verdict: 'actionable', why: 'declared agent on the host network: review item' },
  { rule: 'KM-NP-005', message: /runs on the host network/, verdict: 'noise', why: 'said already by KM-WL-004 for the same pod' },
  { rule: 'KM-NP-005', verdict: 'actionable', why: 'pods that reach the cloud metadata endpoint' },
  { rule: 'KM-SC-001', verdict: 'actionable', why: 'a literal credential in the pod spec' },
  { rule: 'KM-SC-002', verdict: 'actionable', why: 'a credential in a ConfigMap' },
  { rule: 'KM-SC-004', verdict: 'actionable', why: 'Secret data in the repository' },
  { rule: 'KM-SV-001', verdict: 'actionable', why: 'a console or control port outside the cluster' },
  { rule: 'KM-SV-002', verdict: 'actionable', why: 'an Ingress host without TLS' },
  { rule: 'KM-SV-003', verdict: 'actionable', why: 'externalIPs (CVE-2020-8554)' },
  { rule: 'KM-CP-020', verdict: 'actionable', why: 'an aggregated API reached without TLS verification' },
  { rule: 'KM-WL-025', verdict: 'actionable', why: 'TLS verification turned off' },
  { rule: 'KM-WL-026', verdict: 'actionable', why: 'root group and host mounts' },
];

function judge(project: string, f: Finding): Judgement | undefined {
  const text = `${f.message} ${f.evidence ?? ''}`;
  return JUDGEMENTS.find((j) => j.rule === f.ruleId && (j.project === undefined || j.project === project) && (j.message === undefined || j.message.test(text)));
}

function extract(mirrors: string, p: Project, into: string): void {
  const gitDir = join(mirrors, `${p.repo.replace('/', '+')}`, 'repo');
  const archive = execFileSync('git', ['--git-dir', gitDir, 'archive', p.commit, '--', ...p.paths], { maxBuffer: 1 << 30 });
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-x', '-C', into], { input: archive });
}

function resolveCommit(mirrors: string, p: Project): string {
  const gitDir = join(mirrors, `${p.repo.replace('/', '+')}`, 'repo');
  return execFileSync('git', ['--git-dir', gitDir, 'rev-parse', p.commit], { encoding: 'utf8' }).trim();
}

/** The CLI's findings at medium and above, RBAC aside (another part of issue 18). */
function findings(cli: string, dir: string, config: string | undefined): Finding[] {
  const args = [cli, 'scan', dir, '-f', 'json', '--fail-on', 'never', ...(config !== undefined ? ['-c', config] : [])];
  let out: string;
  try {
    out = execFileSync('node', args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  const report = JSON.parse(out) as { findings: Finding[] };
  return report.findings.filter((f) => severityRank(f.severity) >= severityRank('medium') && !f.ruleId.startsWith('KM-RB-'));
}

function main(): void {
  const ownCli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const { values } = parseArgs({
    options: { mirrors: { type: 'string', default: '/work/.mirror' }, cli: { type: 'string', default: ownCli }, 'plain-only': { type: 'boolean', default: false }, list: { type: 'boolean', default: false } },
  });
  const mirrors = values.mirrors ?? '/work/.mirror';
  const cli = values.cli ?? ownCli;
  const work = mkdtempSync(join(tmpdir(), 'kubemoat-real-'));
  const declared = join(work, 'declared.kubemoat.yaml');
  writeFileSync(declared, DECLARATIONS);
  const modes: ['plain' | 'declared', string | undefined][] = values['plain-only'] ? [['plain', undefined]] : [['plain', undefined], ['declared', declared]];
  const totals = { plain: { all: 0, actionable: 0 }, declared: { all: 0, actionable: 0 } };
  // the examples repository is a teaching collection, hundreds of small demos: counted apart too
  const projects = { plain: { all: 0, actionable: 0 }, declared: { all: 0, actionable: 0 } };
  try {
    console.log('| project | commit | medium+ (no declarations) | actionable | medium+ (purposes declared) | actionable |');
    console.log('|---|---|---|---|---|---|');
    for (const p of PROJECTS) {
      const dir = join(work, p.name);
      extract(mirrors, p, dir);
      const row: string[] = [p.name, resolveCommit(mirrors, p).slice(0, 12)];
      for (const [mode, config] of modes) {
        const fs = findings(cli, dir, config);
        const judged = fs.map((f) => ({ f, j: judge(p.name, f) }));
        const actionable = judged.filter((x) => x.j?.verdict === 'actionable').length;
        for (const t of p.name === 'kubernetes-examples' ? [totals] : [totals, projects]) {
          t[mode].all += fs.length;
          t[mode].actionable += actionable;
        }
        row.push(String(fs.length), String(actionable));
        if (values.list) {
          for (const { f, j } of judged) console.error(`${mode}\t${p.name}\t${j?.verdict ?? 'UNJUDGED'}\t${f.ruleId} ${f.severity}\t${f.location?.file.slice(dir.length + 1)}:${f.location?.line}\t${f.message}\t${j?.why ?? ''}`);
        }
      }
      console.log(`| ${row.join(' | ')} |`);
    }
    const pct = (t: { all: number; actionable: number }): string => (t.all === 0 ? '-' : `${((100 * t.actionable) / t.all).toFixed(1)} %`);
    console.log(`| projects (without kubernetes-examples) | | ${projects.plain.all} | ${projects.plain.actionable} (${pct(projects.plain)}) | ${projects.declared.all} | ${projects.declared.actionable} (${pct(projects.declared)}) |`);
    console.log(`| total | | ${totals.plain.all} | ${totals.plain.actionable} (${pct(totals.plain)}) | ${totals.declared.all} | ${totals.declared.actionable} (${pct(totals.declared)}) |`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
