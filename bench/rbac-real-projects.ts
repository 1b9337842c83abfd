// RBAC findings on real projects' manifests and on the peers' RBAC fixtures, for this build and,
// optionally, another (the base of a change), side by side. A report, not a timed assertion: it
// prints what each scan found, for docs/rbac-real-projects.md to classify.
//
// The repositories are read from `fetch` mirrors (bare git directories, never copied into this
// repository): /work/.mirror/<owner>+<name>/repo by default.
//
//   node dist/bench/rbac-real-projects.js [--mirror DIR] [--baseline KUBEMOAT_CHECKOUT] [--list] [--peers-only | --projects-only]
//
// --baseline: a kubemoat checkout with its own dist/ (e.g. `git archive BASE | tar -x -C /tmp/base`,
// node_modules linked, `npx tsc`): its rules run on the same files in the same process.
// --list: every RBAC finding at medium and above, with its fingerprint (projects), and every peer
// case kubemoat misses or reports against the peer's expectation.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding } from '../src/core/finding.js';
import type { ManifestLoad } from '../src/sources/manifests/source.js';

// ─── kubemoat builds ───

interface Build {
  name: string;
  scan(files: readonly { path: string; text: string }[]): { findings: Finding[]; coverage: number };
}

/** The scan pipeline of a kubemoat build in `root` (this repository's dist/ when run from it). */
async function loadBuild(name: string, distSrc: string): Promise<Build> {
  const mod = async <T>(p: string): Promise<T> => (await import(pathToFileURL(join(distSrc, p)).href)) as T;
  const { addText } = await mod<typeof import('../src/sources/manifests/source.js')>('sources/manifests/source.js');
  const { Inventory } = await mod<typeof import('../src/inventory/inventory.js')>('inventory/inventory.js');
  const { analyse } = await mod<typeof import('../src/core/pipeline.js')>('core/pipeline.js');
  const { catalogue } = await mod<typeof import('../src/rules/catalogue.js')>('rules/catalogue.js');
  const { EMPTY_CONFIG } = await mod<typeof import('../src/core/config.js')>('core/config.js');
  return {
    name,
    scan(files) {
      const load: ManifestLoad = { inventory: new Inventory(), coverage: [], stats: { files: 0, documents: 0, objects: 0, skipped: 0 }, incomplete: false };
      for (const f of files) addText(load, f.path, f.text);
      const report = analyse(load.inventory, { type: 'manifests', paths: files.map((f) => f.path) }, load.coverage, new Date(0), { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'info', today: '2026-01-01' });
      return { findings: report.findings, coverage: report.coverage.length };
    },
  };
}

// ─── repositories ───

