// One finding per fact (issue 18): a role rule's capabilities in one finding under the worst id,
// no namespaced repeat of a cluster-wide grant, unbound roles reported where they are written,
// suppression by every covered id, stable fingerprints; and the RBAC facts that were wrong.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText, scanText } from '../helpers/scan.js';
import { rbacAnalysisRules } from '../../src/rules/rbac-analysis/index.js';
import { fingerprint } from '../../src/core/engine.js';
import { EMPTY_CONFIG, type KubemoatConfig } from '../../src/core/config.js';
import type { Finding } from '../../src/core/finding.js';

function scan(yaml: string, config: KubemoatConfig = EMPTY_CONFIG): Finding[] {
  const report = scanText(yaml, rbacAnalysisRules, config);
  assert.deepEqual(report.coverage, [], 'parses cleanly');
  return report.findings;
}

const brief = (fs: Finding[]): string[] => fs.map((f) => `${f.ruleId} ${f.severity} ${f.resource?.kind}/${f.resource?.name} ${f.location?.line}`).sort();
const covered = (f: Finding): string[] => (f.covers ?? []).map((c) => `${c.ruleId} ${c.severity}`);

const clusterRole = (name: string, rules: string): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
rules:
${rules}`;

const crb = (name: string, role: string, subject: string): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects:
  - ${subject}`;

const rb = (name: string, ns: string | undefined, roleKind: string, role: string, subject: string): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${role}}
subjects:
  - ${subject}`;

// Argo CD's argocd-server ClusterRole (v2/v3 install.yaml): one rule, every resource, get/patch/delete
const GET_PATCH_DELETE_ALL = `${clusterRole('argocd-server', '  - {apiGroups: ["*"], resources: ["*"], verbs: ["get", "patch", "delete"]}')}
---
${crb('argocd-server', 'argocd-server', '{kind: ServiceAccount, name: argocd-server, namespace: argocd}')}`;

describe('one finding per subject, binding and granting rule', () => {
  test('a rule granting `*` resources on get, patch, delete is one finding listing all it grants', () => {
    const fs = scan(GET_PATCH_DELETE_ALL);
    assert.deepEqual(brief(fs), ['KM-RB-011 critical ClusterRoleBinding/argocd-server 12']);
    assert.deepEqual(covered(fs[0]), ['KM-RB-011 critical', 'KM-RB-013 critical', 'KM-RB-014 critical', 'KM-RB-018 critical', 'KM-RB-012 high']);
    const f = fs[0];
    assert.match(f.message, /^ServiceAccount `argocd\/argocd-server` can get Secrets; reach the kubelet API of every node through `nodes\/proxy`/);
    assert.match(f.message, /patch MutatingWebhookConfigurations/);
    assert.match(f.message, / cluster-wide through ClusterRoleBinding argocd-server → ClusterRole argocd-server$/);
    // one rule, named once in the evidence
    assert.match(f.evidence ?? '', /^ClusterRole argocd-server rules\[0\] \(example\.yaml:5\): get, patch, delete on \*\.\*$/);
  });

  test('each covered fact names its rule and says what it grants, worst first', () => {
    const [f] = scan(GET_PATCH_DELETE_ALL);
    for (const c of f.covers ?? []) assert.ok(c.text.length > 10 && f.message.includes(c.text), c.text);
    assert.equal(f.severity, f.covers?.[0].severity);
  });

  test('capabilities from different rules of a role the user wrote are separate findings, each once', () => {
    const fs = scan(`${clusterRole('ops', `  - {apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"]}
  - {apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]}
  - {apiGroups: [""], resources: ["secrets"], resourceNames: ["one"], verbs: ["get"]}`)}
---
${crb('ops', 'ops', '{kind: User, name: olga, apiGroup: rbac.authorization.k8s.io}')}`);
    assert.deepEqual(brief(fs), ['KM-RB-011 critical ClusterRoleBinding/ops 14', 'KM-RB-012 critical ClusterRoleBinding/ops 14']);
    assert.match(fs.find((f) => f.ruleId === 'KM-RB-011')!.evidence ?? '', /rules\[0\]/);
    for (const f of fs) assert.equal(f.covers, undefined, 'a finding of one fact carries no list');
  });

  test('the built-in edit role bound cluster-wide to two groups: one finding per group', () => {
    const fs = scan(`${crb('edit', 'edit', '{kind: Group, name: privileged-psp-users, apiGroup: rbac.authorization.k8s.io}')}
  - {kind: Group, name: restricted-psp-users, apiGroup: rbac.authorization.k8s.io}`);
    assert.deepEqual(brief(fs), ['KM-RB-011 critical ClusterRoleBinding/edit 6', 'KM-RB-011 critical ClusterRoleBinding/edit 7']);
    for (const f of fs) assert.deepEqual(covered(f), ['KM-RB-011 critical', 'KM-RB-012 critical', 'KM-RB-014 critical', 'KM-RB-015 critical', 'KM-RB-016 critical']);
  });

  test('a `*` on `*` rule stands for the rest of its rule; another rule of the role is still its own finding', () => {
    const fs = scan(`${clusterRole('mixed', `  - {apiGroups: [""], resources: ["*"], verbs: ["*"]}
  - {apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: ["create"]}`)}
