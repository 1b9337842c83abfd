import { defineDetection } from '../rule.js';
import { severityRank, type Severity } from '../../core/finding.js';
import { asArray, asString, isObject, type JsonObject } from '../../core/json.js';
import { ADMIN, APISERVER, DEV } from './examples.js';
import { bindingEvent } from './cluster-admin-binding.js';
import { rbacWrite, roleRefOf } from './rbac-body.js';

/** Groups (and the anonymous user) that stand for everyone, or every account: a grant to them is a grant to all. */
export const EVERYONE: ReadonlyMap<string, { who: string; severity: Severity }> = new Map([
  ['system:anonymous', { who: 'anyone who can reach the API server, without credentials', severity: 'critical' }],
  ['system:unauthenticated', { who: 'anyone who can reach the API server, without credentials', severity: 'critical' }],
  ['system:authenticated', { who: 'every authenticated user and service account', severity: 'high' }],
  ['system:serviceaccounts', { who: 'every service account of every pod', severity: 'high' }],
]);

/** What the defaults grant to everyone already (bootstrap policy): binding them again gives nothing new. */
const PUBLIC_ROLES = new Set(['system:public-info-viewer', 'system:discovery', 'system:basic-user', 'system:service-account-issuer-discovery']);

/** Roles of the control plane: their holder can do what that component does (secrets, tokens, every pod). */
export function controlPlaneRole(name: string): boolean {
  return name === 'system:kube-controller-manager' || name === 'system:kube-scheduler' || name === 'system:node' || name.startsWith('system:controller:');
}

interface Subject {
  kind: string;
  name: string;
  namespace: string;
}

function subjects(body: JsonObject): Subject[] {
  return asArray(body.subjects).filter(isObject).map((s) => ({ kind: asString(s.kind) ?? '?', name: asString(s.name) ?? '?', namespace: asString(s.namespace) ?? '' }));
}

export default defineDetection({
  meta: {
    id: 'KM-DT-027',
    title: 'Powerful role or a built-in group bound',
    severity: 'high',
    description: 'A binding was written that grants much more than it looks: `admin` or `edit` cluster-wide (or in kube-system), a control-plane role (`system:kube-controller-manager`, `system:node`, `system:controller:*`), any role to everyone (`system:anonymous`, `system:unauthenticated`, `system:authenticated`, `system:serviceaccounts`), or a grant to the group of every node or to `system:masters` (whose members bypass RBAC already: naming it dresses a binding up as part of the cluster). Bindings to cluster-admin are KM-DT-011.',
    response: 'Check that the binding is an approved change; if not, delete it, and review what its subjects did since (KM-DT-031 raises when it is used soon after). Grant narrow roles per namespace; never grant to the built-in groups.',
    mitre: ['T1098.006', 'T1078'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles', 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/'],
  },
  on: ['clusterrolebindings', 'rolebindings'],
  exemptControlPlane: true,
  create: () => (e) => {
    const body = rbacWrite(e);
    const ref = body ? roleRefOf(body) : undefined;
    if (!body || !ref) return undefined;
    const cluster = e.objectRef?.resource === 'clusterrolebindings';
    const namespace = e.objectRef?.namespace ?? '';
    const subs = subjects(body);
    const reasons: { text: string; severity: Severity }[] = [];
    const isClusterRole = ref.kind === 'ClusterRole';
    for (const s of subs) {
      const everyone = (s.kind === 'Group' || s.kind === 'User') ? EVERYONE.get(s.name) : undefined;
      if (everyone && !PUBLIC_ROLES.has(ref.name)) reasons.push({ text: `${ref.kind} ${ref.name} granted to ${s.name} (${everyone.who})`, severity: everyone.severity });
      if (s.kind === 'Group' && s.name === 'system:nodes' && !ref.name.startsWith('system:')) reasons.push({ text: `granted to every node (group system:nodes): one stolen kubelet credential holds it`, severity: 'high' });
      // the default binding of cluster-admin names system:masters; other cluster-admin bindings are KM-DT-011's
      if (s.kind === 'Group' && s.name === 'system:masters' && ref.name !== 'cluster-admin') reasons.push({ text: 'names group system:masters, whose members bypass RBAC already', severity: 'medium' });
    }
    if (isClusterRole && (ref.name === 'admin' || ref.name === 'edit') && (cluster || namespace === 'kube-system')) {
      reasons.push({ text: `${ref.name} ${cluster ? 'in every namespace (secrets, workloads and their service accounts included)' : 'in kube-system (the control plane\'s own accounts and secrets)'}`, severity: 'high' });
    }
    if (isClusterRole && controlPlaneRole(ref.name)) reasons.push({ text: `the control-plane role ${ref.name}`, severity: ref.name === 'system:node' ? 'high' : 'critical' });
    if (reasons.length === 0) return undefined;
    const severity = reasons.reduce<Severity>((worst, r) => (severityRank(r.severity) > severityRank(worst) ? r.severity : worst), 'info');
    const label = cluster ? `ClusterRoleBinding ${e.objectRef?.name || '?'}` : `RoleBinding ${namespace}/${e.objectRef?.name || '?'}`;
    const shown = subs.map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`).join(', ') || 'no subject';
    return {
      message: `${e.user.username} wrote ${label} binding ${ref.kind} ${ref.name} to ${shown}: ${reasons.map((r) => r.text).join('; ')}`,
      severity,
      details: { binding: e.objectRef?.name ?? '', role: `${ref.kind} ${ref.name}`, subjects: shown },
    };
  },
  examples: {
    trigger: [
      bindingEvent('ClusterRoleBinding', 'ci-edit', 'edit', [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'lab-apps' }], DEV),
      bindingEvent('ClusterRoleBinding', 'everyone-reads', 'view', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' }]),
      bindingEvent('ClusterRoleBinding', 'kcm-helper', 'system:kube-controller-manager', [{ kind: 'ServiceAccount', name: 'helper', namespace: 'kube-system' }], DEV),
      bindingEvent('RoleBinding', 'anon-admin', 'admin', [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'system:anonymous' }], DEV, 'shop'),
      bindingEvent('RoleBinding', 'ops', 'admin', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }], ADMIN, 'kube-system'),
      bindingEvent('ClusterRoleBinding', 'system:masters-view', 'view', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }, { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'mallory' }], DEV),
      // cluster-admin is KM-DT-011, but a grant to everyone is this rule's too
      bindingEvent('ClusterRoleBinding', 'open', 'cluster-admin', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:unauthenticated' }], DEV),
    ],
    ignore: [
      // admin in one application namespace: ordinary delegation
      bindingEvent('RoleBinding', 'shop-admins', 'admin', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'shop-team' }], ADMIN, 'shop'),
      bindingEvent('ClusterRoleBinding', 'viewers', 'view', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'developers' }]),
      // the defaults: discovery for everyone, cluster-admin for system:masters (KM-DT-011 judges cluster-admin bindings)
      bindingEvent('ClusterRoleBinding', 'system:discovery', 'system:discovery', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' }], DEV),
      bindingEvent('ClusterRoleBinding', 'admins', 'cluster-admin', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }], DEV),
      // the API server reconciling its bootstrap bindings
      bindingEvent('ClusterRoleBinding', 'system:kube-controller-manager', 'system:kube-controller-manager', [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'system:kube-controller-manager' }], APISERVER),
    ],
  },
});
