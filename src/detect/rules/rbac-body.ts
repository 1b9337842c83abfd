// Reading RBAC objects from the body of a write (logged at Request level or higher).

import { asArray, isObject, type JsonObject } from '../../core/json.js';
import type { AuditEvent } from '../../sources/audit/event.js';
import { succeeded } from '../../sources/audit/event.js';

export interface PolicyRuleView {
  verbs: string[];
  resources: string[];
  apiGroups: string[];
  resourceNames: string[];
}

/** A successful create/update/patch with its body (rules using it are exemptControlPlane: the engine skips the control plane's own writes). */
export function rbacWrite(e: AuditEvent): JsonObject | undefined {
  if (e.verb !== 'create' && e.verb !== 'update' && e.verb !== 'patch') return undefined;
  if (!succeeded(e)) return undefined;
  if (e.objectRef?.apiGroup && e.objectRef.apiGroup !== 'rbac.authorization.k8s.io') return undefined;
  return e.requestObject;
}

const strings = (v: unknown): string[] => asArray(v).filter((s): s is string => typeof s === 'string');

export function policyRules(body: JsonObject): PolicyRuleView[] {
  return asArray(body.rules).filter(isObject).map((r) => ({ verbs: strings(r.verbs), resources: strings(r.resources), apiGroups: strings(r.apiGroups), resourceNames: strings(r.resourceNames) }));
}

export function roleLabel(e: AuditEvent): string {
  const ref = e.objectRef;
  const kind = ref?.resource === 'clusterroles' ? 'ClusterRole' : 'Role';
  return `${kind} ${ref?.namespace ? `${ref.namespace}/` : ''}${ref?.name || '?'}`;
}

export function subjectsOf(body: JsonObject): string[] {
  return asArray(body.subjects).filter(isObject).map((s) => `${String(s.kind ?? '?')} ${s.namespace ? `${String(s.namespace)}/` : ''}${String(s.name ?? '?')}`);
}

export function roleRefOf(body: JsonObject): { kind: string; name: string } | undefined {
  const r = body.roleRef;
  if (!isObject(r) || typeof r.name !== 'string') return undefined;
  return { kind: typeof r.kind === 'string' ? r.kind : 'ClusterRole', name: r.name };
}
