import { defineRule } from '../../core/rule.js';
import type { KubeObject } from '../../inventory/objects.js';
import { rbacGraph } from '../../inventory/rbac.js';
import { NSA_RBAC, RBAC_DOCS } from './common.js';

export default defineRule({
  meta: {
    id: 'KM-RB-021',
    title: 'Binding references a role that does not exist',
    severity: 'low',
    door: 'rbac',
    description:
      'A binding whose role does not exist grants nothing today, and everything tomorrow: whoever later creates a role of that name ' +
      '(a chart upgrade, an operator, someone allowed to create roles) silently hands its permissions to the binding\'s subjects. ' +
      'It is usually left over from an uninstall, or a typo that hides a missing permission. In a scan of manifests the role may live ' +
      'in files that were not scanned, so there it is informational; on a live cluster it is reported as low. The roles every API ' +
      'server creates (the bootstrap policy: `extension-apiserver-authentication-reader` and the leader-locking Roles in kube-system, ' +
      'the `system:` ClusterRoles) exist without being in the input and are never missing; in manifests a missing `system:` or ' +
      '`kubeadm:` role is assumed to be one of them.',
    remediation: 'Delete the binding if it is left over, or fix `roleRef` to name the intended role (roleRef cannot be changed: recreate the binding).',
    references: [RBAC_DOCS.rbac],
    frameworks: { nsa: [NSA_RBAC] },
    messages: {
      missing: '{{problem}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: old-operator, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: operator-role}
subjects:
  - {kind: ServiceAccount, name: operator}`,
    ],
    pass: [
      // built-in ClusterRoles and kube-system Roles exist in every cluster (a missing system: one is assumed built in); a Role defined alongside resolves
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:controller:ttl-controller"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:controller:ttl-controller"}
subjects:
  - {kind: ServiceAccount, name: ttl-controller, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: metrics-server-auth-reader, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects:
  - {kind: ServiceAccount, name: metrics-server, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "kubeadm:kubelet-config", namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "kubeadm:kubelet-config"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:nodes"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: operator-role, namespace: ops}
rules:
  - {apiGroups: [""], resources: ["configmaps"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: operator, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: operator-role}
subjects:
  - {kind: ServiceAccount, name: operator}`,
    ],
  },
  create(context) {
    const visit = (o: KubeObject): void => {
      const graph = rbacGraph(context.inventory);
      const b = graph.bindingOf(o);
      if (b === undefined || b.role !== undefined) return;
      const problem = graph.problems.find((p) => p.binding === b);
      if (problem === undefined) return;
      // manifests cannot show the API server's own roles: a missing `system:` or kubeadm ClusterRole, or Role in
      // kube-system or kube-public (where the bootstrap policy and kubeadm put theirs), is most likely built in
      const systemPlace = b.roleRef.kind === 'ClusterRole' || b.namespace === 'kube-system' || b.namespace === 'kube-public';
      const builtinName = systemPlace && (b.roleRef.name.startsWith('system:') || b.roleRef.name.startsWith('kubeadm:'));
      if (builtinName && o.origin.type !== 'cluster') return;
      context.report({ node: o, messageId: 'missing', data: { problem: problem.message }, at: ['roleRef', 'name'], severity: o.origin.type === 'cluster' ? 'low' : 'info' });
    };
    return { kinds: { RoleBinding: visit, ClusterRoleBinding: visit } };
  },
});
