// Who is acting: the control plane doing its job (see trust.ts for who that is, exactly) or someone
// else. Most false alarms in audit-log detection come from treating the control plane like a user;
// most blind spots from trusting a name that only looks like it.

import type { AuditUser } from '../sources/audit/event.js';
import { DEFAULT_TRUST } from './trust.js';

/**
 * The API server, kube-controller-manager (itself or one of its own controller accounts, with a
 * token bound to no pod), the scheduler, or a kubelet: the cluster running itself. Decided by the
 * exact identities in trust.ts, never by a name pattern; the detector itself asks its configured
 * TrustPolicy (which may also require a control-plane address).
 */
export function isControlPlane(user: AuditUser): boolean {
  return DEFAULT_TRUST.identity(user, []) !== undefined;
}

export function isAnonymous(user: AuditUser): boolean {
  return user.username === 'system:anonymous' || user.groups.includes('system:unauthenticated');
}

/** `system:serviceaccount:NS:NAME` → { namespace, name } */
export function serviceAccountOf(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith('system:serviceaccount:')) return undefined;
  const rest = username.slice('system:serviceaccount:'.length);
  const i = rest.indexOf(':');
  if (i <= 0) return undefined;
  return { namespace: rest.slice(0, i), name: rest.slice(i + 1) };
}

/** The pod a bound service-account token was issued for (Kubernetes ≥ 1.30 puts it in user.extra). */
export function podOfToken(user: AuditUser): string | undefined {
  return user.extra['authentication.kubernetes.io/pod-name']?.[0];
}
