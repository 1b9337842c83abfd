import { defineDetection } from '../rule.js';
import { APISERVER, DEV, controllerSA } from './examples.js';
import { policyRules, rbacWrite, roleLabel } from './rbac-body.js';
import { roleEvent } from './role-events.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-012',
    title: 'Role with wildcard permissions written',
    severity: 'high',
    description: 'A Role or ClusterRole granting `*` verbs or `*` resources was created or changed. A wildcard grants every present and future permission in its scope, including secrets, exec and RBAC itself: it is cluster-admin by another name.',
    response: 'Replace the wildcards with the verbs and resources the subject needs; check who is bound to the role.',
    mitre: ['T1098.006'],
    references: ['https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege'],
    falco: ['ClusterRole With Wildcard Created'],
  },
  on: ['roles', 'clusterroles'],
  exemptControlPlane: true,
  create: () => (e) => {
    const body = rbacWrite(e);
    if (!body) return undefined;
    const wild = policyRules(body).filter((r) => r.verbs.includes('*') || r.resources.includes('*'));
    if (wild.length === 0) return undefined;
    const shown = wild.map((r) => `${r.verbs.join(',')} on ${r.resources.join(',')}`).join('; ');
    return { message: `${e.user.username} wrote ${roleLabel(e)} granting ${shown}`, details: { role: e.objectRef?.name ?? '', rules: shown } };
  },
  examples: {
    trigger: [
      roleEvent('Role', 'wildcard-all', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], undefined, 'lab-apps'),
      roleEvent('ClusterRole', 'ops-all-pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }], DEV),
    ],
    ignore: [
      roleEvent('ClusterRole', 'cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }], APISERVER),
      roleEvent('ClusterRole', 'pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]),
      roleEvent('ClusterRole', 'admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], controllerSA('clusterrole-aggregation-controller'), undefined, 'patch'),
    ],
  },
});
