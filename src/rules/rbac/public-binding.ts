import type { Severity } from '../../core/finding.js';
import { defineRule } from '../../core/rule.js';
import { asArray, asObject, asString } from '../../core/json.js';
import type { Inventory } from '../../inventory/inventory.js';
import type { KubeObject } from '../../inventory/objects.js';
import { describeSubject, roleRefOf, subjectRefsOf, subjectsOf, type RoleRef, type Subject } from './subjects.js';

const MITRE_VALID_ACCOUNTS = 'T1078';
const MITRE_DEFAULT_ACCOUNTS = 'T1078.001';
const NSA_RBAC = 'NSA-CISA Authentication and authorization: role-based access control';
const DOCS_RBAC_DISCOVERY = 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles';
const DOCS_ANONYMOUS = 'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests';
const DOCS_RBAC_GOOD_PRACTICES = 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/';

/** Who a subject stands for when it is one of the built-in catch-all identities. */
const EVERYONE: Record<string, { who: string; severity: Severity }> = {
  'system:anonymous': { who: 'anyone, without credentials', severity: 'critical' },
  'system:unauthenticated': { who: 'anyone, without credentials', severity: 'critical' },
  'system:authenticated': { who: 'every authenticated user and service account', severity: 'high' },
  'system:serviceaccounts': { who: 'every service account in every namespace', severity: 'high' },
};

/**
 * The discovery roles Kubernetes binds to everyone by default (bootstrap policy): they allow reading
 * version, health and API discovery, and the OIDC issuer documents. `system:discovery` and
 * `system:basic-user` were bound to unauthenticated users before 1.14 and no longer are.
 */
const PUBLIC_ROLES = new Set(['system:public-info-viewer', 'system:service-account-issuer-discovery']);
const AUTHENTICATED_ROLES = new Set(['system:discovery', 'system:basic-user']);

/** A built-in ClusterRole is exempt only while the input does not redefine it (without the bootstrap label). */
function redefinedRoles(inventory: Inventory): Set<string> {
  const names = new Set<string>();
  for (const r of inventory.ofKind('ClusterRole')) if (r.labels['kubernetes.io/bootstrapping'] !== 'rbac-defaults') names.add(r.name);
  return names;
}

/**
 * A binding the API server creates itself (bootstrap policy; new ones arrive with new releases, e.g.
 * system:cluster-trust-bundle-discovery for all service accounts): labelled rbac-defaults, named
 * `system:…`, and granting a built-in `system:…` ClusterRole that the input does not redefine.
 */
function isBootstrapBinding(o: KubeObject, roleName: string): boolean {
  return o.labels['kubernetes.io/bootstrapping'] === 'rbac-defaults' && o.name.startsWith('system:') && roleName.startsWith('system:');
}

/** kubeadm lets anonymous clients read the `cluster-info` ConfigMap in kube-public, for node bootstrap. */
const KUBEADM_CLUSTER_INFO = 'kubeadm:bootstrap-signer-clusterinfo';

function isKubeadmClusterInfo(inventory: Inventory, binding: KubeObject, role: RoleRef): boolean {
  if (binding.kind !== 'RoleBinding' || binding.namespace !== 'kube-public' || role.kind !== 'Role' || role.name !== KUBEADM_CLUSTER_INFO) return false;
  const defined = inventory.inNamespace('Role', 'kube-public').filter((r) => r.name === KUBEADM_CLUSTER_INFO);
  // if the Role is in the input, it must still only read cluster-info
  return defined.every((r) =>
    asArray(r.raw.rules).every((item) => {
      const rule = asObject(item);
      const list = (k: string): string[] => asArray(rule?.[k]).map((x) => asString(x) ?? '');
      return list('resources').every((x) => x === 'configmaps') && list('resourceNames').length > 0 && list('resourceNames').every((x) => x === 'cluster-info') && list('verbs').every((v) => v === 'get');
    }),
  );
}

