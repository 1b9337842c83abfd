// Reading RoleBinding and ClusterRoleBinding objects: their role and their subjects.

import { asArray, asObject, asString } from '../../core/json.js';
import type { SubjectRef } from '../../core/finding.js';
import type { KubeObject } from '../../inventory/objects.js';
import { subjectRefOf, type SubjectKind } from '../../inventory/rbac.js';

export interface Subject {
  kind: string;
  name: string;
  /** a ServiceAccount's namespace (a RoleBinding's own namespace when left out) */
  namespace?: string;
  /** index in `subjects` */
  index: number;
}

export interface RoleRef {
  kind: string;
  name: string;
}

export const BINDING_KINDS = ['ClusterRoleBinding', 'RoleBinding'] as const;

export function roleRefOf(binding: KubeObject): RoleRef | undefined {
  const ref = asObject(binding.raw.roleRef);
  const kind = asString(ref?.kind);
  const name = asString(ref?.name);
  return kind !== undefined && name !== undefined ? { kind, name } : undefined;
}

export function subjectsOf(binding: KubeObject): Subject[] {
  const out: Subject[] = [];
  asArray(binding.raw.subjects).forEach((item, index) => {
    const s = asObject(item);
    const kind = asString(s?.kind);
    const name = asString(s?.name);
    if (s === undefined || kind === undefined || name === undefined) return;
    const namespace = kind === 'ServiceAccount' ? (asString(s.namespace) || (binding.kind === 'RoleBinding' ? binding.namespace : undefined)) : undefined;
    out.push({ kind, name, index, ...(namespace ? { namespace } : {}) });
  });
  return out;
}

/** `ServiceAccount kube-system/dashboard`, `User alice`, `Group devs` */
export function describeSubject(s: Subject): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount \`${s.namespace ? `${s.namespace}/` : ''}${s.name}\``;
  return `${s.kind} \`${s.name}\``;
}

export function describeSubjects(subjects: Subject[]): string {
  return subjects.map(describeSubject).join(', ');
}

const SUBJECT_KINDS: readonly string[] = ['User', 'Group', 'ServiceAccount'] satisfies SubjectKind[];

/** Subjects as findings carry them; a kind Kubernetes does not know is left out. */
export function subjectRefsOf(subjects: readonly Subject[]): SubjectRef[] {
  return subjects.flatMap((s) => (SUBJECT_KINDS.includes(s.kind) ? [subjectRefOf({ kind: s.kind as SubjectKind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) })] : []));
}