---
${crb('mixed', 'mixed', '{kind: User, name: max, apiGroup: rbac.authorization.k8s.io}')}`);
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity}`).sort(), ['KM-RB-010 critical', 'KM-RB-018 critical']);
    assert.equal(fs.find((f) => f.ruleId === 'KM-RB-010')!.covers, undefined);
  });
});

describe('a namespaced grant the subject holds as strongly cluster-wide is not repeated', () => {
  // ingress-nginx: the controller reads Secrets cluster-wide, and again through a Role in its namespace
  const ingress = `${clusterRole('ingress-nginx', '  - {apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["list", "watch"]}')}
---
${crb('ingress-nginx', 'ingress-nginx', '{kind: ServiceAccount, name: ingress-nginx, namespace: ingress-nginx}')}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ingress-nginx, namespace: ingress-nginx}
rules:
  - {apiGroups: [""], resources: ["secrets", "pods"], verbs: ["get"]}
  - {apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]}
---
${rb('ingress-nginx', 'ingress-nginx', 'Role', 'ingress-nginx', '{kind: ServiceAccount, name: ingress-nginx, namespace: ingress-nginx}')}`;

  test('the Secrets read is reported once, cluster-wide; what the namespace adds stays', () => {
    const fs = scan(ingress);
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity} ${f.resource?.kind}`).sort(), ['KM-RB-011 critical ClusterRoleBinding', 'KM-RB-012 medium RoleBinding']);
  });

  test('a manifest that leaves the namespace to the installer: the same-named account bound cluster-wide', () => {
    const fs = scan(`${clusterRole('reader', '  - {apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"]}')}
---
${crb('reader', 'reader', '{kind: ServiceAccount, name: argocd-server, namespace: argocd}')}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: argocd-server}
rules:
  - {apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"]}
---
${rb('argocd-server', undefined, 'Role', 'argocd-server', '{kind: ServiceAccount, name: argocd-server}')}`);
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.resource?.kind}`), ['KM-RB-011 ClusterRoleBinding']);
  });

  test('a weaker cluster-wide grant does not hide a stronger one in a namespace', () => {
    const fs = scan(`${clusterRole('one-secret', '  - {apiGroups: [""], resources: ["secrets"], resourceNames: ["ca"], verbs: ["get"]}')}
---
${crb('one-secret', 'one-secret', '{kind: User, name: una, apiGroup: rbac.authorization.k8s.io}')}
---
${rb('all-secrets', 'shop', 'ClusterRole', 'view-secrets', '{kind: User, name: una, apiGroup: rbac.authorization.k8s.io}')}
---
${clusterRole('view-secrets', '  - {apiGroups: [""], resources: ["secrets"], verbs: ["list"]}')}`);
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity} ${f.resource?.kind}`).sort(), ['KM-RB-011 high RoleBinding', 'KM-RB-011 medium ClusterRoleBinding']);
  });

  test('a subject with cluster-admin has nothing more to be told about its namespaces', () => {
    const fs = scan(`${crb('admin', 'cluster-admin', '{kind: ServiceAccount, name: ctl, namespace: ops}')}
---
${rb('ctl-edit', 'ops', 'ClusterRole', 'edit', '{kind: ServiceAccount, name: ctl, namespace: ops}')}`);
    assert.deepEqual(fs, []);
  });
});

describe('the default service account', () => {
  test('its fact joins the binding\'s first finding; alone it is its own', () => {
    const wildcard = scan(`apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: all, namespace: apps}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
