// The RBAC analysis rules on real manifests: exact findings, severities by scope, lines at the
// subject, built-in bindings left alone, and no pile-up on cluster-admin or wildcard bindings.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { scanText } from '../helpers/scan.js';
import { rbacAnalysisRules } from '../../src/rules/rbac-analysis/index.js';
import type { Finding } from '../../src/core/finding.js';

function scan(yaml: string): Finding[] {
  const report = scanText(yaml, rbacAnalysisRules);
  assert.deepEqual(report.coverage, [], 'parses cleanly');
  return report.findings;
}

const brief = (fs: Finding[]): string[] => fs.map((f) => `${f.ruleId} ${f.severity} ${f.location?.line}`).sort();

const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, role: string, subject: string, ns?: string, roleKind = 'ClusterRole'): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: "${name}"${ns ? `, namespace: ${ns}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: "${role}"}
subjects:
  - ${subject}`;

describe('the catalogue examples of every RBAC analysis rule', () => {
  for (const rule of rbacAnalysisRules) {
    test(`${rule.meta.id}: fails and passes as its examples say`, () => {
      assert.ok(rule.examples.fail.length > 0 && rule.examples.pass.length > 0);
      for (const yaml of rule.examples.fail) {
        const mine = scan(yaml).filter((f) => f.ruleId === rule.meta.id);
        assert.ok(mine.length > 0, `no ${rule.meta.id} finding on:\n${yaml}`);
        for (const f of mine) assert.ok(!f.message.includes('{{'), f.message);
      }
      for (const yaml of rule.examples.pass) {
        const mine = scanText(yaml, [rule]).findings;
        assert.deepEqual(mine.map((f) => f.message), []);
      }
    });
  }
});

describe('the lab insecure profile', () => {
  const yaml = readFileSync(join(REPO_ROOT, 'lab', 'manifests', 'insecure', '10-rbac.yaml'), 'utf8');
  const findings = scan(yaml);

  test('finds the planted RBAC doors, each once, at the subject', () => {
    assert.deepEqual(brief(findings), [
      'KM-RB-010 high 69', // wildcard Role bound to lab-apps/default, which every pod there runs as (KM-RB-020, in the same finding)
      'KM-RB-011 critical 24', // anonymous reads Secrets cluster-wide
      'KM-RB-030 critical 69', // default → create pods in lab-apps → ci-deployer → cluster-admin
    ]);
    const wildcard = findings.find((f) => f.ruleId === 'KM-RB-010')!;
    assert.deepEqual(wildcard.covers?.map((c) => `${c.ruleId} ${c.severity}`), ['KM-RB-010 high', 'KM-RB-020 medium']);
    assert.match(wildcard.message, /: every pod in namespace `lab-apps` that names no service account runs with it$/);
    const chain = findings.find((f) => f.ruleId === 'KM-RB-030')!;
    assert.equal(chain.message, 'ServiceAccount `lab-apps/default` can reach admin-equivalent power in 1 step: sa:lab-apps/default → create pods in ns/lab-apps → sa:lab-apps/ci-deployer → cluster-admin');
    const secrets = findings.find((f) => f.ruleId === 'KM-RB-011')!;
    assert.equal(secrets.message, 'User `system:anonymous` can get/list Secrets cluster-wide through ClusterRoleBinding kubemoat-lab-anonymous-reader → ClusterRole kubemoat-lab-anonymous-reader');
    assert.match(secrets.evidence ?? '', /^ClusterRole kubemoat-lab-anonymous-reader rules\[1\] \(example\.yaml:\d+\): get, list on secrets$/);
  });

  test('the hardened profile has none', () => {
    const hardened = readFileSync(join(REPO_ROOT, 'lab', 'manifests', 'hardened', '10-rbac.yaml'), 'utf8');
    assert.deepEqual(scan(hardened), []);
  });
});

describe('precision', () => {
  test('a cluster-admin binding is KM-RB-001\'s alone: no single-permission findings pile up', () => {
    const fs = scan(binding('ClusterRoleBinding', 'ci-admin', 'cluster-admin', '{kind: ServiceAccount, name: ci, namespace: ci}'));
    assert.deepEqual(fs, []);
  });

  test('a wildcard role reports the wildcard, not every permission it implies', () => {
    const fs = scan(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: star}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
${binding('ClusterRoleBinding', 'star', 'star', '{kind: User, name: sam, apiGroup: rbac.authorization.k8s.io}')}`);
    assert.deepEqual(fs.map((f) => f.ruleId), ['KM-RB-010']);
    assert.equal(fs[0].severity, 'critical');
  });

  test('the built-in bootstrap bindings are the cluster working as designed', () => {
    const bootstrap = [
      binding('ClusterRoleBinding', 'cluster-admin', 'cluster-admin', '{kind: Group, name: "system:masters", apiGroup: rbac.authorization.k8s.io}'),
      binding('ClusterRoleBinding', 'system:node-proxier', 'system:node-proxier', '{kind: User, name: "system:kube-proxy", apiGroup: rbac.authorization.k8s.io}'),
      binding('ClusterRoleBinding', 'system:kube-controller-manager', 'system:kube-controller-manager', '{kind: User, name: "system:kube-controller-manager", apiGroup: rbac.authorization.k8s.io}'),
      binding('ClusterRoleBinding', 'system:controller:clusterrole-aggregation-controller', 'system:controller:clusterrole-aggregation-controller', '{kind: ServiceAccount, name: clusterrole-aggregation-controller, namespace: kube-system}'),
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:controller:clusterrole-aggregation-controller", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, get, list, patch, update, watch]}]`,
      binding('ClusterRoleBinding', 'kubeadm:get-nodes', 'kubeadm:get-nodes', '{kind: Group, name: "system:bootstrappers:kubeadm:default-node-token", apiGroup: rbac.authorization.k8s.io}'),
      binding('ClusterRoleBinding', 'system:node', 'system:node', '{kind: Group, name: "system:nodes", apiGroup: rbac.authorization.k8s.io}'),
    ].join('\n---\n');
    assert.deepEqual(scan(bootstrap), []);
  });

  test('a user-made binding of a system role to a person is reported, once for all the role grants', () => {
    const fs = scan(binding('ClusterRoleBinding', 'alice-is-a-node', 'system:node', '{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}'));
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-011 critical']);
    assert.deepEqual(fs[0].covers?.map((c) => c.ruleId), ['KM-RB-011', 'KM-RB-014', 'KM-RB-016']);
  });

  test('the built-in view role is silent; edit is reported for what it really grants', () => {
    assert.deepEqual(scan(binding('RoleBinding', 'viewers', 'view', '{kind: Group, name: viewers, apiGroup: rbac.authorization.k8s.io}', 'shop')), []);
    const fs = scan(binding('RoleBinding', 'editors', 'edit', '{kind: Group, name: editors, apiGroup: rbac.authorization.k8s.io}', 'shop'));
    // a default role is one unit (its rules are not the user's to change, the binding is): one finding, worst first
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-011 high']);
    assert.deepEqual(fs[0].covers?.map((c) => `${c.ruleId} ${c.severity}`), [
      'KM-RB-011 high', // read Secrets in the namespace
      'KM-RB-012 medium', // exec into its pods
      'KM-RB-014 medium', // create pods: any service account of the namespace
      'KM-RB-015 medium', // impersonate its service accounts
      'KM-RB-016 medium', // mint their tokens
    ]);
    for (const f of fs) assert.match(f.message, /Group `editors`.*in namespace `shop`.*RoleBinding shop\/editors → ClusterRole edit/);
    assert.match(fs.find((f) => f.ruleId === 'KM-RB-011')!.evidence ?? '', /^ClusterRole edit, aggregated from ClusterRole system:aggregate-to-edit rules\[0\] \(Kubernetes default\)/);
  });

  test('severity follows scope: the same role cluster-wide is worse', () => {
    const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: ["secrets"], verbs: ["list"]}]`;
    const cluster = scan(`${role}\n---\n${binding('ClusterRoleBinding', 'r', 'reader', '{kind: User, name: u, apiGroup: rbac.authorization.k8s.io}')}`);
    const ns = scan(`${role}\n---\n${binding('RoleBinding', 'r', 'reader', '{kind: User, name: u, apiGroup: rbac.authorization.k8s.io}', 'shop')}`);
    assert.deepEqual(cluster.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-011 critical']);
    assert.deepEqual(ns.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-011 high']);
  });

  test('resourceNames narrow the finding', () => {
    const fs = scan(`apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: tls, namespace: web}
rules: [{apiGroups: [""], resources: ["secrets"], resourceNames: ["web-tls"], verbs: ["get"]}]
---
${binding('RoleBinding', 'tls', 'tls', '{kind: ServiceAccount, name: web}', 'web', 'Role')}`);
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-011 low']);
    assert.match(fs[0].message, /can get Secrets \(only `web-tls`\) in namespace `web`/);
  });

  test('one finding per subject, each at its own line', () => {
    const fs = scan(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exec}
rules: [{apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: exec, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec}
subjects:
  - {kind: User, name: a, apiGroup: rbac.authorization.k8s.io}
  - {kind: Group, name: "system:masters", apiGroup: rbac.authorization.k8s.io}
  - {kind: ServiceAccount, name: b}`);
    assert.deepEqual(fs.map((f) => [f.ruleId, f.location?.line, f.resource?.name]), [['KM-RB-012', 11, 'exec'], ['KM-RB-012', 12, 'exec'], ['KM-RB-012', 13, 'exec']]);
    assert.notEqual(fs[0].fingerprint, fs[2].fingerprint);
    assert.match(fs[2].message, /^ServiceAccount `shop\/b` can run commands in pods/);
  });

  test('verbs on cluster-scoped resources through a RoleBinding grant nothing', () => {
    const fs = scan(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-things}
rules:
  - {apiGroups: [""], resources: ["nodes/proxy", "persistentvolumes"], verbs: ["get", "create"]}
  - {apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: ["create"]}
  - {apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"]}
---
${binding('RoleBinding', 'things', 'cluster-things', '{kind: User, name: u, apiGroup: rbac.authorization.k8s.io}', 'shop')}`);
    assert.deepEqual(fs, []);
  });

  test('a binding to a missing role: info in manifests, and nothing else', () => {
    const fs = scan(binding('RoleBinding', 'gone', 'gone', '{kind: User, name: u, apiGroup: rbac.authorization.k8s.io}', 'shop', 'Role'));
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity} ${f.location?.line}`), ['KM-RB-021 info 4']);
  });
});

