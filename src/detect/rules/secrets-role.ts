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
  exemptControlPlane: true,
  create: () => (e) => {
    const body = rbacWrite(e);
    if (!body) return undefined;
    // name what the role really grants on secrets: the read verbs that raise this and, beside them,
    // the others (delete, update…) so the alert does not understate it; `*` is every verb, reads included
    const reads = new Set<string>();
    const others = new Set<string>();
    for (const r of policyRules(body)) {
      if (!r.resources.includes('secrets')) continue;
      for (const v of r.verbs) (READ.has(v) || v === '*' ? reads : others).add(v);
    }
    if (reads.size === 0) return undefined;
    const read = reads.has('*') ? '* (every verb)' : [...reads].join(', ');
    const also = others.size > 0 && !reads.has('*') ? ` (and ${[...others].join(', ')})` : '';
    return { message: `${e.user.username} wrote ${roleLabel(e)} granting ${read} on secrets${also}`, details: { role: e.objectRef?.name ?? '', verbs: [...reads, ...others].join(',') } };
  },
  examples: {
    trigger: [
      roleEvent('ClusterRole', 'kubemoat-lab-anonymous-reader', [{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list'] }]),
      roleEvent('Role', 'secret-lister', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }], DEV, 'shop'),
      roleEvent('Role', 'secret-janitor', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'delete'] }], DEV, 'shop'),
      roleEvent('Role', 'secret-all', [{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }], DEV, 'shop'),
    ],
    ignore: [
      roleEvent('ClusterRole', 'config-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }], DEV),
      roleEvent('ClusterRole', 'system:controller:expand-controller', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], APISERVER),
      roleEvent('Role', 'secret-writer', [{ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'update'] }], DEV, 'shop'),
      // delete alone reads nothing
      roleEvent('Role', 'secret-deleter', [{ apiGroups: [''], resources: ['secrets'], verbs: ['delete', 'deletecollection'] }], DEV, 'shop'),
    ],
  },
});
