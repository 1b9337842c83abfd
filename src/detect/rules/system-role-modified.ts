import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { asString, dig } from '../../core/json.js';
import { ADMIN, APISERVER, DEV, auditEvent, controllerSA } from './examples.js';
import { roleEvent } from './role-events.js';

// create too: a user making a new `system:` object dresses it up as part of the bootstrap policy
const CHANGE = new Set(['create', 'update', 'patch', 'delete']);
/** where the bootstrap policy keeps namespaced `system:` roles */
const SYSTEM_ROLE_NAMESPACES = new Set(['kube-system', 'kube-public']);
const KIND: Record<string, string> = { clusterroles: 'ClusterRole', clusterrolebindings: 'ClusterRoleBinding', roles: 'Role', rolebindings: 'RoleBinding' };

export default defineDetection({
  meta: {
    id: 'KM-DT-015',
    title: 'System role or binding created or changed',
    severity: 'high',
    description: 'A `system:` ClusterRole or ClusterRoleBinding, or a `system:` Role or RoleBinding in kube-system or kube-public, was created, changed or deleted by someone other than the control plane. These define what the kubelets, controllers and anonymous users may do (the namespaced ones: leader election, bootstrap signing, the extension API servers\' configuration); widening one grants rights quietly to every node or every user, and a new one dressed in the `system:` prefix hides among them.',
    response: 'Check the change; the API server restores the defaults at restart unless `rbac.authorization.kubernetes.io/autoupdate: "false"` was set. Revert it and find who had the right to make it.',
    mitre: ['T1098', 'T1098.006'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#auto-reconciliation'],
    falco: ['System ClusterRole Modified/Deleted'],
  },
  on: ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'],
  exemptControlPlane: true,
  create: () => (e) => {
    const ref = e.objectRef;
    const name = ref?.name || asString(dig(e.requestObject, 'metadata', 'name')) || '';
    if (!name.startsWith('system:') || !CHANGE.has(e.verb) || !succeeded(e)) return undefined;
    const namespaced = ref?.resource === 'roles' || ref?.resource === 'rolebindings';
    if (namespaced && !SYSTEM_ROLE_NAMESPACES.has(ref?.namespace ?? '')) return undefined;
    const kind = KIND[ref?.resource ?? ''];
    return { message: `${e.user.username} ${e.verb === 'delete' ? 'deleted' : e.verb === 'create' ? 'created' : 'changed'} ${kind} ${namespaced ? `${ref?.namespace}/` : ''}${name}` };
  },
  examples: {
    trigger: [
      roleEvent('ClusterRole', 'system:node', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }], DEV, undefined, 'patch'),
      auditEvent({ verb: 'delete', uri: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:public-info-viewer', user: ADMIN, resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io', name: 'system:public-info-viewer' }),
      roleEvent('ClusterRole', 'system:metrics-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }], DEV),
      // a namespaced system: role in kube-system (among leader election's and the bootstrap signer's)
      roleEvent('Role', 'system:controller:token-helper', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }], DEV, 'kube-system'),
      roleEvent('Role', 'system::leader-locking-kube-scheduler', [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['*'] }], DEV, 'kube-system', 'update'),
    ],
    ignore: [
      roleEvent('ClusterRole', 'system:aggregate-to-edit', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], controllerSA('clusterrole-aggregation-controller'), undefined, 'patch'),
      roleEvent('ClusterRole', 'system:discovery', [{ nonResourceURLs: ['/api'], verbs: ['get'] }], APISERVER, undefined, 'update'),
      roleEvent('ClusterRole', 'shop-admin', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], DEV, undefined, 'patch'),
      // a role named system: in an application namespace is the team's own business
      roleEvent('Role', 'system:shop-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], DEV, 'shop'),
      roleEvent('Role', 'system:controller:bootstrap-signer', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'update'] }], APISERVER, 'kube-system', 'update'),
    ],
  },
});
