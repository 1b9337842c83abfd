// The shape of a detection rule: metadata, MITRE ATT&CK ids, real example events that must and must
// not raise it, the resources it looks at (the engine dispatches on them so a rule never sees an
// event it cannot judge), and a `create` that returns the check. A rule with state (a burst
// counter) keeps it in the closure `create` returns, so every detector gets its own.

import type { Severity } from '../core/finding.js';
import type { JsonObject } from '../core/json.js';
import type { AuditEvent } from '../sources/audit/event.js';
import type { TrustEntry } from './trust.js';

export interface DetectionMeta {
  /** stable id, KM-DT-NNN */
  id: string;
  title: string;
  severity: Severity;
  /** what the activity means and why it matters, in plain words */
  description: string;
  /** what to do when the alert fires */
  response: string;
  /** MITRE ATT&CK (for Containers) technique ids */
  mitre: string[];
  references: string[];
  /** the Falco k8saudit rule(s) this one covers, for users moving over */
  falco?: string[];
  /**
   * Repeats of the same alert (same rule, user, resource and object) within this many seconds are
   * counted, not sent again: a controller that loops should not drown the real alert.
   */
  repeatWindowSec?: number;
}

/** One audit event exactly as the API server writes it, or a sequence of them replayed in order. */
export type ExampleCase = JsonObject | readonly JsonObject[];

/** Each case runs through a fresh detector of its own. */
export interface DetectionExamples {
  /** each case must raise the rule (a sequence: on its last event) */
  trigger: ExampleCase[];
  /** no case may raise it */
  ignore: ExampleCase[];
  /** settings the cases run with (default DEFAULT_DETECTION_SETTINGS), for a rule that needs configuration to judge at all */
  settings?: Partial<DetectionSettings>;
}

/** An earlier event a correlation rule joined to the one that completed the chain. */
export interface ChainLink {
  auditID: string;
  time: string;
  summary: string;
}

export interface Hit {
  message: string;
  /** correlation rules: the earlier events of the chain, oldest first (the current event ends it) */
  chain?: ChainLink[];
  /** a hit more or less serious than the rule's default */
  severity?: Severity;
  /** images involved (pod specs), matched against the rule's image allow-list */
  images?: string[];
  /** extra facts for the alert: command, container, hostPath, role… (never a secret value) */
  details?: Record<string, string>;
}

export interface DetectionSettings {
  /** KM-DT-025: this many denied requests from one user and address… */
  deniedBurstCount: number;
  /** …within this many seconds */
  deniedBurstWindowSec: number;
  /** correlation rules join events at most this many seconds apart */
  correlationWindowSec: number;
  /** `detect.internalNetworks`: the cluster's own networks (KM-DT-041 judges nothing without them) */
  internalNetworks: readonly string[];
}

export const DEFAULT_DETECTION_SETTINGS: DetectionSettings = { deniedBurstCount: 10, deniedBurstWindowSec: 60, correlationWindowSec: 900, internalNetworks: [] };

/** What the engine knows about an event before any rule looks at it. */
export interface EventContext {
  /** the control-plane trust entry the event's identity matches (trust.ts), if any */
  readonly controlPlane: TrustEntry | undefined;
}

export type Check = (event: AuditEvent, context: EventContext) => Hit | undefined;

export interface DetectionRule {
  meta: DetectionMeta;
  examples: DetectionExamples;
  /** `resource` or `resource/subresource` keys (`pods/exec`, `secrets`), or '*' for every event */
  on: readonly string[] | '*';
  /**
   * The engine does not run this rule on the control plane's own requests (trust.ts decides who
   * that is). Declared rather than checked inside the rule so that one policy decides, and so that
   * --explain-allow can run the rule anyway and say which trust entry silenced it.
   */
  exemptControlPlane?: boolean;
  /**
   * With exemptControlPlane: the control-plane requests this rule judges all the same, because the
   * identity never makes them in its job (kube-controller-manager minting a token for an
   * application's account). Decided here, beside the exemption, for the same reasons.
   */
  judgesTrusted?(e: AuditEvent, entry: TrustEntry): boolean;
  /** The check, or undefined when these settings leave it nothing to judge (the engine then never calls it). */
  create(settings: DetectionSettings): Check | undefined;
}

export function defineDetection(rule: DetectionRule): DetectionRule {
  return rule;
}
