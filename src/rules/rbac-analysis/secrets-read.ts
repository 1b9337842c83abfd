import { groupMatches, resourceMatches } from '../../inventory/rbac.js';
import { allowedVerbs, bySeverity, defineCapability, GRANT_MESSAGES, MITRE, namesText, NSA_RBAC, RBAC_DOCS, strongestRule } from './common.js';

const READ = ['get', 'list', 'watch'];

export default defineCapability({
  meta: {
    id: 'KM-RB-011',
    title: 'Reads Secrets',
    severity: 'critical',
    door: 'rbac',
    description:
      'Secrets hold database passwords, cloud keys, TLS keys and, in older clusters, service-account tokens. `list` and `watch` return ' +
      'every value, not just the names, so they are as strong as `get` on each Secret. Cluster-wide, this reads the credentials of every ' +
      'controller and operator: equivalent to cluster-admin. In a namespace it takes over every identity the namespace keeps there. A rule ' +
      'limited by `resourceNames` reads only those Secrets and is reported at a lower severity.',
    remediation:
      'Drop `get`, `list` and `watch` on `secrets` from the role. A workload that needs one Secret should mount it (or use `resourceNames` ' +
      'for that one name); controllers that must read Secrets belong in their own namespace, bound with a RoleBinding, not a ClusterRoleBinding.',
    references: [RBAC_DOCS.goodPractices, 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/'],
    frameworks: { cis: ['5.1.2'], nsa: [NSA_RBAC], mitre: [MITRE.containerApi] },
    messages: GRANT_MESSAGES,
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubemoat-lab-anonymous-reader}
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list", "watch"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kubemoat-lab-anonymous-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubemoat-lab-anonymous-reader}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:anonymous"}`,
      // resources * with read verbs reads Secrets too; a RoleBinding to the built-in edit role does
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: read-everything}
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["list"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-everything, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: read-everything}
subjects:
  - {kind: ServiceAccount, name: backup}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs-edit, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: shop-devs}`,
    ],
    pass: [
      // secrets in another API group, only create, or the built-in view role (which excludes Secrets)
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: sealed}
rules:
  - {apiGroups: ["bitnami.com"], resources: ["sealedsecrets"], verbs: ["get", "list"]}
  - {apiGroups: [""], resources: ["secrets"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: sealed}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sealed}
subjects:
  - {kind: ServiceAccount, name: sealed-secrets, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: shop-viewers}`,
      // the built-in system:node role bound by the bootstrap policy
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: "system:node"
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:node"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:nodes"}`,
    ],
  },
  judge: (rules, scope) =>
    strongestRule(rules, (r) => {
      const verbs = allowedVerbs(r, READ);
      if (!groupMatches(r, '') || !resourceMatches(r, 'secrets') || verbs.length === 0) return undefined;
      const named = r.resourceNames.length > 0;
      // list and watch return every value: they outrank get at the same severity
      return { what: `${verbs.join('/')} Secrets${namesText(r)}`, severity: named ? bySeverity(scope, 'medium', 'low') : bySeverity(scope, 'critical', 'high'), rank: allowedVerbs(r, ['list', 'watch']).length > 0 ? 1 : 0 };
    }),
});
