import { defineDetection } from '../rule.js';
import { ADMIN, APISERVER, DEV, auditEvent } from './examples.js';
import type { JsonObject } from '../../core/json.js';
import { rbacWrite, roleRefOf, subjectsOf } from './rbac-body.js';

function bind(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, role: string, subjects: JsonObject[], user = ADMIN, namespace?: string): JsonObject {
  const resource = kind === 'ClusterRoleBinding' ? 'clusterrolebindings' : 'rolebindings';
  const body: JsonObject = { kind, apiVersion: 'rbac.authorization.k8s.io/v1', metadata: namespace ? { name, namespace } : { name }, subjects, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role } };
  return auditEvent({
    verb: 'create', level: 'RequestResponse', code: 201, user, resource, apiGroup: 'rbac.authorization.k8s.io', name, namespace,
    uri: `/apis/rbac.authorization.k8s.io/v1/${namespace ? `namespaces/${namespace}/` : ''}${resource}?fieldManager=kubectl-create&fieldValidation=Strict`,
    requestObject: body, responseObject: body,
  });
}
export { bind as bindingEvent };

export default defineDetection({
  meta: {
    id: 'KM-DT-011',
    title: 'Binding to cluster-admin',
    severity: 'critical',
    description: 'A ClusterRoleBinding (or RoleBinding) to cluster-admin was created or changed. Whoever is in its subjects can do anything in the cluster (or the namespace); binding an account to cluster-admin is the classic way attackers make their access permanent.',
    response: 'Check that the binding is an approved change. If not, delete it, then find and revoke what the subjects did with it (see any KM-DT-031 chain alert). Prefer narrow roles; keep cluster-admin for break-glass use.',
    mitre: ['T1098.006'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles'],
    falco: ['Attach to cluster-admin Role'],
  },
  on: ['clusterrolebindings', 'rolebindings'],
  exemptControlPlane: true,
  create: () => (e) => {
    const body = rbacWrite(e);
    const ref = body ? roleRefOf(body) : undefined;
    if (!body || !ref || ref.name !== 'cluster-admin' || ref.kind !== 'ClusterRole') return undefined;
    const subjects = subjectsOf(body);
    const cluster = e.objectRef?.resource === 'clusterrolebindings';
    return {
      message: `${e.user.username} bound cluster-admin to ${subjects.join(', ') || 'no subject'} (${cluster ? 'ClusterRoleBinding' : `RoleBinding in ${e.objectRef?.namespace}`} ${e.objectRef?.name || '?'})`,
      severity: cluster ? 'critical' : 'high',
      details: { binding: e.objectRef?.name ?? '', subjects: subjects.join(',') },
    };
  },
  examples: {
    trigger: [
      bind('ClusterRoleBinding', 'ci-deployer-admin', 'cluster-admin', [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'lab-apps' }]),
      bind('RoleBinding', 'helpdesk', 'cluster-admin', [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }], DEV, 'shop'),
    ],
    ignore: [
      bind('ClusterRoleBinding', 'cluster-admin', 'cluster-admin', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }], APISERVER),
      bind('RoleBinding', 'viewers', 'view', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'developers' }], ADMIN, 'shop'),
    ],
  },
});