${rb('all', 'apps', 'Role', 'all', '{kind: ServiceAccount, name: default, namespace: apps}')}`);
    assert.deepEqual(wildcard.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-010 high']);
    assert.deepEqual(covered(wildcard[0]), ['KM-RB-010 high', 'KM-RB-020 medium']);
    const alone = scan(rb('view', 'apps', 'ClusterRole', 'view', '{kind: ServiceAccount, name: default, namespace: apps}'));
    assert.deepEqual(alone.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-020 medium']);
    assert.match(alone[0].message, /^ServiceAccount `apps\/default` gets ClusterRole view in namespace `apps` through RoleBinding apps\/view \(\d+ rules\): every pod in namespace `apps` that names no service account runs with it$/);
  });
});

describe('roles nothing binds', () => {
  const role = (kind: 'Role' | 'ClusterRole', name: string, rules: string, ns?: string): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: "${name}"${ns ? `, namespace: ${ns}` : ''}}
rules:
${rules}`;

  test('are reported on the rule that is written, two steps lower, "once bound"', () => {
    const fs = scan([
      role('ClusterRole', 'superuser', '  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}'),
      role('Role', 'shell', '  - {apiGroups: [""], resources: ["pods"], verbs: ["get"]}\n  - {apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]}', 'dev'),
      role('ClusterRole', 'binder', '  - {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind", "escalate"]}'),
      role('ClusterRole', 'secret-reader', '  - {apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"]}'),
    ].join('\n---\n'));
    assert.deepEqual(brief(fs), [
      'KM-RB-010 medium ClusterRole/superuser 5', // critical if bound cluster-wide
      'KM-RB-011 medium ClusterRole/secret-reader 24',
      'KM-RB-012 low Role/shell 12', // medium if bound in its namespace
      'KM-RB-015 medium ClusterRole/binder 18',
    ]);
    const superuser = fs.find((f) => f.resource?.name === 'superuser')!;
    assert.equal(superuser.message, 'once bound, ClusterRole superuser lets its subjects do anything to every resource in every API group (`*` verbs on `*` resources) cluster-wide (through a ClusterRoleBinding); nothing in the input binds it');
    assert.match(superuser.evidence ?? '', /^ClusterRole superuser rules\[0\] \(example\.yaml:5\)/);
  });

  test('a bound role is reported at its binding only; default roles and aggregated parts are not unbound', () => {
    const fs = scan([
      role('ClusterRole', 'secret-reader', '  - {apiGroups: [""], resources: ["secrets"], verbs: ["list"]}'),
      crb('secret-reader', 'secret-reader', '{kind: User, name: sam, apiGroup: rbac.authorization.k8s.io}'),
      // a manifest copy of a built-in role, and kubeadm's
      role('ClusterRole', 'admin', '  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}'),
      role('ClusterRole', 'system:controller:replicaset-controller', '  - {apiGroups: [""], resources: ["pods"], verbs: ["create", "delete"]}'),
      role('ClusterRole', 'kubeadm:get-nodes', '  - {apiGroups: [""], resources: ["secrets"], verbs: ["get"]}'),
      // a CRD's role aggregated into the built-in edit: reported where edit is bound
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: widgets-edit, labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}}
rules:
  - {apiGroups: [""], resources: ["secrets"], verbs: ["get"]}`,
    ].join('\n---\n'));
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.resource?.kind}/${f.resource?.name}`), ['KM-RB-011 ClusterRoleBinding/secret-reader']);
  });
});

describe('suppression covers every fact of a finding', () => {
  const annotated = (ids: string): string => GET_PATCH_DELETE_ALL.replace('metadata: {name: argocd-server}\nroleRef', `metadata: {name: argocd-server, annotations: {kubemoat.io/ignore: "${ids}", kubemoat.io/ignore-reason: "argocd UI"}}\nroleRef`);

  test('waiving the headline alone keeps the finding: the rule also grants what was not waived', () => {
    assert.ok(annotated('KM-RB-011').includes('kubemoat.io/ignore'));
    assert.equal(scan(annotated('KM-RB-011')).length, 1);
  });

  test('waiving every covered id suppresses it, annotation and config together', () => {
    const report = scanText(annotated('KM-RB-011,KM-RB-013'), rbacAnalysisRules, {
      ...EMPTY_CONFIG,
      ignore: [{ rules: ['KM-RB-012', 'KM-RB-014', 'KM-RB-018'], resource: { kind: 'ClusterRoleBinding', name: 'argocd-server' }, reason: 'reviewed' }],
    });
    assert.deepEqual(report.findings, []);
    assert.equal(report.summary.suppressed, 1);
  });
});

