// Escalation paths: chains through pod creation, controllers, token minting, impersonation and
// exec, followed to a fixed point; cycles terminate; dead ends are silent.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { loadText, scanText } from '../helpers/scan.js';
import { rbacGraph, type Subject } from '../../src/inventory/rbac.js';
import { escalationAnalysis } from '../../src/inventory/rbac-escalation.js';
import escalationPath from '../../src/rules/rbac-analysis/escalation-path.js';

const FIXTURE = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'rbac', 'escalation.yaml'), 'utf8');

function analysisOf(yaml: string) {
  return escalationAnalysis(rbacGraph(loadText(yaml).inventory));
}

describe('escalation fixture', () => {
  const a = analysisOf(FIXTURE);

  test('admin-equivalent principals', () => {
    assert.deepEqual([...a.admin.keys()].sort(), ['sa:ops/secret-reader', 'sa:prod/prod-admin', 'user:boss']);
    assert.equal(a.admin.get('sa:prod/prod-admin')!.description, 'cluster-admin');
    assert.equal(a.admin.get('sa:ops/secret-reader')!.description, 'read every Secret in the cluster');
  });

  test('chains, shortest first step held by the subject itself', () => {
    const chains = Object.fromEntries(a.chains.map((c) => [c.text.split(' → ')[0], c.text]));
    assert.deepEqual(chains, {
      'group:devs': 'group:devs → create deployments.apps in ns/build → sa:build/deployer → create pods in ns/prod → sa:prod/prod-admin → cluster-admin',
      'sa:ci/ci': 'sa:ci/ci → create pods in ns/build → sa:build/deployer → create pods in ns/prod → sa:prod/prod-admin → cluster-admin',
      'sa:build/deployer': 'sa:build/deployer → create pods in ns/prod → sa:prod/prod-admin → cluster-admin',
      'user:tina': 'user:tina → create a token for sa:ops/secret-reader → sa:ops/secret-reader → read every Secret in the cluster',
      'user:ivan': 'user:ivan → impersonate → user:boss → cluster-admin',
      'sa:web/app': 'sa:web/app → exec into pods in ns/ops (Pod reader runs as sa:ops/secret-reader) → sa:ops/secret-reader → read every Secret in the cluster',
    });
  });

  test('cycles and dead ends produce no chain, and terminate', () => {
    for (const key of ['sa:loop-a/runner', 'sa:loop-b/runner', 'user:quinn']) assert.equal(a.chainOf(key), undefined, key);
  });

  test('KM-RB-030 reports each chain once, on the binding of its first step, at the subject', () => {
    const report = scanText(FIXTURE, [escalationPath]);
    assert.deepEqual(report.coverage, []);
    const got = report.findings.map((f) => `${f.resource?.kind} ${f.resource?.namespace ?? ''}/${f.resource?.name} line ${f.location?.line}: ${f.message.split(':')[0]}`).sort();
    assert.deepEqual(got, [
      'ClusterRoleBinding /ivan-impersonates line 107: User `ivan` can reach admin-equivalent power in 1 step',
      'RoleBinding build/ci-runs-build line 74: ServiceAccount `ci/ci` can reach admin-equivalent power in 2 steps',
      'RoleBinding build/devs-deploy-build line 81: Group `devs` can reach admin-equivalent power in 2 steps',
      'RoleBinding ops/app-execs-ops line 120: ServiceAccount `web/app` can reach admin-equivalent power in 1 step',
      'RoleBinding ops/tina-mints line 94: User `tina` can reach admin-equivalent power in 1 step',
      'RoleBinding prod/deployer-runs-prod line 67: ServiceAccount `build/deployer` can reach admin-equivalent power in 1 step',
    ]);
    for (const f of report.findings) assert.equal(f.severity, 'critical');
  });
});

