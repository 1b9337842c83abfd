// The one finding type every command produces and every reporter consumes.

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  container?: string;
}

export interface SourceLocation {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export type Endpoint = { url: string } | { host: string; port: number };

export interface Frameworks {
  cis?: string[];
  nsa?: string[];
  mitre?: string[];
  /** Pod Security Standards controls, `baseline/…` or `restricted/…` (PSS in src/rules/references.ts) */
  pss?: string[];
}

export type Suppression =
  | { by: 'annotation'; reason: string }
  | { by: 'config'; reason: string; expires?: string };

/**
 * One rule's fact inside a finding that stands for several: everything one RBAC rule grants is one
 * finding, reported under the id of its worst fact, and lists each fact with the id that names it.
 */
export interface CoveredFact {
  ruleId: string;
  severity: Severity;
  text: string;
}

/** An identity a finding is about: a binding's subject, a service account as Kubernetes names it. */
export interface SubjectRef {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  /** service accounts only */
  namespace?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  resource?: ResourceRef;
  location?: SourceLocation;
  endpoint?: Endpoint;
  /** what was seen, with secret values redacted */
  evidence?: string;
  remediation: string;
  references: string[];
  frameworks: Frameworks;
  /** stable across line moves: rule, resource identity and the offending field */
  fingerprint: string;
  suppressed?: Suppression;
  /** the facts this finding stands for, worst first (its own rule's among them); suppressed only when every one is */
  covers?: CoveredFact[];
  /** the identities it is about (RBAC findings): who holds what it grants */
  subjects?: SubjectRef[];
}

/** What a finding is about, in words: `Kind namespace/name`, else its file or endpoint. */
export function subjectOf(f: Finding): string {
  const r = f.resource;
  if (r === undefined) return f.location?.file ?? (f.endpoint !== undefined && 'url' in f.endpoint ? f.endpoint.url : '(cluster)');
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name || '(unnamed)'}`;
}

/** Something the scan could not see, and why: the report's `coverage`. */
export interface CoverageGap {
  /** a file, a resource type or an endpoint */
  target: string;
  line?: number;
  column?: number;
  reason: string;
  severity: 'error' | 'warning';
}
