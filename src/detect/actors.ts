// Who is acting: the control plane doing its job (the API server, controller manager, scheduler,
// kubelets, the controllers' own service accounts) or someone else. Most false alarms in audit-log
// detection come from treating the control plane like a user; these rules do not.

import type { AuditUser } from '../sources/audit/event.js';

const CONTROL_PLANE_USERS = new Set([
  'system:apiserver',
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:kube-proxy',
  'system:volume-scheduler',
]);

// kube-controller-manager's per-controller service accounts (--use-service-account-credentials)
// whose names do not end in -controller.
const CONTROLLER_ACCOUNTS = new Set([
  'generic-garbage-collector',
  'persistent-volume-binder',
  'pod-garbage-collector',
  'root-ca-cert-publisher',
  'token-cleaner',
  'bootstrap-signer',
  'horizontal-pod-autoscaler',
  'legacy-service-account-token-cleaner',
  'namespace-controller',
  'kube-proxy',
]);

const KUBE_SYSTEM_SA = 'system:serviceaccount:kube-system:';

/** The API server, a controller, the scheduler or a kubelet: the cluster running itself. */
export function isControlPlane(user: AuditUser): boolean {
  const name = user.username;
  if (CONTROL_PLANE_USERS.has(name)) return true;
  if (name.startsWith('system:node:') && user.groups.includes('system:nodes')) return true;
  if (name.startsWith(KUBE_SYSTEM_SA)) {
    const sa = name.slice(KUBE_SYSTEM_SA.length);
    return sa.endsWith('-controller') || CONTROLLER_ACCOUNTS.has(sa);
  }
  return false;
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
