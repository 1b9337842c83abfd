// The RBAC graph against the authorizer's semantics: aggregation, wildcards, subresources,
// resourceNames, URLs, RoleBinding scoping, implicit groups, missing roles.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { loadText } from '../helpers/scan.js';
import {
  identityOf,
  normaliseRule,
  parseSubject,
  rbacGraph,
  ruleAllows,
  ruleText,
  serviceAccountOfUser,
  subjectKey,
  SubjectSyntaxError,
  type RbacGraph,
  type Subject,
} from '../../src/inventory/rbac.js';
import { parseResource } from '../../src/inventory/rbac-resources.js';

function fixture(name: string): RbacGraph {
  const file = join(REPO_ROOT, 'test', 'fixtures', 'rbac', name);
  const load = loadText(readFileSync(file, 'utf8'), file);
  assert.deepEqual(load.coverage, [], `${name} parses cleanly`);
  return rbacGraph(load.inventory);
}

const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', namespace, name });
const user = (name: string): Subject => ({ kind: 'User', name });
const group = (name: string): Subject => ({ kind: 'Group', name });

describe('subjects', () => {
  test('parseSubject accepts the forms a user types', () => {
    assert.deepEqual(parseSubject('sa:build/ci'), sa('build', 'ci'));
    assert.deepEqual(parseSubject('sa:build:ci'), sa('build', 'ci'));
    assert.deepEqual(parseSubject('serviceaccount:build/ci'), sa('build', 'ci'));
    assert.deepEqual(parseSubject('system:serviceaccount:build:ci'), sa('build', 'ci'));
    assert.deepEqual(parseSubject('user:system:serviceaccount:build:ci'), sa('build', 'ci'));
    assert.deepEqual(parseSubject('user:alice'), user('alice'));
    assert.deepEqual(parseSubject('User:alice'), user('alice'));
    assert.deepEqual(parseSubject('group:system:masters'), group('system:masters'));
    assert.deepEqual(parseSubject('alice'), user('alice'));
    assert.deepEqual(parseSubject('system:anonymous'), user('system:anonymous'));
    assert.deepEqual(parseSubject('oidc:bob@example.com'), user('oidc:bob@example.com'));
    for (const bad of ['', 'sa:ci', 'sa:/ci', 'sa:ci/', 'group:', 'user:']) assert.throws(() => parseSubject(bad), SubjectSyntaxError, bad);
  });

  test('a User named system:serviceaccount:NS:NAME is that service account', () => {
    assert.deepEqual(serviceAccountOfUser('system:serviceaccount:ns:app'), { namespace: 'ns', name: 'app' });
    assert.equal(serviceAccountOfUser('system:serviceaccount:ns'), undefined);
    assert.equal(serviceAccountOfUser('system:serviceaccounts:ns'), undefined);
    assert.equal(subjectKey(user('system:serviceaccount:ns:app')), subjectKey(sa('ns', 'app')));
  });

  test('implicit groups: service accounts, users, anonymous', () => {
    assert.deepEqual(identityOf(sa('shop', 'web')).keys, ['sa:shop/web', 'group:system:serviceaccounts', 'group:system:serviceaccounts:shop', 'group:system:authenticated']);
    assert.deepEqual(identityOf(user('alice'), ['devs']).keys, ['user:alice', 'group:system:authenticated', 'group:devs']);
    assert.deepEqual(identityOf(user('system:anonymous')).keys, ['user:system:anonymous', 'group:system:unauthenticated']);
    assert.deepEqual(identityOf(group('devs')).keys, ['group:devs']);
  });
});