describe('fingerprints', () => {
  test('a finding keeps the fingerprint of its rule, binding and subject, whatever else it now covers', () => {
    const load = loadText(GET_PATCH_DELETE_ALL);
    const binding = load.inventory.objects.find((o) => o.kind === 'ClusterRoleBinding')!;
    const [f] = scan(GET_PATCH_DELETE_ALL);
    // the formula KM-RB-011 used for this subject before it covered anything else
    assert.equal(f.fingerprint, fingerprint('KM-RB-011', binding, undefined, ['subjects', 0]));
    assert.equal(scan(GET_PATCH_DELETE_ALL)[0].fingerprint, f.fingerprint, 'deterministic');
  });

  test('unbound-role findings are fingerprinted by role and rule index', () => {
    const yaml = clusterRole('superuser', '  - {apiGroups: [""], resources: ["configmaps"], verbs: ["get"]}\n  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}');
    const role = loadText(yaml).inventory.objects[0];
    const [f] = scan(yaml);
    assert.equal(f.fingerprint, fingerprint('KM-RB-010', role, undefined, ['rules', 1]));
  });
});

describe('RBAC facts (issue 18)', () => {
  test('KM-RB-012: `get pods/exec` in a namespace is a working exec up to v1.34 (medium, as create), not low', () => {
    const fs = scan(`${clusterRole('shell', '  - {apiGroups: [""], resources: ["pods/exec"], verbs: ["get"]}')}
---
${rb('shell', 'web', 'ClusterRole', 'shell', '{kind: ServiceAccount, name: term}')}
---
${crb('shell', 'shell', '{kind: ServiceAccount, name: term, namespace: tools}')}`);
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.severity} ${f.resource?.kind}`).sort(), ['KM-RB-012 high ClusterRoleBinding', 'KM-RB-012 medium RoleBinding']);
    for (const f of fs) assert.match(f.message, /up to v1\.34/);
  });

  test('KM-RB-017: approval without `approve` on a signer approves nothing; both do, and create makes it critical', () => {
    const approval = '  - {apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"]}';
    const signer = '  - {apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/kube-apiserver-client"], verbs: ["approve"]}';
    const create = '  - {apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["create", "get"]}';
    const bound = (rules: string): Finding[] => scan(`${clusterRole('csr', rules)}\n---\n${crb('csr', 'csr', '{kind: ServiceAccount, name: bot, namespace: tools}')}`);
    assert.deepEqual(bound(approval), []);
    assert.deepEqual(bound(signer), []);
    assert.deepEqual(bound(`${approval}\n${signer}`).map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-017 high']);
    const full = bound(`${approval}\n${signer}\n${create}`);
    assert.deepEqual(full.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-017 critical']);
    assert.equal((full[0].evidence ?? '').split('; ').length, 3, 'the evidence names the three rules it takes');
  });

  test('KM-RB-019: patching PersistentVolumes cannot change their source; creating them can', () => {
    const bound = (verbs: string): Finding[] => scan(`${clusterRole('pv', `  - {apiGroups: [""], resources: ["persistentvolumes"], verbs: [${verbs}]}`)}\n---\n${crb('pv', 'pv', '{kind: ServiceAccount, name: csi, namespace: storage}')}`);
    assert.deepEqual(bound('"get", "update", "patch"'), []);
    assert.deepEqual(bound('"create"').map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-019 high']);
  });

  test('KM-RB-010: `*` in custom.metrics.k8s.io alone is not every resource; `*` in apps is judged as controllers', () => {
    assert.deepEqual(scan(`${clusterRole('metrics', '  - {apiGroups: ["custom.metrics.k8s.io"], resources: ["*"], verbs: ["*"]}')}\n---\n${crb('metrics', 'metrics', '{kind: ServiceAccount, name: adapter, namespace: monitoring}')}`), []);
    const apps = scan(`${clusterRole('apps', '  - {apiGroups: ["apps"], resources: ["*"], verbs: ["*"]}')}\n---\n${crb('apps', 'apps', '{kind: ServiceAccount, name: cd, namespace: cd}')}`);
    assert.deepEqual(apps.map((f) => `${f.ruleId} ${f.severity}`), ['KM-RB-014 critical']);
  });

  test('KM-RB-021: the bootstrap policy\'s kube-system Roles exist in every cluster', () => {
    const fs = scan(`${rb('metrics-server-auth-reader', 'kube-system', 'Role', 'extension-apiserver-authentication-reader', '{kind: ServiceAccount, name: metrics-server, namespace: kube-system}')}
---
${rb('lock', 'kube-system', 'Role', 'system::leader-locking-kube-scheduler', '{kind: ServiceAccount, name: my-scheduler, namespace: kube-system}')}
---
${rb('reader', 'shop', 'Role', 'extension-apiserver-authentication-reader', '{kind: ServiceAccount, name: app}')}`);
    // only the one in another namespace, where no such Role exists
    assert.deepEqual(fs.map((f) => `${f.ruleId} ${f.resource?.namespace}/${f.resource?.name}`), ['KM-RB-021 shop/reader']);
  });
});
