import { groupMatches, resourceMatches, verbMatches, type PolicyRule } from '../../inventory/rbac.js';
import { defineCapability, GRANT_MESSAGES, MITRE, NSA_RBAC, RBAC_DOCS, strongestRule, type RuleJudgement } from './common.js';

/**
 * Only `create` is a door: a PersistentVolume's source (hostPath, NFS, CSI…) is immutable after
 * creation, so update and patch cannot repoint one; create cannot be limited by name.
 */
function createsVolumes(r: PolicyRule): RuleJudgement | undefined {
  if (!groupMatches(r, '') || !resourceMatches(r, 'persistentvolumes') || !verbMatches(r, 'create') || r.resourceNames.length > 0) return undefined;
  return { what: "create PersistentVolumes (a hostPath volume mounts the node's filesystem into a pod)", severity: 'high' };
}

export default defineCapability({
  meta: {
    id: 'KM-RB-019',
    title: 'Creates PersistentVolumes',
    severity: 'high',
    door: 'rbac',
    description:
      'A PersistentVolume can be of type `hostPath`: whoever creates one (and a claim bound to it) mounts any directory of the node, ' +
      '`/` or `/etc/kubernetes` included, into a pod, even where Pod Security admission forbids hostPath volumes in pods, because the ' +
      'pod only names a claim. `update` and `patch` are not reported: a volume\'s source is immutable once created, so they cannot ' +
      'repoint it. PersistentVolumes are cluster-scoped: only ClusterRoleBindings grant this.',
    remediation:
      'Provision volumes through StorageClasses and let the provisioner (with its own narrowly bound role) create PersistentVolumes; ' +
      'give people and workloads `persistentvolumeclaims` instead.',
    references: [RBAC_DOCS.persistentVolumes, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.9'], nsa: [NSA_RBAC], mitre: [MITRE.escapeToHost] },
    messages: GRANT_MESSAGES,
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: storage-admin}
rules:
  - {apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "list", "create", "delete"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: storage-admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: storage-admin}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: storage-team}`,
    ],
    pass: [
      // claims are not volumes; reading volumes is fine
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: claims}
rules:
  - {apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["create", "delete", "get"]}
  - {apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "list", "watch"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: claims}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: claims}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs}`,
      // patching volumes (a provisioner resizing them, a controller moving claimRef) cannot change their source
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: volume-resizer}
rules:
  - {apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "list", "watch", "update", "patch", "delete"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: volume-resizer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: volume-resizer}
subjects:
  - {kind: ServiceAccount, name: resizer, namespace: kube-system}`,
    ],
  },
  clusterOnly: true,
  judge: (rules) => strongestRule(rules, createsVolumes),
});
