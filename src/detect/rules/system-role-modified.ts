import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, APISERVER, DEV, auditEvent, controllerSA } from './examples.js';
import { roleEvent } from './role-events.js';

// create too: a user making a new `system:` object dresses it up as part of the bootstrap policy
const CHANGE = new Set(['create', 'update', 'patch', 'delete']);

export default defineDetection({
  meta: {
    id: 'KM-DT-015',
    title: 'System ClusterRole or binding created or changed',
    severity: 'high',
    description: 'A `system:` ClusterRole or ClusterRoleBinding was created, changed or deleted by someone other than the control plane. These define what the kubelets, controllers and anonymous users may do; widening one (or the `system:` bindings) grants rights quietly to every node or every user.',
    response: 'Check the change; the API server restores the defaults at restart unless `rbac.authorization.kubernetes.io/autoupdate: "false"` was set. Revert it and find who had the right to make it.',
    mitre: ['T1098', 'T1098.006'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#auto-reconciliation'],
    falco: ['System ClusterRole Modified/Deleted'],
  },
  on: ['clusterroles', 'clusterrolebindings'],
  exemptControlPlane: true,
  create: () => (e) => {
    const name = e.objectRef?.name ?? '';
    if (!name.startsWith('system:') || !CHANGE.has(e.verb) || !succeeded(e)) return undefined;
    const kind = e.objectRef?.resource === 'clusterroles' ? 'ClusterRole' : 'ClusterRoleBinding';
    return { message: `${e.user.username} ${e.verb === 'delete' ? 'deleted' : e.verb === 'create' ? 'created' : 'changed'} ${kind} ${name}` };
  },
  examples: {
    trigger: [
      roleEvent('ClusterRole', 'system:node', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }], DEV, undefined, 'patch'),
      auditEvent({ verb: 'delete', uri: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:public-info-viewer', user: ADMIN, resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io', name: 'system:public-info-viewer' }),
      roleEvent('ClusterRole', 'system:metrics-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }], DEV),
    ],
    ignore: [
      roleEvent('ClusterRole', 'system:aggregate-to-edit', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], controllerSA('clusterrole-aggregation-controller'), undefined, 'patch'),
      roleEvent('ClusterRole', 'system:discovery', [{ nonResourceURLs: ['/api'], verbs: ['get'] }], APISERVER, undefined, 'update'),
      roleEvent('ClusterRole', 'shop-admin', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], DEV, undefined, 'patch'),
    ],
  },
});
