import { severityRank, type Severity } from '../../core/finding.js';
import { groupMatches, resourceMatches, verbMatches, type PolicyRule } from '../../inventory/rbac.js';
import { defineCapability, GRANT_MESSAGES, MITRE, namesText, NSA_RBAC, RBAC_DOCS, strongestRule, type RuleJudgement } from './common.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The strongest of escalate, bind and impersonate a rule allows, for a binding of this scope. */
function judge(r: PolicyRule, clusterWide: boolean): RuleJudgement | undefined {
  const named = r.resourceNames.length > 0;
  const names = namesText(r);
  const hits: RuleJudgement[] = [];
  if (groupMatches(r, RBAC_GROUP)) {
    // a RoleBinding cannot grant verbs on cluster-scoped ClusterRoles, except bind (checked in the binding's namespace)
    const kinds = ['roles', 'clusterroles'].filter((k) => resourceMatches(r, k) && (clusterWide || k === 'roles'));
    if (verbMatches(r, 'escalate') && kinds.length > 0) {
      hits.push({ what: `use \`escalate\` on ${kinds.join(' and ')}${names} (write roles with permissions it does not hold)`, severity: clusterWide && kinds.includes('clusterroles') ? 'critical' : 'high' });
    }
    const bindable = ['roles', 'clusterroles'].filter((k) => resourceMatches(r, k));
    if (verbMatches(r, 'bind') && bindable.length > 0) {
      // binding cluster-admin takes bind on clusterroles; bind on roles only reaches the Roles of a namespace
      const admin = bindable.includes('clusterroles') && (!named || r.resourceNames.includes('cluster-admin'));
      const whatRoles = admin ? 'any role, cluster-admin included,' : named ? 'those roles' : 'any Role of the namespace';
      hits.push({
        what: `use \`bind\` on ${bindable.join(' and ')}${names} (grant ${whatRoles} without holding ${admin ? 'its' : 'their'} permissions)`,
        severity: clusterWide ? (admin ? 'critical' : 'high') : admin ? 'high' : 'medium',
      });
    }
  }
  if (verbMatches(r, 'impersonate')) {
    const targets: string[] = [];
    let severity: Severity = 'medium';
    const masters = !named || r.resourceNames.includes('system:masters');
    if (clusterWide && groupMatches(r, '') && resourceMatches(r, 'users')) {
      targets.push('users');
      severity = named ? 'high' : 'critical';
    }
    if (clusterWide && groupMatches(r, '') && resourceMatches(r, 'groups')) {
      targets.push('groups');
      severity = masters ? 'critical' : severity === 'critical' ? 'critical' : 'high';
    }
    if (groupMatches(r, '') && resourceMatches(r, 'serviceaccounts')) {
      targets.push('service accounts');
      const s: Severity = clusterWide ? (named ? 'high' : 'critical') : 'medium';
      if (severityRank(s) > severityRank(severity)) severity = s;
    }
    if (clusterWide && groupMatches(r, 'authentication.k8s.io') && (resourceMatches(r, 'uids') || resourceMatches(r, 'userextras', 'scopes'))) {
      targets.push('user ids and extra attributes');
    }
    if (targets.length > 0) hits.push({ what: `impersonate ${targets.join(', ')}${names} (and act with all their permissions)`, severity });
  }
  if (hits.length === 0) return undefined;
  // every verb of the strongest kind, in one finding: "escalate on clusterroles …; bind on clusterroles …"
  const top = Math.max(...hits.map((h) => severityRank(h.severity)));
  const strongest = hits.filter((h) => severityRank(h.severity) === top);
  return { what: strongest.map((h) => h.what).join(' and '), severity: strongest[0].severity };
}

export default defineCapability({
  meta: {
    id: 'KM-RB-015',
    title: 'Escalate, bind or impersonate',
    severity: 'critical',
    door: 'rbac',
    description:
      'RBAC stops a subject from granting permissions it does not hold, except through three verbs made to bypass that check. ' +
      '`escalate` on roles lets it write any permission into a role it is bound to; `bind` lets it bind roles stronger than itself ' +
      '(cluster-admin, unless `resourceNames` limit which); `impersonate` lets it send requests as another user, group or service ' +
      'account (impersonating the group `system:masters` skips authorization altogether). Cluster-wide, each is a step to ' +
      'cluster-admin; in a namespace, to everything the namespace holds.',
    remediation:
      'Remove `escalate`, `bind` and `impersonate` from roles of automation and people. Where a controller must bind roles, list the ' +
      'exact roles in `resourceNames`; where impersonation is needed (an authenticating proxy), limit it to named users and groups, never `system:masters`.',
    references: [RBAC_DOCS.escalationPrevention, RBAC_DOCS.impersonation, RBAC_DOCS.goodPractices],
    frameworks: { cis: ['5.1.8'], nsa: [NSA_RBAC], mitre: [MITRE.accountManipulation, MITRE.validAccounts] },
    messages: GRANT_MESSAGES,
  },
  examples: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: rbac-manager}
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles", "clusterrolebindings"]
    verbs: ["get", "list", "create", "update", "bind", "escalate"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: rbac-manager}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-manager}
subjects:
  - {kind: ServiceAccount, name: rbac-manager, namespace: tools}`,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: impersonator}
rules:
  - {apiGroups: [""], resources: ["users", "groups", "serviceaccounts"], verbs: ["impersonate"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: auth-proxy}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonator}
subjects:
  - {kind: ServiceAccount, name: oauth-proxy, namespace: auth}`,
    ],
    pass: [
      // managing RBAC objects without escalate or bind only hands out what the subject already holds
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: rbac-editor}
rules:
  - {apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["get", "list", "create", "update", "delete"]}
  - {apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-rbac, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-editor}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: team-a-leads}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr-escalate}
rules:
  - {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["escalate"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cr-escalate, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr-escalate}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: team-a-leads}`,
    ],
  },
  judge: (rules, scope) => strongestRule(rules, (r) => judge(r, scope === 'cluster')),
});
