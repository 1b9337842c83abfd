// The shape of a rule: metadata, passing and failing examples, and a `create` that returns
// visitors. The engine walks the inventory once and calls each visitor; a rule does no I/O.

import type { CoveredFact, Frameworks, Severity, SubjectRef } from './finding.js';
import type { Path } from './json.js';
import type { Inventory } from '../inventory/inventory.js';
import type { ContainerNode, KubeObject, PodSpecNode } from '../inventory/objects.js';
import type { ComponentNode } from '../inventory/components.js';

/** The door a rule guards, from the threat table in DESIGN.md. */
export type Door =
  | 'workload'
  | 'rbac'
  | 'network'
  | 'image'
  | 'credentials'
  | 'exposure'
  | 'console'
  | 'runtime-socket'
  | 'namespace'
  | 'kubelet'
  | 'control-plane'
  | 'etcd';

export interface RuleMeta {
  /** stable id, e.g. KM-WL-001 */
  id: string;
  /** short name of the problem, e.g. "Privileged container" */
  title: string;
  severity: Severity;
  door: Door;
  /** what an attacker gains, in plain words */
  description: string;
  remediation: string;
  references: string[];
  frameworks: Frameworks;
  /** message templates by id; `{{name}}` is replaced from the report's data */
  messages: Record<string, string>;
  /**
   * The rule checks something a control-plane component needs by design (host network, its PKI on
   * a hostPath, running as root, no limits in kubeadm's static pods): it is not run on pods that
   * run only kube-apiserver, kube-controller-manager, kube-scheduler or etcd, which the KM-CP and
   * KM-ET rules judge instead.
   */
  notForControlPlane?: true;
}

export interface RuleExamples {
  /** manifests (YAML) on which the rule must stay silent */
  pass: string[];
  /** manifests on which the rule must report */
  fail: string[];
  /** settings both kinds of example run with (e.g. the registry allow-list a rule needs) */
  settings?: Partial<ScanSettings>;
}

/** The node a finding is attached to; `at` in a report is relative to it. */
export type ReportNode = KubeObject | PodSpecNode | ContainerNode;

/** The offending field: a path relative to the reporting node, or from the object's root (a pod-level field seen from a container). */
export type FieldRef = Path | { fromObject: Path };

export interface Report {
  node: ReportNode;
  messageId: string;
  data?: Record<string, string | number>;
  /** the offending field */
  at?: FieldRef;
  evidence?: string;
  /** a finding more or less serious than the rule's default (e.g. a writable runtime socket) */
  severity?: Severity;
  /** the framework ids this finding is about, when a rule covers several (e.g. one CIS item per file); each given list replaces the rule's */
  frameworks?: Frameworks;
  /** a finding that stands for several rules' facts lists them (see CoveredFact) */
  covers?: CoveredFact[];
  /** the identities the finding is about (RBAC) */
  subjects?: SubjectRef[];
  /**
   * What the component's declared purpose needs (`a CNI agent (…)`): the finding is still reported,
   * two severity steps lower (never below low), and its message says it is expected and to review it.
   */
  expected?: string;
  /** said after the message, e.g. how to declare the purpose a component seems to have */
  note?: string;
}

/** `purposes[]` in `.kubemoat.yaml`: what a component is for, declared once for the objects it matches. */
export interface PurposeDeclaration {
  purpose: string;
  resource: { kind?: string; apiVersion?: string; namespace?: string; name?: string };
  reason: string;
}

export interface ScanSettings {
  /** registries (host, or host/path prefix) images may come from; empty means no allow-list */
  trustedRegistries: string[];
  /** component purposes declared in the config (annotations on the objects declare them too) */
  purposes: PurposeDeclaration[];
}

export interface RuleContext {
  readonly inventory: Inventory;
  readonly settings: ScanSettings;
  report(report: Report): void;
}

export interface Visitors {
  object?(object: KubeObject): void;
  podSpec?(pod: PodSpecNode): void;
  container?(container: ContainerNode): void;
  /** a Kubernetes component (kube-apiserver, etcd, …) with its parsed flags; report on `component.source.container` */
  component?(component: ComponentNode): void;
  /** visitors for objects of one kind, e.g. `kinds: { Service(o) {…} }` */
  kinds?: Record<string, (object: KubeObject) => void>;
}

export interface Rule {
  meta: RuleMeta;
  examples: RuleExamples;
  create(context: RuleContext): Visitors;
}

/** Identity function that gives rule files their type checking. */
export function defineRule(rule: Rule): Rule {
  return rule;
}