const RANK: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export default defineRule({
  meta: {
    id: 'KM-RB-002',
    title: 'Binding grants access to anonymous or all users',
    severity: 'critical',
    door: 'rbac',
    description:
      'A binding to `system:anonymous` or `system:unauthenticated` gives its role to anyone who can reach the API server, with no ' +
      'credentials at all; API servers are found on the internet by the hundred thousand. A binding to `system:authenticated` gives it ' +
      'to every identity the cluster accepts: every service account token in every pod, and on some managed clusters any account of the ' +
      'cloud provider. `system:serviceaccounts` gives it to every pod\'s token. The default bindings of the discovery roles ' +
      '(system:public-info-viewer, system:service-account-issuer-discovery, and system:discovery and system:basic-user for authenticated ' +
      'users) are not reported, nor kubeadm\'s anonymous read of the `cluster-info` ConfigMap; binding system:discovery or system:basic-user ' +
      'to unauthenticated users, the default before Kubernetes 1.14, is reported as low.',
    remediation:
      'Remove the anonymous, unauthenticated or all-users subject and bind the role to the specific users, groups or service accounts that need it. ' +
      'Keep `--anonymous-auth=false` on the API server where health checks allow, or restrict anonymous access to health endpoints with an AuthenticationConfiguration.',
    references: [DOCS_ANONYMOUS, DOCS_RBAC_DISCOVERY, DOCS_RBAC_GOOD_PRACTICES],
    frameworks: { cis: ['5.1.1'], nsa: [NSA_RBAC], mitre: [MITRE_VALID_ACCOUNTS, MITRE_DEFAULT_ACCOUNTS] },
    messages: {
      everyone: '{{resource}} grants {{role}} to {{subjects}}: {{who}}',
      discovery: '{{resource}} grants {{role}} to {{subjects}}: anonymous clients get it too (bound only to authenticated users since Kubernetes 1.14)',
    },
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: anonymous-readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-and-secret-reader}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:anonymous"}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: all-can-edit, namespace: shared}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: system:discovery}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:discovery"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}`,
    ],
    pass: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:cluster-trust-bundle-discovery
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:cluster-trust-bundle-discovery"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts"}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:public-info-viewer"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:public-info-viewer"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:basic-user"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:basic-user"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: oidc-reviewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:service-account-issuer-discovery"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "kubeadm:bootstrap-signer-clusterinfo", namespace: kube-public}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "kubeadm:bootstrap-signer-clusterinfo"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:anonymous"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-view, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:team-a"}
  - {kind: ServiceAccount, name: anonymous, namespace: team-a}`,
    ],
  },
  create(context) {
    let redefined: Set<string> | undefined;
    const check = (o: KubeObject): void => {
      const role = roleRefOf(o);
      if (role === undefined) return;
      if (isKubeadmClusterInfo(context.inventory, o, role)) return;
      redefined ??= redefinedRoles(context.inventory);
      const builtIn = role.kind === 'ClusterRole' && !redefined.has(role.name);
      if (builtIn && PUBLIC_ROLES.has(role.name)) return;
      if (builtIn && isBootstrapBinding(o, role.name)) return;
      const hits: { s: Subject; who: string; severity: Severity }[] = [];
      for (const s of subjectsOf(o)) {
        if (s.kind === 'ServiceAccount') continue; // a service account named `system:anonymous` is just a name
        const e = EVERYONE[s.name];
        if (e === undefined) continue;
        if (builtIn && AUTHENTICATED_ROLES.has(role.name)) {
          if (s.name === 'system:authenticated' || s.name === 'system:serviceaccounts') continue;
          hits.push({ s, who: e.who, severity: 'low' });
        } else {
          hits.push({ s, who: e.who, severity: e.severity });
        }
      }
      if (hits.length === 0) return;
      const top = hits.reduce((a, b) => (RANK.indexOf(b.severity) > RANK.indexOf(a.severity) ? b : a));
      const discovery = builtIn && AUTHENTICATED_ROLES.has(role.name);
      context.report({
        node: o,
        messageId: discovery ? 'discovery' : 'everyone',
        data: { role: `${role.kind} \`${role.name}\``, subjects: hits.map((h) => describeSubject(h.s)).join(', '), who: [...new Set(hits.map((h) => h.who))].join('; ') },
        at: ['subjects', top.s.index],
        severity: top.severity,
        subjects: subjectRefsOf(hits.map((h) => h.s)),
      });
    };
    return { kinds: { ClusterRoleBinding: check, RoleBinding: check } };
  },
});
