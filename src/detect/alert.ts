// The alert every sink writes: who did what, from where, which rule and ATT&CK techniques, and the
// audit ID of the event (plus the earlier events for a correlated chain), so that the raw event can
// be found in the log.

import type { Severity } from '../core/finding.js';
import type { AuditEvent } from '../sources/audit/event.js';
import { podOfToken, serviceAccountOf } from './actors.js';
import type { ChainLink, DetectionRule, Hit } from './rule.js';

export interface Alert {
  ruleId: string;
  title: string;
  severity: Severity;
  message: string;
  mitre: string[];
  /** when the API server saw the request (the event's stage timestamp) */
  time: string;
  /** when kubemoat raised the alert */
  detectedAt: string;
  /** the audit ID of the event that raised it */
  auditID: string;
  stage: string;
  who: {
    user: string;
    groups: string[];
    /** the user the request impersonated, when it did */
    impersonatedUser?: string;
    serviceAccount?: string;
    /** the pod whose bound token made the request */
    pod?: string;
  };
  what: {
    verb: string;
    requestURI: string;
    resource?: string;
    subresource?: string;
    apiGroup?: string;
    namespace?: string;
    name?: string;
    /** HTTP status */
    code: number;
    /** the authorizer's reason (which binding allowed it) */
    reason?: string;
  };
  where: {
    sourceIPs: string[];
    userAgent: string;
  };
  details?: Record<string, string>;
  /** correlation alerts: the earlier events of the chain, oldest first */
  chain?: ChainLink[];
}

export function toAlert(rule: DetectionRule, hit: Hit, e: AuditEvent, now: number): Alert {
  const sa = serviceAccountOf(e.user.username);
  const pod = podOfToken(e.user);
  const ref = e.objectRef;
  return {
    ruleId: rule.meta.id,
    title: rule.meta.title,
    severity: hit.severity ?? rule.meta.severity,
    message: hit.message,
    mitre: rule.meta.mitre,
    time: e.timestamp,
    detectedAt: new Date(now).toISOString(),
    auditID: e.auditID,
    stage: e.stage,
    who: {
      user: e.user.username,
      groups: [...e.user.groups],
      ...(e.impersonatedUser ? { impersonatedUser: e.impersonatedUser.username } : {}),
      ...(sa ? { serviceAccount: `${sa.namespace}/${sa.name}` } : {}),
      ...(pod ? { pod: `${sa?.namespace ?? '?'}/${pod}` } : {}),
    },
    what: {
      verb: e.verb,
      requestURI: e.requestURI,
      ...(ref?.resource ? { resource: ref.resource } : {}),
      ...(ref?.subresource ? { subresource: ref.subresource } : {}),
      ...(ref?.apiGroup ? { apiGroup: ref.apiGroup } : {}),
      ...(ref?.namespace ? { namespace: ref.namespace } : {}),
      ...(ref?.name ? { name: ref.name } : {}),
      code: e.code,
      ...(e.reason ? { reason: e.reason } : {}),
    },
    where: { sourceIPs: [...e.sourceIPs], userAgent: e.userAgent },
    ...(hit.details && Object.keys(hit.details).length > 0 ? { details: hit.details } : {}),
    ...(hit.chain ? { chain: hit.chain } : {}),
  };
}
