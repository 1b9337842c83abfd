// The alert every sink writes: who did what, from where, which rule and ATT&CK techniques, and the
// audit ID of the event (plus the earlier events for a correlated chain), so that the raw event can
// be found in the log.

import type { Severity } from '../core/finding.js';
import type { AuditEvent } from '../sources/audit/event.js';
import { podOfToken, serviceAccountOf } from './actors.js';
import type { ChainLink, DetectionMeta, DetectionRule, Hit } from './rule.js';
import type { ContainerRef, RuntimeEvent } from '../sources/runtime/event.js';

interface AlertBase {
  ruleId: string;
  title: string;
  severity: Severity;
  message: string;
  mitre: string[];
  /** when the API server saw the request (the event's stage timestamp), or the kernel the event */
  time: string;
  /** when kubemoat raised the alert */
  detectedAt: string;
  details?: Record<string, string>;
  /** correlation alerts: the earlier events of the chain, oldest first */
  chain?: ChainLink[];
}

/** An alert raised by the runtime sensor: the node, the container and the process. */
export interface RuntimeAlert extends AlertBase {
  source: 'runtime';
  node: string;
  container?: ContainerRef;
  process: {
    pid: number;
    ppid?: number;
    /** the file executed */
    binary?: string;
    /** the command line, credentials redacted */
    argv?: string[];
    comm: string;
    uid: number;
    /** the command started from outside the container that this process descends from */
    execSession?: { rootPid: number; argv: string[]; auditID?: string; user?: string };
  };
  connection?: { family: string; address: string; port: number };
  file?: { place: string; path: string; write: boolean };
  syscall?: { call: string; detail: string };
}

export type Alert = AuditAlert | RuntimeAlert;

export interface AuditAlert extends AlertBase {
  source: 'audit';
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
}

export function toAlert(rule: DetectionRule, hit: Hit, e: AuditEvent, now: number): AuditAlert {
  const sa = serviceAccountOf(e.user.username);
  const pod = podOfToken(e.user);
  const ref = e.objectRef;
  return {
    source: 'audit',
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

export interface RuntimeAlertInput {
  meta: DetectionMeta;
  hit: Hit;
  event: RuntimeEvent;
  node: string;
  process: RuntimeAlert['process'];
  now: number;
}

export function toRuntimeAlert({ meta, hit, event: e, node, process, now }: RuntimeAlertInput): RuntimeAlert {
  return {
    source: 'runtime',
    ruleId: meta.id,
    title: meta.title,
    severity: hit.severity ?? meta.severity,
    message: hit.message,
    mitre: meta.mitre,
    time: new Date(e.time).toISOString(),
    detectedAt: new Date(now).toISOString(),
    node,
    ...(e.container ? { container: e.container } : {}),
    process,
    ...(e.kind === 'connect' ? { connection: { family: e.family, address: e.address, port: e.port } } : {}),
    ...(e.kind === 'open' ? { file: { place: e.place, path: e.path, write: e.write } } : {}),
    ...(e.kind === 'syscall' ? { syscall: { call: e.call, detail: e.detail } } : {}),
    ...(hit.details && Object.keys(hit.details).length > 0 ? { details: hit.details } : {}),
    ...(hit.chain ? { chain: hit.chain } : {}),
  };
}
