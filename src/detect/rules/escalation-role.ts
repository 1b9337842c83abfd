import { defineDetection } from '../rule.js';
import { APISERVER, DEV, controllerSA } from './examples.js';
import { policyRules, rbacWrite, roleLabel } from './rbac-body.js';
import { roleEvent } from './role-events.js';

/**
 * Grants that hand over more than they name: verb on resources → what the holder can do with it.
 * Wildcard verbs and resources are KM-DT-012's (they include all of these).
 */
const ESCALATIONS: { verbs: string[]; resources: string[]; gives: string }[] = [
  { verbs: ['escalate'], resources: ['roles', 'clusterroles'], gives: 'write roles with rights its holder does not have' },
  { verbs: ['bind'], resources: ['roles', 'clusterroles'], gives: 'bind any role, cluster-admin included, to anyone' },
  { verbs: ['impersonate'], resources: ['users', 'groups', 'serviceaccounts', 'uids', 'userextras/scopes', 'userextras'], gives: 'act as other users, groups or service accounts (system:masters included)' },
  { verbs: ['create'], resources: ['serviceaccounts/token'], gives: 'mint tokens of any service account in scope' },
  { verbs: ['approve'], resources: ['signers'], gives: 'approve certificates for any name and group' },
  { verbs: ['update', 'patch'], resources: ['certificatesigningrequests/approval'], gives: 'approve certificate signing requests' },
];

export default defineDetection({
  meta: {
    id: 'KM-DT-048',
    title: 'Role granting privilege escalation written',
    severity: 'high',
    description: 'A Role or ClusterRole was created or changed granting a verb that reaches beyond its own rules: `escalate` or `bind` on roles, `impersonate` on users, groups or service accounts, `create` on serviceaccounts/token, `approve` on signers or the approval of certificate signing requests. RBAC\'s escalation checks stop people from granting what they do not hold; these verbs are the exceptions, so whoever holds one can make themselves cluster-admin. (Roles with wildcards are KM-DT-012; plain write verbs on workloads are not raised.)',
    response: 'Check who is bound to the role and why they need the verb; narrow it with resourceNames (the roles they may bind, the accounts they may impersonate) or remove it.',
    mitre: ['T1098.006', 'T1134'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping', 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb'],
  },
  on: ['roles', 'clusterroles'],
  exemptControlPlane: true,
  create: () => (e) => {
    const body = rbacWrite(e);
    if (!body) return undefined;
    const found: string[] = [];
    const grants: string[] = [];
    for (const r of policyRules(body)) {
      for (const x of ESCALATIONS) {
        const verbs = r.verbs.filter((v) => x.verbs.includes(v));
        const resources = r.resources.filter((res) => x.resources.includes(res));
        if (verbs.length === 0 || resources.length === 0) continue;
        const grant = `${verbs.join(',')} on ${resources.join(',')}${r.resourceNames.length > 0 ? ` (only ${r.resourceNames.join(', ')})` : ''}`;
        grants.push(grant);
        found.push(`${grant}: ${x.gives}`);
      }
    }
    if (found.length === 0) return undefined;
    return { message: `${e.user.username} wrote ${roleLabel(e)} granting ${found.join('; ')}`, details: { role: e.objectRef?.name ?? '', grants: grants.join('; ') } };
  },
  examples: {
    trigger: [
      roleEvent('ClusterRole', 'rbac-manager', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind', 'escalate'] }], DEV),
      roleEvent('ClusterRole', 'sudo', [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }], DEV),
      roleEvent('Role', 'token-maker', [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }], DEV, 'kube-system'),
      roleEvent('ClusterRole', 'csr-approver', [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] }, { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['kubernetes.io/kube-apiserver-client'], verbs: ['approve'] }], DEV),
    ],
    ignore: [
      roleEvent('Role', 'deployer', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'update', 'patch'] }, { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }], DEV, 'shop'),
      roleEvent('ClusterRole', 'rbac-viewer', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'], verbs: ['get', 'list'] }], DEV),
      roleEvent('ClusterRole', 'system:controller:certificate-controller', [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], verbs: ['approve'] }], APISERVER, undefined, 'update'),
      roleEvent('ClusterRole', 'admin', [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }], controllerSA('clusterrole-aggregation-controller'), undefined, 'patch'),
    ],
  },
});
