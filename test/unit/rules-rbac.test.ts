// RBAC binding rules: KM-RB-001 (cluster-admin) and KM-RB-002 (anonymous / every user).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import clusterAdmin from '../../src/rules/rbac/cluster-admin-binding.js';
import publicBinding from '../../src/rules/rbac/public-binding.js';
import type { Rule } from '../../src/core/rule.js';
import { scanText } from '../helpers/scan.js';

function findings(yaml: string, rule: Rule) {
  const report = scanText(yaml, [rule]);
  assert.deepEqual(report.coverage, []);
  return report.findings.filter((f) => f.ruleId === rule.meta.id);
}

const binding = (kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, role: string, subjects: string[], opts: { ns?: string; roleKind?: string; labels?: string } = {}): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata:
  name: "${name}"${opts.ns ? `\n  namespace: ${opts.ns}` : ''}${opts.labels ? `\n  labels: ${opts.labels}` : ''}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${opts.roleKind ?? 'ClusterRole'}, name: "${role}"}
subjects:
${subjects.map((s) => `  - ${s}`).join('\n')}`;

const group = (n: string): string => `{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "${n}"}`;
const user = (n: string): string => `{apiGroup: rbac.authorization.k8s.io, kind: User, name: "${n}"}`;

describe('KM-RB-001 cluster-admin bindings', () => {
  test('names every subject except system:masters, at roleRef.name', () => {
    const f = findings(binding('ClusterRoleBinding', 'admins', 'cluster-admin', [group('system:masters'), user('alice'), '{kind: ServiceAccount, name: ci, namespace: tools}']), clusterAdmin);
    assert.equal(f.length, 1);
    assert.equal(f[0].message, 'ClusterRoleBinding admins grants cluster-admin on the whole cluster to User `alice`, ServiceAccount `tools/ci`');
    assert.equal(f[0].severity, 'critical');
    assert.equal(f[0].location?.line, 5);
  });
  test('the built-in binding to system:masters alone is silent', () => {
    assert.equal(findings(binding('ClusterRoleBinding', 'cluster-admin', 'cluster-admin', [group('system:masters')]), clusterAdmin).length, 0);
  });
  test('a RoleBinding is high, and a service account without namespace is in the binding\'s', () => {
    const f = findings(binding('RoleBinding', 'local', 'cluster-admin', ['{kind: ServiceAccount, name: deployer}'], { ns: 'team-a' }), clusterAdmin);
    assert.deepEqual(f.map((x) => [x.severity, x.message]), [['high', 'RoleBinding team-a/local grants cluster-admin within namespace `team-a` to ServiceAccount `team-a/deployer`']]);
  });
  test('a namespaced Role that happens to be called cluster-admin is not the ClusterRole', () => {
    assert.equal(findings(binding('RoleBinding', 'x', 'cluster-admin', [user('bob')], { ns: 'a', roleKind: 'Role' }), clusterAdmin).length, 0);
  });
});

describe('KM-RB-002 bindings to anonymous or every user', () => {
  test('severity by subject; the finding points at the worst subject and names all of them', () => {
    const f = findings(binding('ClusterRoleBinding', 'open', 'view', [group('system:authenticated'), group('system:unauthenticated')]), publicBinding);
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'critical');
    assert.equal(f[0].location?.line, 8);
    assert.equal(f[0].message, 'ClusterRoleBinding open grants ClusterRole `view` to Group `system:authenticated`, Group `system:unauthenticated`: every authenticated user and service account; anyone, without credentials');
  });
  test('system:authenticated and system:serviceaccounts are high; namespaced service-account groups are not reported', () => {
    assert.deepEqual(findings(binding('ClusterRoleBinding', 'a', 'edit', [group('system:authenticated')]), publicBinding).map((f) => f.severity), ['high']);
    assert.deepEqual(findings(binding('ClusterRoleBinding', 'b', 'edit', [group('system:serviceaccounts')]), publicBinding).map((f) => f.severity), ['high']);
    assert.equal(findings(binding('ClusterRoleBinding', 'c', 'edit', [group('system:serviceaccounts:team-a')]), publicBinding).length, 0);
  });
  test('default discovery bindings are silent; discovery for anonymous users is low', () => {
    assert.equal(findings(binding('ClusterRoleBinding', 'system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]), publicBinding).length, 0);
    assert.equal(findings(binding('ClusterRoleBinding', 'system:discovery', 'system:discovery', [group('system:authenticated')]), publicBinding).length, 0);
    assert.equal(findings(binding('ClusterRoleBinding', 'sa-issuer', 'system:service-account-issuer-discovery', [group('system:serviceaccounts')]), publicBinding).length, 0);
    assert.deepEqual(findings(binding('ClusterRoleBinding', 'old', 'system:basic-user', [group('system:authenticated'), user('system:anonymous')]), publicBinding).map((f) => [f.severity, f.location?.line]), [['low', 8]]);
  });
  test('a redefined discovery role is not exempt', () => {
    const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:public-info-viewer"}
rules:
  - {apiGroups: [""], resources: [secrets], verbs: [get, list]}`;
    const yaml = `${role}\n---\n${binding('ClusterRoleBinding', 'piv', 'system:public-info-viewer', [group('system:unauthenticated')])}`;
    assert.deepEqual(findings(yaml, publicBinding).map((f) => f.severity), ['critical']);
    const builtIn = role.replace('metadata: {name: "system:public-info-viewer"}', 'metadata: {name: "system:public-info-viewer", labels: {kubernetes.io/bootstrapping: rbac-defaults}}');
    assert.equal(findings(`${builtIn}\n---\n${binding('ClusterRoleBinding', 'piv', 'system:public-info-viewer', [group('system:unauthenticated')])}`, publicBinding).length, 0);
  });
  test("kubeadm's anonymous read of cluster-info is silent only in kube-public and only while its Role reads cluster-info", () => {
    const rb = (ns: string): string => binding('RoleBinding', 'kubeadm:bootstrap-signer-clusterinfo', 'kubeadm:bootstrap-signer-clusterinfo', [user('system:anonymous')], { ns, roleKind: 'Role' });
    assert.equal(findings(rb('kube-public'), publicBinding).length, 0);
    assert.equal(findings(rb('default'), publicBinding).length, 1);
    const widened = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "kubeadm:bootstrap-signer-clusterinfo", namespace: kube-public}
rules:
  - {apiGroups: [""], resources: [configmaps, secrets], verbs: [get]}`;
    assert.equal(findings(`${widened}\n---\n${rb('kube-public')}`, publicBinding).length, 1);
  });
  test('a service account that is merely named like a system group is not one', () => {
    assert.equal(findings(binding('RoleBinding', 'x', 'view', ['{kind: ServiceAccount, name: "system:anonymous", namespace: a}'], { ns: 'a' }), publicBinding).length, 0);
  });
});
