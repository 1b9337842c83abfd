import { defineDetection } from '../rule.js';
import { succeeded, type AuditUser } from '../../sources/audit/event.js';
import type { JsonObject } from '../../core/json.js';
import { COMPONENT_USERS } from '../trust.js';
import { ADMIN, DEV, auditEvent, type ExampleUser } from './examples.js';

/** Groups whose members hold everything (system:masters bypasses RBAC), or every node's rights. */
const POWERFUL_GROUPS: ReadonlyMap<string, string> = new Map([
  ['system:masters', 'unrestricted by RBAC'],
  ['system:nodes', 'a node\'s rights'],
  ['system:cluster-admins', 'cluster-admin on managed platforms'],
]);
/** Users kubeadm and the distributions make all-powerful by default. */
const ADMIN_USERS = new Set(['system:admin', 'kubernetes-admin', 'cluster-admin', 'admin']);

/** Why impersonating this identity is acting as someone powerful, or undefined. */
function powerOf(u: AuditUser): { why: string; critical: boolean } | undefined {
  for (const g of u.groups) {
    const why = POWERFUL_GROUPS.get(g);
    if (why) return { why: `group ${g} (${why})`, critical: g === 'system:masters' || g === 'system:cluster-admins' };
  }
  const name = u.username;
  if (ADMIN_USERS.has(name)) return { why: `the administrator ${name}`, critical: true };
  if (COMPONENT_USERS.includes(name) || name === 'system:kube-proxy') return { why: `the control-plane component ${name}`, critical: true };
  if (name.startsWith('system:node:')) return { why: `the node ${name.slice(12)}`, critical: false };
  if (name.startsWith('system:serviceaccount:kube-system:')) return { why: `the kube-system service account ${name.slice(34)}`, critical: false };
  return undefined;
}

function impersonating(target: { username: string; groups?: string[] }, user: ExampleUser = DEV, code = 200): JsonObject {
  return { ...auditEvent({ verb: 'list', uri: '/api/v1/namespaces/kube-system/secrets', resource: 'secrets', namespace: 'kube-system', user, code }), impersonatedUser: target.groups ? { username: target.username, groups: target.groups } : { username: target.username } };
}

export default defineDetection({
  meta: {
    id: 'KM-DT-047',
    title: 'Privileged identity impersonated',
    severity: 'high',
    description: 'A request impersonated (`kubectl --as`, `--as-group`, the Impersonate-User/Group headers) an identity that holds much more than most: the group system:masters, a node or the nodes\' group, a control-plane component, the cluster\'s administrator users or a kube-system service account, and the API server carried it out. Whoever may impersonate them holds their rights; the `impersonate` verb is as powerful as the identities it reaches. The control plane never impersonates, so nothing here is trusted.',
    response: 'Check which binding grants the user `impersonate` on users or groups and narrow it with resourceNames (or remove it). Review everything the request did as the impersonated identity (the alert names both).',
    mitre: ['T1134', 'T1078'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation'],
    repeatWindowSec: 300,
  },
  on: '*',
  create: () => (e) => {
    const as = e.impersonatedUser;
    if (!as || !succeeded(e)) return undefined;
    const power = powerOf(as);
    if (!power) return undefined;
    const ref = e.objectRef;
    const what = ref?.resource ? `${e.verb} ${ref.resource}${ref.subresource ? `/${ref.subresource}` : ''}${ref.namespace ? ` in ${ref.namespace}` : ''}` : `${e.verb} ${e.requestURI}`;
    return {
      message: `${e.user.username} impersonated ${as.username}${as.groups.length > 0 ? ` (groups ${as.groups.join(', ')})` : ''}, ${power.why}, to ${what}`,
      severity: power.critical ? 'critical' : undefined,
      details: { impersonated: as.username, groups: as.groups.join(',') },
    };
  },
  examples: {
    trigger: [
      impersonating({ username: 'mallory', groups: ['system:masters', 'system:authenticated'] }),
      impersonating({ username: 'system:node:kubemoat-insecure', groups: ['system:nodes', 'system:authenticated'] }),
      impersonating({ username: 'system:kube-controller-manager' }, ADMIN),
      impersonating({ username: 'system:serviceaccount:kube-system:clusterrole-aggregation-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] }),
    ],
    ignore: [
      // an administrator testing a developer's rights (kubectl auth can-i --as)
      impersonating({ username: 'alice@example.com', groups: ['developers', 'system:authenticated'] }, ADMIN),
      // refused
      impersonating({ username: 'system:admin', groups: ['system:masters'] }, DEV, 403),
      auditEvent({ verb: 'list', uri: '/api/v1/namespaces/kube-system/secrets', resource: 'secrets', namespace: 'kube-system', user: ADMIN }),
    ],
  },
});
