import { defineRule } from '../../core/rule.js';
import { groupMatches, resourceMatches, type PolicyRule } from '../../inventory/rbac.js';
import { allowedVerbs, bestMatch, bindingVisitors, isClusterAdminBinding, MITRE, NSA_RBAC, RBAC_DOCS, reportSubjects } from './common.js';

function writesVolumes(r: PolicyRule): string[] | undefined {
  if (!groupMatches(r, '') || !resourceMatches(r, 'persistentvolumes')) return undefined;
  // create cannot be limited by name; update/patch of named volumes can repoint those only
  const verbs = allowedVerbs(r, ['create', 'update', 'patch']).filter((v) => v !== 'create' || r.resourceNames.length === 0);
  return verbs.length > 0 ? verbs : undefined;
}

export default defineRule({
  meta: {
    id: 'KM-RB-019',
    title: 'Creates PersistentVolumes',
    severity: 'high',
    door: 'rbac',
    description:
      'A PersistentVolume can be of type `hostPath`: whoever creates one (and a claim bound to it) mounts any directory of the node, ' +
      '`/` or `/etc/kubernetes` included, into a pod, even where Pod Security admission forbids hostPath volumes in pods, because the ' +
      'pod only names a claim. Changing an existing volume repoints the data of the workloads that use it. PersistentVolumes are ' +
      'cluster-scoped: only ClusterRoleBindings grant this.',
    remediation:
      'Provision volumes through StorageClasses and let the provisioner (with its own narrowly bound role) create PersistentVolumes; ' +
      'give people and workloads `persistentvolumeclaims` instead.',
    references: [RBAC_DOCS.persistentVolumes, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.9'], nsa: [NSA_RBAC], mitre: [MITRE.escapeToHost] },
    messages: {
      pv: '{{subject}} can {{verbs}} PersistentVolumes through {{resource}} → {{role}}: a hostPath volume mounts the node\'s filesystem into a pod',
    },
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
    ],
  },
  create(context) {
    return bindingVisitors(context, (v) => {
      if (v.scope !== undefined || isClusterAdminBinding(v)) return;
      const hit = bestMatch(v.role, writesVolumes, (verbs) => (verbs.includes('create') ? 1 : 0));
      if (hit === undefined) return;
      reportSubjects(context, v, { messageId: 'pv', data: { verbs: hit.value.join('/') }, severity: hit.value.includes('create') ? 'high' : 'medium', ref: hit.ref });
    });
  },
});
