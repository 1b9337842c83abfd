// RBAC analysis against the real lab API server: the graph kubemoat builds from the live objects
// answers access questions exactly as the API server's own authorizer does (SubjectAccessReview),
// the planted RBAC doors are found on the insecure profile, the bootstrap policy's own bindings are
// left alone, and the hardened profile shows none of the doors.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { CLI } from '../helpers/cli.js';
import { inNetns, kubectl, labUp, type LabEnv } from '../helpers/lab.js';
import type { Report } from '../../src/core/report.js';

const RBAC_MODULE = fileURLToPath(new URL('../../src/inventory/rbac.js', import.meta.url));
const WHO_CAN_MODULE = fileURLToPath(new URL('../../src/cli/who-can.js', import.meta.url));
const CAN_MODULE = fileURLToPath(new URL('../../src/cli/can.js', import.meta.url));

interface Who {
  user: string;
  groups: string[];
}
interface Ask {
  verb: string;
  resource?: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

const WHO: Who[] = [
  { user: 'system:anonymous', groups: ['system:unauthenticated'] },
  { user: 'system:serviceaccount:lab-apps:default', groups: ['system:serviceaccounts', 'system:serviceaccounts:lab-apps', 'system:authenticated'] },
  { user: 'system:serviceaccount:lab-apps:ci-deployer', groups: ['system:serviceaccounts', 'system:serviceaccounts:lab-apps', 'system:authenticated'] },
  { user: 'system:serviceaccount:kube-system:namespace-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] },
  { user: 'system:kube-controller-manager', groups: ['system:authenticated'] },
  { user: 'kubemoat-user', groups: ['system:authenticated'] },
  { user: 'nobody', groups: ['system:authenticated'] },
];

const ASK: Ask[] = [
  { verb: 'get', resource: 'secrets', namespace: 'kube-system', name: 'x' },
  { verb: 'list', resource: 'secrets' },
  { verb: 'list', resource: 'secrets', namespace: 'lab-apps' },
  { verb: 'create', resource: 'pods', namespace: 'lab-apps' },
  { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'lab-apps', name: 'app' },
  { verb: 'delete', resource: 'nodes', name: 'n' },
  { verb: 'get', resource: 'namespaces', name: 'lab-apps', namespace: 'lab-apps' },
  { verb: 'impersonate', resource: 'serviceaccounts', namespace: 'lab-apps', name: 'ci-deployer' },
  { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'kube-system', name: 'x' },
  { verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'lab-apps', name: 'd' },
  { verb: 'list', resource: 'pods', namespace: 'kube-system' },
  { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' },
  { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'admin' },
  { verb: 'get', path: '/healthz' },
  { verb: 'get', path: '/metrics' },
  { verb: 'get', path: '/apis/apps/v1' },
];

/** What kubemoat's graph, built from the live objects inside the lab's namespace, answers. */
async function kubemoatAnswers(env: LabEnv): Promise<boolean[]> {
  const script = `
    import { loadRbac } from ${JSON.stringify(WHO_CAN_MODULE)};
    import { rbacGraph } from ${JSON.stringify(RBAC_MODULE)};
    const who = ${JSON.stringify(WHO)}, ask = ${JSON.stringify(ASK)};
    const load = await loadRbac({ kubeconfig: ${JSON.stringify(env.adminKubeconfig)}, timeout: 15000, concurrency: 4, format: 'json' });
    const g = rbacGraph(load.inventory);
    const out = [];
    for (const w of who) for (const a of ask) {
      const identity = { subject: { kind: 'User', name: w.user }, keys: ['user:' + w.user, ...w.groups.map((x) => 'group:' + x)] };
      const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(w.user);
      if (sa) identity.keys[0] = 'sa:' + sa[1] + '/' + sa[2];
      const req = a.path ? { verb: a.verb, path: a.path } : { verb: a.verb, group: a.group ?? '', resource: a.resource, ...(a.subresource ? { subresource: a.subresource } : {}), ...(a.name ? { name: a.name } : {}), ...(a.namespace ? { namespace: a.namespace } : {}) };
      out.push(g.check(identity, req).allowed);
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = await inNetns(env, process.execPath, ['--input-type=module', '-e', script], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as boolean[];
}

/** What the API server's authorizer answers: one SubjectAccessReview per question, created as a List. */
async function apiServerAnswers(env: LabEnv): Promise<boolean[]> {
  const items = [];
  for (const w of WHO) {
    for (const a of ASK) {
      const attributes = a.path
        ? { nonResourceAttributes: { verb: a.verb, path: a.path } }
        : { resourceAttributes: { verb: a.verb, group: a.group ?? '', resource: a.resource, subresource: a.subresource ?? '', name: a.name ?? '', namespace: a.namespace ?? '' } };
      items.push({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: w.user, groups: w.groups, ...attributes } });
    }
  }
  // kubectl prints one answer per review, in order
  const r = await kubectl(env, ['create', '-f', '-', '-o', 'jsonpath={.status.allowed}{"\\n"}'], 'admin', { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  assert.equal(r.code, 0, r.stderr);
  const answers = r.stdout.trim().split('\n');
  assert.equal(answers.length, items.length, r.stdout);
  return answers.map((a) => a.trim() === 'true');
}

async function clusterScan(env: LabEnv): Promise<Report> {
  const r = await inNetns(env, process.execPath, [CLI, 'cluster', '--kubeconfig', env.adminKubeconfig, '-f', 'json', '--fail-on', 'never', '--severity', 'info']);
  try {
    return JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stderr}`);
  }
}

const MINE = /^KM-RB-(0[1-3]\d)$/;

describe('lab insecure profile', () => {
  let env: LabEnv;
  before(async () => {
    env = await labUp('insecure');
  });

  test('the graph answers exactly as the API server authorizer does', async () => {
    const [mine, truth] = await Promise.all([kubemoatAnswers(env), apiServerAnswers(env)]);
    assert.equal(mine.length, WHO.length * ASK.length);
    const differ: string[] = [];
    let i = 0;
    for (const w of WHO) {
      for (const a of ASK) {
        if (mine[i] !== truth[i]) differ.push(`${w.user} ${a.verb} ${a.path ?? `${a.resource}${a.subresource ? `/${a.subresource}` : ''}`} ns=${a.namespace ?? '-'}: kubemoat ${mine[i]}, API server ${truth[i]}`);
        i++;
      }
    }
    assert.deepEqual(differ, []);
    assert.ok(truth.filter(Boolean).length > 10 && truth.filter((x) => !x).length > 10, 'the questions include both answers');
  });

  test('kubemoat cluster finds the planted RBAC doors and leaves the bootstrap policy alone', async () => {
    const report = await clusterScan(env);
    const mine = report.findings.filter((f) => MINE.test(f.ruleId)).map((f) => `${f.ruleId} ${f.resource?.kind} ${f.resource?.namespace ?? ''}/${f.resource?.name}`).sort();
    assert.deepEqual(mine, [
      // the default service account's fact (KM-RB-020) is listed in the KM-RB-010 finding of the same binding and subject
      'KM-RB-010 RoleBinding lab-apps/wildcard-all',
      'KM-RB-011 ClusterRoleBinding /kubemoat-lab-anonymous-reader',
      'KM-RB-030 RoleBinding lab-apps/wildcard-all',
    ]);
  });

  test('who-can and can read the live cluster', async () => {
    const script = `
      import { whoCanCommand } from ${JSON.stringify(WHO_CAN_MODULE)};
      import { canCommand } from ${JSON.stringify(CAN_MODULE)};
      const kc = ${JSON.stringify(env.adminKubeconfig)};
      await whoCanCommand().parseAsync(['get', 'secrets', '-n', 'kube-system', '--kubeconfig', kc], { from: 'user' });
      await canCommand().parseAsync(['system:anonymous', 'list', 'secrets', '-n', 'kube-system', '--kubeconfig', kc], { from: 'user' });`;
    const r = await inNetns(env, process.execPath, ['--input-type=module', '-e', script], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /User system:anonymous\s+cluster-wide\s+ClusterRoleBinding kubemoat-lab-anonymous-reader/);
    assert.match(r.stdout, /ServiceAccount lab-apps\/ci-deployer\s+cluster-wide\s+ClusterRoleBinding ci-deployer-cluster-admin/);
    assert.match(r.stdout, /ServiceAccount kube-system\/bootstrap-signer\s+ns\/kube-system/);
    assert.match(r.stdout, /^yes: User system:anonymous may list secrets in namespace kube-system$/m);
  });
});

describe('lab hardened profile', () => {
  test('none of the RBAC doors', async () => {
    const env = await labUp('hardened');
    const report = await clusterScan(env);
    assert.deepEqual(report.findings.filter((f) => MINE.test(f.ruleId)).map((f) => f.message), []);
  });
});