describe('rule matching', () => {
  const rule = (raw: object) => normaliseRule(raw as never);
  test('verbs, groups, resources, subresources', () => {
    const scale = rule({ apiGroups: ['*'], resources: ['*/scale'], verbs: ['update'] });
    assert.ok(ruleAllows(scale, { verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale' }));
    assert.ok(!ruleAllows(scale, { verb: 'update', group: 'apps', resource: 'deployments' }), '*/scale is not the resource itself');
    assert.ok(!ruleAllows(scale, { verb: 'update', group: 'apps', resource: 'deployments', subresource: 'status' }));
    const podsStar = rule({ apiGroups: [''], resources: ['pods/*'], verbs: ['create'] });
    assert.ok(!ruleAllows(podsStar, { verb: 'create', group: '', resource: 'pods', subresource: 'exec' }), 'pods/* is not a wildcard');
    const all = rule({ apiGroups: [''], resources: ['*'], verbs: ['get'] });
    assert.ok(ruleAllows(all, { verb: 'get', group: '', resource: 'pods', subresource: 'exec' }), '* covers subresources');
    assert.ok(!ruleAllows(all, { verb: 'get', group: 'apps', resource: 'deployments' }), 'only in its groups');
    const caseSensitive = rule({ apiGroups: [''], resources: ['Pods'], verbs: ['GET'] });
    assert.ok(!ruleAllows(caseSensitive, { verb: 'get', group: '', resource: 'pods' }), 'RBAC compares exactly');
  });

  test('resourceNames never grant unnamed requests', () => {
    const named = rule({ apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get', 'create', 'list'] });
    assert.ok(ruleAllows(named, { verb: 'get', group: '', resource: 'configmaps', name: 'a' }));
    assert.ok(!ruleAllows(named, { verb: 'get', group: '', resource: 'configmaps', name: 'b' }));
    assert.ok(!ruleAllows(named, { verb: 'create', group: '', resource: 'configmaps' }));
    assert.ok(!ruleAllows(named, { verb: 'list', group: '', resource: 'configmaps' }));
    assert.ok(ruleAllows(named, { verb: 'list', group: '', resource: 'configmaps' }, { anyName: true }), 'who-can counts it "for some name"');
  });

  test('non-resource URLs: exact, trailing *, and * alone', () => {
    const urls = rule({ nonResourceURLs: ['/metrics', '/logs/*'], verbs: ['get'] });
    assert.ok(ruleAllows(urls, { verb: 'get', path: '/metrics' }));
    assert.ok(ruleAllows(urls, { verb: 'get', path: '/logs/kubelet.log' }));
    assert.ok(!ruleAllows(urls, { verb: 'get', path: '/logs' }));
    assert.ok(!ruleAllows(urls, { verb: 'get', path: '/metricsx' }));
    assert.ok(!ruleAllows(urls, { verb: 'post', path: '/metrics' }));
    assert.ok(ruleAllows(rule({ nonResourceURLs: ['*'], verbs: ['*'] }), { verb: 'post', path: '/anything' }));
    assert.ok(!ruleAllows(rule({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }), { verb: 'get', path: '/metrics' }), 'resource wildcards are not URL wildcards');
  });

  test('ruleText names what a rule grants', () => {
    assert.equal(ruleText(rule({ apiGroups: ['', 'apps'], resources: ['pods', 'deployments'], verbs: ['get'] })), 'get on pods, deployments, pods.apps, deployments.apps');
    assert.equal(ruleText(rule({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] })), '* on *.*');
    assert.equal(ruleText(rule({ apiGroups: [''], resources: ['secrets'], resourceNames: ['tls'], verbs: ['get'] })), 'get on secrets named tls');
    assert.equal(ruleText(rule({ nonResourceURLs: ['/healthz'], verbs: ['get'] })), 'get on /healthz');
  });

  test('parseResource resolves groups like kubectl', () => {
    assert.deepEqual(parseResource('deployments'), { resource: 'deployments', group: 'apps', guessed: false });
    assert.deepEqual(parseResource('deployments.apps/scale'), { resource: 'deployments', group: 'apps', subresource: 'scale', guessed: false });
    assert.deepEqual(parseResource('pods/exec'), { resource: 'pods', group: '', subresource: 'exec', guessed: false });
    assert.deepEqual(parseResource('widgets.example.com'), { resource: 'widgets', group: 'example.com', guessed: false });
    assert.deepEqual(parseResource('widgets'), { resource: 'widgets', group: '', guessed: true });
    assert.deepEqual(parseResource('*'), { resource: '*', group: '*', guessed: false });
    assert.deepEqual(parseResource('leases', 'coordination.k8s.io'), { resource: 'leases', group: 'coordination.k8s.io', guessed: false });
  });
});

describe('aggregated ClusterRoles', () => {
  const g = fixture('aggregation.yaml');

  test('rules are the union of the selected roles, not the stored ones', () => {
    const monitoring = g.role('ClusterRole', 'monitoring')!;
    assert.ok(monitoring.aggregated);
    assert.deepEqual(monitoring.aggregatedFrom.map((r) => r.name).sort(), ['monitoring-pods', 'nested-metrics']);
    assert.ok(!monitoring.rules.some((r) => r.rule.resources.includes('secrets')), 'the stale stored rule is ignored');
    assert.equal(g.can(sa('obs', 'agent'), 'get', 'secrets', { namespace: 'obs' }).allowed, false);
    const pods = g.can(sa('obs', 'agent'), 'list', 'pods', { namespace: 'obs' });
    assert.equal(pods.allowed, true);
    assert.equal(pods.grants[0].rule.role.name, 'monitoring-pods', 'the grant names the role the rule came from');
  });

  test('aggregation is transitive: a rule labelled for edit reaches admin', () => {
    const olga = user('olga');
    assert.ok(g.can(olga, 'create', 'widgets.example.com', { namespace: 'obs' }).allowed);
    assert.ok(g.can(olga, 'create', 'rolebindings', { namespace: 'obs' }).allowed, 'from system:aggregate-to-admin');
    assert.ok(g.can(olga, 'list', 'secrets', { namespace: 'obs' }).allowed, 'from system:aggregate-to-edit');
    assert.ok(g.can(olga, 'get', 'pods/log', { namespace: 'obs' }).allowed, 'from system:aggregate-to-view through view → edit');
    assert.ok(!g.can(olga, 'list', 'secrets', { namespace: 'other' }).allowed, 'only in the RoleBinding namespace');
    assert.ok(!g.can(olga, 'create', 'widgets.example.com').allowed, 'not cluster-wide');
  });

  test('aggregates that select each other terminate with the union of their leaves', () => {
    assert.deepEqual(g.role('ClusterRole', 'cycle-a')!.aggregatedFrom.map((r) => r.name), ['cycle-leaf']);
    assert.ok(g.can(user('cyril'), 'get', 'configmaps').allowed);
  });

  test('an empty selector selects every ClusterRole, cluster-admin included', () => {
    assert.ok(g.can(user('eve'), 'delete', 'nodes').allowed);
    assert.ok(g.can(user('eve'), 'get', '/metrics').allowed);
  });
});

describe('matching through bindings', () => {
  const g = fixture('matching.yaml');
  const mia = user('mia');

  test('subresources and wildcards', () => {
    assert.ok(g.can(mia, 'update', 'deployments.apps/scale').allowed);
    assert.ok(g.can(mia, 'update', 'statefulsets/scale').allowed);
    assert.ok(!g.can(mia, 'update', 'statefulsets').allowed);
    assert.ok(g.can(mia, 'delete', 'deployments').allowed, 'verbs * on one resource');
    assert.ok(!g.can(mia, 'create', 'pods/exec').allowed, 'pods/* is literal');
    assert.ok(g.can(mia, 'list', 'cronjobs.batch').allowed);
    assert.ok(!g.can(mia, 'get', 'cronjobs.batch').allowed);
  });

  test('resourceNames', () => {
    assert.ok(g.can(mia, 'get', 'configmaps', { name: 'app-config', namespace: 'x' }).allowed);
    assert.ok(!g.can(mia, 'get', 'configmaps', { name: 'other', namespace: 'x' }).allowed);
    assert.ok(!g.can(mia, 'create', 'configmaps', { namespace: 'x' }).allowed);
  });

  test('URLs through a ClusterRoleBinding only', () => {
    assert.ok(g.can(mia, 'get', '/metrics').allowed);
    assert.ok(g.can(mia, 'get', '/logs/x').allowed);
    assert.ok(!g.can(user('rob'), 'get', '/metrics').allowed, 'a RoleBinding never grants URLs');
  });

  test('a RoleBinding to a ClusterRole is scoped to its namespace', () => {
    const rob = user('rob');
    assert.ok(g.can(rob, 'list', 'jobs', { namespace: 'shop' }).allowed);
    assert.ok(!g.can(rob, 'list', 'jobs', { namespace: 'other' }).allowed);
    assert.ok(!g.can(rob, 'list', 'jobs').allowed, 'not a cluster-wide list');
  });
});

describe('scoping, implicit groups and missing roles', () => {
  const g = fixture('scoping.yaml');

  test('an unqualified service account subject means the RoleBinding namespace', () => {
    assert.ok(g.can(sa('shop', 'worker'), 'get', 'pods', { namespace: 'shop' }).allowed);
    assert.ok(!g.can(sa('other', 'worker'), 'get', 'pods', { namespace: 'shop' }).allowed);
    assert.ok(g.can(parseSubject('system:serviceaccount:other:tool'), 'get', 'pods', { namespace: 'shop' }).allowed, 'User form of a service account');
  });

  test('RoleBindings grant no cluster-scoped resources, except their own Namespace object', () => {
    const worker = sa('shop', 'worker');
    assert.ok(!g.can(worker, 'get', 'nodes', { namespace: 'shop' }).allowed);
    assert.ok(g.can(worker, 'delete', 'namespaces', { name: 'shop' }).allowed, 'a RoleBinding may delete its own namespace');
    assert.ok(g.can(worker, 'get', 'namespaces', { namespace: 'shop' }).allowed, '-n shop asks about Namespace shop');
    assert.ok(!g.can(worker, 'get', 'namespaces', { name: 'kube-system' }).allowed);
    assert.ok(!g.can(worker, 'list', 'namespaces').allowed);
    assert.ok(!g.can(worker, 'get', '/metrics').allowed);
    assert.deepEqual(g.whoCan('get', 'nodes'), []);
  });

  test('implicit groups', () => {
    assert.ok(g.can(sa('shop', 'anyone'), 'create', 'services', { namespace: 'shop' }).allowed, 'system:serviceaccounts:shop');
    assert.ok(!g.can(sa('web', 'anyone'), 'create', 'services', { namespace: 'shop' }).allowed);
    assert.ok(!g.can(user('alice'), 'create', 'services', { namespace: 'shop' }).allowed);
    assert.ok(g.can(user('alice'), 'get', 'pods/log').allowed, 'system:authenticated');
    assert.ok(g.can(sa('x', 'y'), 'get', 'pods/log').allowed, 'service accounts are authenticated');
    assert.ok(!g.can(user('system:anonymous'), 'get', 'pods/log').allowed, 'anonymous is not');
    assert.ok(!g.can(group('devs'), 'get', 'pods/log').allowed, 'a group alone has only its own grants');
    assert.ok(g.can(user('system:anonymous'), 'get', '/healthz').allowed, 'system:unauthenticated');
    assert.ok(!g.can(user('alice'), 'get', '/healthz').allowed);
    assert.ok(g.can(user('alice'), 'get', 'pods/log', { groups: ['system:unauthenticated'] }).allowed);
  });

  test('who-can in a namespace and in any scope', () => {
    const inShop = g.whoCan('get', 'pods', 'shop').map((e) => e.subject.key);
    assert.deepEqual(inShop, ['sa:other/tool', 'sa:shop/worker']);
    assert.deepEqual(g.whoCan('get', 'pods', 'elsewhere'), []);
    const anywhere = g.whoCan('delete', 'namespaces');
    assert.deepEqual(anywhere.map((e) => [e.subject.key, e.scope]), [['sa:other/tool', 'shop'], ['sa:shop/worker', 'shop']]);
    const logs = g.whoCan('get', 'pods/log');
    assert.deepEqual(logs.map((e) => [e.subject.key, e.scope ?? 'cluster']), [['group:system:authenticated', 'cluster']]);
  });

  test('missing and broken role references are problems, not crashes', () => {
    assert.deepEqual(g.problems.map((p) => p.binding.name).sort(), ['broken-ref', 'dangling', 'dangling-cluster', 'no-subjects-no-ref']);
    assert.match(g.problems.find((p) => p.binding.name === 'dangling')!.message, /references Role shop\/gone, which does not exist/);
    assert.match(g.problems.find((p) => p.binding.name === 'broken-ref')!.message, /invalid roleRef \(kind `Role`\)/);
    assert.ok(!g.can(user('dan'), 'get', 'services', { namespace: 'shop' }).allowed);
    assert.equal(g.bindings.length, 8);
  });
});

describe('built-in roles fill in for manifests', () => {
  test('cluster-admin, view and discovery roles resolve without being defined', () => {
    const load = loadText(`apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: v, namespace: ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: vic, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: ada, apiGroup: rbac.authorization.k8s.io}]`);
    const g = rbacGraph(load.inventory);
    assert.equal(g.problems.length, 0);
    assert.ok(g.can(user('vic'), 'list', 'pods', { namespace: 'ns' }).allowed);
    assert.ok(!g.can(user('vic'), 'get', 'secrets', { namespace: 'ns' }).allowed, 'view excludes Secrets');
    assert.ok(!g.can(user('vic'), 'create', 'pods/exec', { namespace: 'ns' }).allowed);
    assert.ok(g.can(user('ada'), 'escalate', 'clusterroles').allowed);
    assert.ok(g.can(user('ada'), 'post', '/anything').allowed);
  });

  test('a role in the inventory wins over the built-in of the same name', () => {
    const load = loadText(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
rules: [{apiGroups: [""], resources: ["secrets"], verbs: ["get"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: v, namespace: ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: vic, apiGroup: rbac.authorization.k8s.io}]`);
    const g = rbacGraph(load.inventory);
    assert.ok(g.can(user('vic'), 'get', 'secrets', { namespace: 'ns' }).allowed);
    assert.ok(!g.can(user('vic'), 'list', 'pods', { namespace: 'ns' }).allowed);
  });

  test('the graph is built once per inventory', () => {
    const load = loadText('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    assert.equal(rbacGraph(load.inventory), rbacGraph(load.inventory));
  });
});