describe('edges', () => {
  const admin = (who: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admin-${who.replace(/[^a-z]/g, '')}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [${who}]`;
  const role = (name: string, rule: string, ns?: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${ns ? 'Role' : 'ClusterRole'}
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
rules: [${rule}]`;
  const bind = (name: string, roleName: string, subject: string, ns?: string, roleKind = 'ClusterRole') => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${ns ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${roleName}}
subjects: [${subject}]`;
  const doc = (...parts: string[]) => parts.join('\n---\n');
  const ALICE = '{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}';
  const ADMIN_SA = '{kind: ServiceAccount, name: boss, namespace: tools}';

  test('patching a pod re-images it: its service account is reached, not others', () => {
    const yaml = doc(
      admin(ADMIN_SA),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: tools}\nspec: {serviceAccountName: boss, containers: [{name: c, image: x}]}',
      role('patch', '{apiGroups: [""], resources: ["pods"], verbs: ["patch"]}'),
      bind('alice-patch', 'patch', ALICE, 'tools'),
    );
    assert.match(analysisOf(yaml).chainOf('user:alice')!.text, /^user:alice → change the image of pods in ns\/tools \(Pod p runs as sa:tools\/boss\) → sa:tools\/boss → cluster-admin$/);
  });

  test('a pod without a token gives nothing to exec into', () => {
    const yaml = doc(
      admin(ADMIN_SA),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: tools}\nspec: {serviceAccountName: boss, automountServiceAccountToken: false, containers: [{name: c, image: x}]}',
      role('exec', '{apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]}'),
      bind('alice-exec', 'exec', ALICE, 'tools'),
    );
    assert.equal(analysisOf(yaml).chainOf('user:alice'), undefined);
  });

  test('create secrets and read them back: a token Secret for any account', () => {
    const yaml = doc(admin(ADMIN_SA), role('secrets', '{apiGroups: [""], resources: ["secrets"], verbs: ["create", "get"]}'), bind('alice-secrets', 'secrets', ALICE, 'tools'));
    assert.match(analysisOf(yaml).chainOf('user:alice')!.text, /^user:alice → create a service-account token Secret and read it back in ns\/tools → sa:tools\/boss → cluster-admin$/);
  });

  test('impersonating a service account by name, in its namespace', () => {
    const yaml = doc(admin(ADMIN_SA), role('imp', '{apiGroups: [""], resources: ["serviceaccounts"], resourceNames: ["boss"], verbs: ["impersonate"]}'), bind('alice-imp', 'imp', ALICE, 'tools'));
    assert.match(analysisOf(yaml).chainOf('user:alice')!.text, /^user:alice → impersonate sa:tools\/boss → sa:tools\/boss → cluster-admin$/);
    const elsewhere = doc(admin(ADMIN_SA), role('imp', '{apiGroups: [""], resources: ["serviceaccounts"], resourceNames: ["boss"], verbs: ["impersonate"]}'), bind('alice-imp', 'imp', ALICE, 'other'));
    assert.equal(analysisOf(elsewhere).chainOf('user:alice'), undefined, 'a RoleBinding in another namespace reaches its own accounts only');
  });

  test('powers that take two permissions', () => {
    const a = analysisOf(
      doc(
        role('rbac', '{apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"]}, {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"], verbs: ["create"]}'),
        bind('alice-rbac', 'rbac', ALICE),
        role('half', '{apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["escalate"]}'),
        bind('bob-half', 'half', '{kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}'),
        role('csr', '{apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["create"]}, {apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"]}, {apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"], resourceNames: ["kubernetes.io/*"]}'),
        bind('carol-csr', 'csr', '{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}'),
        role('masters', '{apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"]}'),
        bind('dave-masters', 'masters', '{kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}'),
      ),
    );
    assert.equal(a.admin.get('user:alice')?.description, 'bind cluster-admin to itself');
    assert.equal(a.admin.get('user:bob'), undefined, 'escalate without write access to ClusterRoles');
    assert.match(a.admin.get('user:carol')?.description ?? '', /client certificate/);
    assert.equal(a.admin.get('user:dave')?.description, 'impersonate the group system:masters');
  });

  test('a chain through a group membership is reported on the group, and found for its members', () => {
    const yaml = doc(admin(ADMIN_SA), role('run', '{apiGroups: [""], resources: ["pods"], verbs: ["create"]}'), bind('sas-run', 'run', '{kind: Group, name: "system:serviceaccounts:ci", apiGroup: rbac.authorization.k8s.io}', 'tools'));
    const a = analysisOf(yaml);
    assert.deepEqual(a.chains.map((c) => c.text), ['group:system:serviceaccounts:ci → create pods in ns/tools → sa:tools/boss → cluster-admin']);
    const member: Subject = { kind: 'ServiceAccount', namespace: 'ci', name: 'builder' };
    assert.match(a.pathOf(member)!.text, /^sa:ci\/builder → create pods in ns\/tools → sa:tools\/boss → cluster-admin$/);
  });

  test('cluster-wide pod creation is admin-equivalent by itself', () => {
    const a = analysisOf(doc(role('run', '{apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["create"]}'), bind('alice-run', 'run', ALICE)));
    assert.match(a.admin.get('user:alice')?.description ?? '', /^create cronjobs\.batch in every namespace/);
  });
});
