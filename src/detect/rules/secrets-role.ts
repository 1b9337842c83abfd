import { defineDetection } from '../rule.js';
import { APISERVER, DEV } from './examples.js';
import { policyRules, rbacWrite, roleLabel } from './rbac-body.js';
import { roleEvent } from './role-events.js';

const READ = new Set(['get', 'list', 'watch']);

export default defineDetection({
  meta: {
    id: 'KM-DT-014',
    title: 'Role granting read access to secrets written',
    severity: 'medium',
    description: 'A Role or ClusterRole granting get, list or watch on secrets was created or changed. Listing secrets hands over every credential in scope, service-account tokens of powerful accounts included.',
    response: 'Check that its subjects need secret values (most need only a named secret: use `resourceNames`); prefer mounting secrets into the workload over API reads.',
    mitre: ['T1098.006', 'T1552.007'],
    references: ['https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets'],
  },
  on: ['roles', 'clusterroles'],
  create: () => (e) => {
    const body = rbacWrite(e);
    if (!body) return undefined;
    const verbs = new Set<string>();
    for (const r of policyRules(body)) {
      if (!r.resources.includes('secrets')) continue;
      for (const v of r.verbs) if (READ.has(v)) verbs.add(v);
    }
    if (verbs.size === 0) return undefined;
    return { message: `${e.user.username} wrote ${roleLabel(e)} granting ${[...verbs].join(', ')} on secrets`, details: { role: e.objectRef?.name ?? '' } };
  },
  examples: {
    trigger: [
      roleEvent('ClusterRole', 'kubemoat-lab-anonymous-reader', [{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list'] }]),
      roleEvent('Role', 'secret-lister', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }], DEV, 'shop'),
    ],
    ignore: [
      roleEvent('ClusterRole', 'config-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }], DEV),
      roleEvent('ClusterRole', 'system:controller:expand-controller', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], APISERVER),
      roleEvent('Role', 'secret-writer', [{ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'update'] }], DEV, 'shop'),
    ],
  },
});