class Mirror {
  readonly commit: string;
  readonly files: string[];
  constructor(
    readonly repo: string,
    private readonly gitDir: string,
  ) {
    this.commit = this.git('rev-parse', 'HEAD').trim();
    this.files = this.git('ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter(Boolean);
  }

  private git(...args: string[]): string {
    return execFileSync('git', ['--git-dir', this.gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  }

  read(path: string): string {
    return this.git('show', `HEAD:${path}`);
  }

  under(dir: string): string[] {
    return this.files.filter((f) => f === dir || f.startsWith(`${dir}/`)).filter((f) => /\.(ya?ml|json)$/.test(f));
  }
}

const RBAC_KIND = /^kind:\s*(ClusterRole|Role|RoleBinding|ClusterRoleBinding)\s*$/m;

/** A scan unit: files scanned together (one install, one peer test case). */
interface Unit {
  name: string;
  files: { path: string; text: string }[];
  /** peers: does the peer expect its check to fire? */
  expect?: 'report' | 'silent';
  /** peers: the kubemoat rules that answer the peer's check; [] for a check kubemoat deliberately has no rule for */
  answers?: readonly string[];
}

interface Target {
  repo: string;
  kind: 'project' | 'peer';
  units(m: Mirror): Unit[];
}

const files = (m: Mirror, paths: readonly string[]): Unit['files'] => paths.flatMap((p) => (m.files.includes(p) ? [p] : m.under(p))).map((path) => ({ path, text: m.read(path) }));
const each = (m: Mirror, paths: readonly string[]): Unit[] => paths.map((p) => ({ name: p, files: files(m, [p]) }));

// kubemoat rules that answer each peer check (by the peer's own name for it)
// a role "like cluster-admin" (every verb listed on every resource) is what the capability rules report, one finding for the rule
const ADMIN_LIKE = ['KM-RB-001', 'KM-RB-010', 'KM-RB-011', 'KM-RB-012', 'KM-RB-013', 'KM-RB-014', 'KM-RB-015', 'KM-RB-016', 'KM-RB-017', 'KM-RB-018', 'KM-RB-019'];
const KUBESCAPE: Record<string, readonly string[]> = {
  'rule-can-list-get-secrets-v1': ['KM-RB-011'],
  'rule-can-portforward-v1': ['KM-RB-012'],
  'exec-into-container-v1': ['KM-RB-012'],
  'rule-can-access-proxy-subresource': ['KM-RB-013'],
  'rule-can-create-pod': ['KM-RB-014'],
  'rule-can-bind-escalate': ['KM-RB-015'],
  'rule-can-impersonate-users-groups-v1': ['KM-RB-015'],
  'rule-can-create-service-account-token': ['KM-RB-016'],
  'rule-can-approve-cert-signing-request': ['KM-RB-017'],
  'rule-can-modify-admission-webhooks': ['KM-RB-018'],
  'rule-can-create-pv': ['KM-RB-019'],
  'cluster-admin-role': ADMIN_LIKE,
  'rule-list-all-cluster-admins-v1': ADMIN_LIKE,
  'ensure-default-service-accounts-has-only-default-roles': ['KM-RB-020'],
  'system-authenticated-allowed-to-take-over-cluster': ['KM-RB-002'],
  'anonymous-access-enabled': ['KM-RB-002'],
  'rule-access-dashboard-subject-v1': [],
  'access-container-service-account-v1': [],
  'rule-can-update-configmap-v1': [],
  'rule-excessive-delete-rights-v1': [],
  'rule-can-delete-k8s-events-v1': [],
  'rolebinding-in-default-namespace': [],
  'role-in-default-namespace': [],
  'review-roles-with-aws-iam-authenticator': [],
  'workload-with-administrative-roles': ADMIN_LIKE,
  'workload-with-cluster-takeover-roles': ADMIN_LIKE,
};

const CHECKOV: Record<string, readonly string[]> = {
  DefaultServiceAccountBinding: ['KM-RB-020'],
  KubernetesDashboard: [],
  RbacApproveCertificateSigningRequests: ['KM-RB-017'],
  RbacBindRoleBindings: ['KM-RB-015'],
  RbacControlWebhooks: ['KM-RB-018'],
  RbacEscalateRoles: ['KM-RB-015'],
  WildcardRoles: ['KM-RB-010'],
  ImpersonatePermissions: ['KM-RB-015'],
  ModifyServicesStatus: [],
  NoCreateNodesProxyOrPodsExec: ['KM-RB-012', 'KM-RB-013'],
  ReadAllSecrets: ['KM-RB-011'],
  RoleBindingPE: ['KM-RB-015'],
};

const POLARIS: Record<string, readonly string[]> = {
  clusterrolePodExecAttach: ['KM-RB-012'],
  rolePodExecAttach: ['KM-RB-012'],
  clusterrolebindingPodExecAttach: ['KM-RB-012', 'KM-RB-021'],
  rolebindingClusterRolePodExecAttach: ['KM-RB-012', 'KM-RB-021'],
  rolebindingRolePodExecAttach: ['KM-RB-012', 'KM-RB-021'],
  clusterrolebindingClusterAdmin: ADMIN_LIKE,
  rolebindingClusterAdminClusterRole: ADMIN_LIKE,
  rolebindingClusterAdminRole: ADMIN_LIKE,
};

/** Files of the peer that hold RBAC objects, grouped by the test case (directory or file) they belong to. */
function cases(m: Mirror, caseOf: (path: string) => string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of m.files) {
    const c = caseOf(p);
    if (c === undefined || !/\.(ya?ml|json)$/.test(p)) continue;
    let l = out.get(c);
    if (l === undefined) out.set(c, (l = []));
    l.push(p);
  }
  return out;
}

const TARGETS: Target[] = [
  { repo: 'argoproj/argo-cd', kind: 'project', units: (m) => each(m, ['manifests/install.yaml', 'manifests/namespace-install.yaml', 'manifests/core-install.yaml']) },
  { repo: 'kubernetes/ingress-nginx', kind: 'project', units: (m) => each(m, ['deploy/static/provider/cloud/deploy.yaml']) },
  { repo: 'prometheus-operator/kube-prometheus', kind: 'project', units: (m) => each(m, ['manifests']) },
  { repo: 'kubernetes-sigs/metrics-server', kind: 'project', units: (m) => each(m, ['manifests/base']) },
  { repo: 'kubernetes/examples', kind: 'project', units: (m) => each(m, ['AI/vllm-deployment/hpa/prometheus-adapter.yaml', '_archived/elasticsearch/rbac.yaml', '_archived/podsecuritypolicy/rbac']) },
  {
    repo: 'kubescape/regolibrary',
    kind: 'peer',
    units(m) {
      const byCase = cases(m, (p) => /^(rules\/[^/]+\/test\/[^/]+)\/input\//.exec(p)?.[1]);
      return [...byCase].flatMap(([name, paths]) => {
        const rule = name.split('/')[1];
        const unit = { name, files: paths.map((path) => ({ path, text: m.read(path) })) };
        if (!(rule in KUBESCAPE) || !unit.files.some((f) => RBAC_KIND.test(f.text))) return [];
        const expected = m.files.includes(`${name}/expected.json`) ? m.read(`${name}/expected.json`).trim() : '';
        return [{ ...unit, expect: /^\[\s*\]$/.test(expected) ? ('silent' as const) : ('report' as const), answers: KUBESCAPE[rule] }];
      });
    },
  },
  {
    repo: 'bridgecrewio/checkov',
    kind: 'peer',
    units(m) {
      const byCase = cases(m, (p) => /^tests\/kubernetes\/checks\/example_[^/]+\/[^/]+$/.exec(p)?.[0] ?? /^(tests\/kubernetes\/graph\/checks\/resources\/[^/]+\/(?:Failing|Passing)[^/]*(?:\/\d+)?)\//.exec(p)?.[1]);
      return [...byCase].flatMap(([name, paths]) => {
        const check = /example_([^/]+)/.exec(name)?.[1] ?? name.split('/')[5];
        const unit = { name, files: paths.map((path) => ({ path, text: m.read(path) })) };
        if (!(check in CHECKOV) || !unit.files.some((f) => RBAC_KIND.test(f.text))) return [];
        return [{ ...unit, expect: /failed|failing/i.test(name) ? ('report' as const) : ('silent' as const), answers: CHECKOV[check] }];
      });
    },
  },
  {
    repo: 'FairwindsOps/polaris',
    kind: 'peer',
    units(m) {
      return m.files.flatMap((path) => {
        const match = /^test\/checks\/([^/]+)\/(failure|success)\.[^/]+\.ya?ml$/.exec(path);
        if (!match || !(match[1] in POLARIS)) return [];
        return [{ name: path, files: [{ path, text: m.read(path) }], expect: match[2] === 'failure' ? ('report' as const) : ('silent' as const), answers: POLARIS[match[1]] }];
      });
    },
  },
  {
    repo: 'cyberark/KubiScan',
    kind: 'peer',
    units(m) {
      // risky_roles.yaml is KubiScan's list of risky roles (an `items:` list, no apiVersion): each one, as a Role or ClusterRole nothing binds
      const text = m.read('risky_roles.yaml');
      return text
        .split(/\n(?=[ ]*- kind: )/)
        .slice(1)
        .map((item) => {
          // the file indents its items unevenly: strip each item's own field indentation
          const fields = /\n([ ]*)metadata:/.exec(item)?.[1].length ?? 2;
          const body = item
            .split('\n')
            .map((l, i) => (i === 0 ? l.replace(/^[ ]*- /, '') : l.slice(Math.min(fields, l.length - l.trimStart().length))))
            .filter((l) => !/^\s*(priority: |#)/.test(l))
            .join('\n');
          const doc = `apiVersion: rbac.authorization.k8s.io/v1\n${body}`;
          const name = /name: (\S+)/.exec(doc)?.[1] ?? 'item';
          return { name: `risky_roles.yaml ${name}`, files: [{ path: `risky_roles.yaml#${name}`, text: doc }], expect: 'report' as const, answers: [] };
        });
    },
  },
];

// ─── report ───

const MEDIUM_UP = new Set(['medium', 'high', 'critical']);
const rbac = (fs: Finding[]): Finding[] => fs.filter((f) => f.ruleId.startsWith('KM-RB-'));
const ids = (f: Finding): string[] => (f.covers ?? []).map((c) => c.ruleId).concat(f.ruleId);
/** cluster-admin and `*` on `*` stand for every capability: their findings answer any capability check */
const EVERYTHING = ['KM-RB-001', 'KM-RB-010'];
const CAPABILITY = /^KM-RB-01\d$/;

/** Does this finding answer a peer check that kubemoat answers with these rules ([]: any RBAC finding)? */
function answers(f: Finding, wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  const mine = ids(f);
  if (mine.some((id) => wanted.includes(id))) return true;
  return mine.some((id) => EVERYTHING.includes(id)) && wanted.some((id) => CAPABILITY.test(id));
}

function countBy(fs: Finding[]): string {
  const by = new Map<string, number>();
  for (const f of fs) by.set(f.ruleId, (by.get(f.ruleId) ?? 0) + 1);
  return [...by].sort().map(([k, n]) => `${k}×${n}`).join(' ') || '-';
}

function line(f: Finding): string {
  const where = f.location ? `${f.location.file}:${f.location.line}` : (f.resource?.name ?? '');
  return `    ${f.ruleId} ${f.severity.padEnd(8)} ${f.fingerprint} ${where}  ${f.message.length > 220 ? `${f.message.slice(0, 217)}…` : f.message}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const mirrorDir = opt('--mirror') ?? '/work/.mirror';
  const list = argv.includes('--list');
  const here = resolve(new URL('..', import.meta.url).pathname, 'src');
  const builds = [await loadBuild('this build', here)];
  const baseline = opt('--baseline');
  if (baseline) builds.unshift(await loadBuild(`baseline ${baseline}`, resolve(baseline, 'dist', 'src')));
  const targets = TARGETS.filter((t) => (argv.includes('--peers-only') ? t.kind === 'peer' : argv.includes('--projects-only') ? t.kind === 'project' : true));

  const totals = new Map<string, { medium: number; all: number }>();
  for (const t of targets) {
    const gitDir = join(mirrorDir, t.repo.replace('/', '+'), 'repo');
    if (!existsSync(gitDir)) {
      console.log(`\n## ${t.repo}: no mirror at ${gitDir} (bring it with the search tool's fetch github:${t.repo}); skipped`);
      continue;
    }
    const m = new Mirror(t.repo, gitDir);
    const units = t.units(m);
    console.log(`\n## ${t.repo} @ ${m.commit} (${units.length} ${t.kind === 'project' ? 'scan units' : 'test cases'})`);
    for (const b of builds) {
      let caught = 0;
      let failing = 0;
      let quietOk = 0;
      let quiet = 0;
      const misses: string[] = [];
      const allFindings: Finding[] = [];
      for (const u of units) {
        const { findings } = b.scan(u.files);
        const mine = rbac(findings);
        allFindings.push(...mine);
        if (t.kind === 'project') {
          if (list) for (const f of mine.filter((x) => MEDIUM_UP.has(x.severity))) misses.push(line(f));
          continue;
        }
        const wanted = u.answers ?? [];
        const answered = mine.filter((f) => answers(f, wanted));
        if (u.expect === 'report') {
          failing++;
          if (answered.length > 0) caught++;
          else if (list) misses.push(`    missed   ${u.name}${wanted.length === 0 ? ' (no kubemoat rule for this check)' : ` (wants ${wanted.join('/')})`}`);
        } else {
          quiet++;
          const loud = answered.filter((f) => MEDIUM_UP.has(f.severity));
          if (loud.length === 0) quietOk++;
          else if (list) misses.push(`    reported ${u.name}: ${loud.map((f) => `${f.ruleId} ${f.severity}`).join(', ')} (the peer passes it)`);
        }
      }
      const medium = allFindings.filter((f) => MEDIUM_UP.has(f.severity));
      const key = `${t.kind} ${b.name}`;
      const tot = totals.get(key) ?? { medium: 0, all: 0 };
      totals.set(key, { medium: tot.medium + medium.length, all: tot.all + allFindings.length });
      if (t.kind === 'project') {
        console.log(`  ${b.name}: ${allFindings.length} RBAC findings, ${medium.length} at medium and above: ${countBy(medium)}`);
      } else {
        console.log(`  ${b.name}: caught ${caught} of ${failing} failing cases; quiet (below medium) on ${quietOk} of ${quiet} passing cases; ${medium.length} findings at medium and above`);
      }
      for (const l of misses) console.log(l);
    }
  }
  console.log('\n## totals (RBAC findings)');
  for (const [k, v] of totals) console.log(`  ${k}: ${v.all} in all, ${v.medium} at medium and above`);
}

await main();