describe('fixtures scan without rule errors', () => {
  for (const file of readdirSync(join(REPO_ROOT, 'test', 'fixtures', 'rbac')).filter((f) => f.endsWith('.yaml'))) {
    test(file, () => {
      const report = scanText(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'rbac', file), 'utf8'), rbacAnalysisRules);
      assert.deepEqual(report.coverage, []);
    });
  }
});

describe('escalate, bind, impersonate', () => {
  const role = (rules: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules: [${rules}]`;
  const alice = '{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}';

  test('bind on Roles alone cannot bind cluster-admin', () => {
    const fs = scan(`${role('{apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind"]}')}\n---\n${binding('RoleBinding', 'b', 'r', alice, 'team')}`);
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-015 medium']);
    assert.match(fs[0].message, /grant any Role of the namespace without holding their permissions/);
  });

  test('bind on ClusterRoles in a namespace binds cluster-admin there', () => {
    const fs = scan(`${role('{apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"]}')}\n---\n${binding('RoleBinding', 'b', 'r', alice, 'team')}`);
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-015 high']);
    assert.match(fs[0].message, /cluster-admin included/);
  });

  test('impersonating named users is high, system:masters critical', () => {
    const named = scan(`${role('{apiGroups: [""], resources: ["users"], resourceNames: ["jane"], verbs: ["impersonate"]}')}\n---\n${binding('ClusterRoleBinding', 'b', 'r', alice)}`);
    assert.deepEqual(named.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-015 high']);
    const masters = scan(`${role('{apiGroups: [""], resources: ["groups"], resourceNames: ["system:masters"], verbs: ["impersonate"]}')}\n---\n${binding('ClusterRoleBinding', 'b', 'r', alice)}`);
    assert.deepEqual(masters.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-015 critical']);
  });
});

describe('manifests without a namespace', () => {
  test('a RoleBinding left to the installer says so', () => {
    const fs = scan(`apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: ["secrets"], verbs: ["list"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: app}]`);
    assert.deepEqual(fs.map((f) => f.message), ['ServiceAccount `app` (namespace unset) can list Secrets in the namespace it is installed into through RoleBinding reader → Role reader']);
  });
});

describe('a system: name does not hide a grant to everyone', () => {
  test('a binding named system:… to system:unauthenticated is reported; the default discovery bindings are not', () => {
    const fs = scan(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: ["secrets"], verbs: ["get"]}]
---
${binding('ClusterRoleBinding', 'system:metrics-reader', 'reader', '{kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}')}
---
${binding('ClusterRoleBinding', 'system:public-info-viewer', 'system:public-info-viewer', '{kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}')}
---
${binding('ClusterRoleBinding', 'system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', '{kind: Group, name: "system:serviceaccounts", apiGroup: rbac.authorization.k8s.io}')}`);
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity} ${f.resource?.name}`), ['KM-RB-011 critical system:metrics-reader']);
  });
});
