// One audit.k8s.io/v1 Event, checked and flattened once so that detection rules read plain fields
// instead of digging through untrusted JSON. The request and response bodies stay as parsed JSON:
// only the few rules that look inside them pay for reading them.

import { isObject, type JsonObject, type JsonValue } from '../../core/json.js';

export interface AuditUser {
  username: string;
  groups: readonly string[];
  /** `user.extra`: for service-account tokens bound to a pod, `authentication.kubernetes.io/pod-name` etc. */
  extra: Readonly<Record<string, readonly string[]>>;
}

export interface AuditObjectRef {
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  apiGroup: string;
}

export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export interface AuditEvent {
  auditID: string;
  stage: AuditStage;
  level: string;
  verb: string;
  requestURI: string;
  user: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs: readonly string[];
  userAgent: string;
  objectRef?: AuditObjectRef;
  /** HTTP status of the response; 0 when the stage has none yet */
  code: number;
  /** `authorization.k8s.io/decision`: allow, forbid, or '' when not recorded */
  decision: string;
  /** `authorization.k8s.io/reason`, e.g. `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"` */
  reason: string;
  /** stageTimestamp (else requestReceivedTimestamp) as milliseconds since the epoch; 0 if absent */
  time: number;
  timestamp: string;
  requestObject?: JsonObject;
  responseObject?: JsonObject;
}

const STAGES = new Set<string>(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic']);
const NO_EXTRA: Readonly<Record<string, readonly string[]>> = Object.freeze({});

function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

const NO_STRINGS: readonly string[] = Object.freeze([]);

/** The array itself when it holds only strings (the usual case: no copy), else its strings. */
function strings(v: JsonValue | undefined): readonly string[] {
  if (!Array.isArray(v)) return NO_STRINGS;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return v.filter((s): s is string => typeof s === 'string');
  return v as string[];
}

/**
 * RFC 3339 as the API server writes it (`2026-11-23T16:51:48.727361Z`) read digit by digit, which
 * is several times cheaper than Date.parse on the hot path; anything else goes to Date.parse.
 */
export function timestampMs(t: string): number {
  const n = t.length;
  const fraction = n > 20 && t.charCodeAt(19) === 46;
  // …SSZ, or …SS.fffZ and longer: the digit-by-digit read; shorter fractions and offsets: Date.parse
  if ((n === 20 || (fraction && n >= 24)) && t.charCodeAt(4) === 45 && t.charCodeAt(10) === 84 && t.charCodeAt(n - 1) === 90) {
    const d = (i: number): number => t.charCodeAt(i) - 48;
    const ms = fraction ? d(20) * 100 + d(21) * 10 + d(22) : 0;
    const v = Date.UTC(d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3), d(5) * 10 + d(6) - 1, d(8) * 10 + d(9), d(11) * 10 + d(12), d(14) * 10 + d(15), d(17) * 10 + d(18), ms);
    if (Number.isFinite(v)) return v;
  }
  return Date.parse(t) || 0;
}

function user(v: JsonValue | undefined): AuditUser | undefined {
  if (!isObject(v)) return undefined;
  let extra = NO_EXTRA;
  if (isObject(v.extra)) {
    const e: Record<string, readonly string[]> = {};
    for (const [k, val] of Object.entries(v.extra)) e[k] = strings(val);
    extra = e;
  }
  return { username: str(v.username), groups: strings(v.groups), extra };
}

function objectRef(v: JsonValue | undefined): AuditObjectRef | undefined {
  if (!isObject(v)) return undefined;
  return { resource: str(v.resource), subresource: str(v.subresource), namespace: str(v.namespace), name: str(v.name), apiGroup: str(v.apiGroup) };
}

function annotation(v: JsonValue | undefined, key: string): string {
  if (!isObject(v)) return '';
  const a = v[key];
  return typeof a === 'string' ? a : '';
}

/** The event, or why it is not one (the caller counts it as malformed and carries on). */
export function toAuditEvent(v: unknown): AuditEvent | string {
  if (!isObject(v)) return 'not a JSON object';
  if (v.kind !== undefined && v.kind !== 'Event') return `kind ${JSON.stringify(v.kind)} is not Event`;
  const auditID = v.auditID;
  if (typeof auditID !== 'string' || auditID === '') return 'no auditID';
  const verb = v.verb;
  if (typeof verb !== 'string') return 'no verb';
  const u = user(v.user);
  if (!u) return 'no user';
  const stage = str(v.stage);
  const status = v.responseStatus;
  const code = isObject(status) && typeof status.code === 'number' ? status.code : 0;
  const timestamp = str(v.stageTimestamp) || str(v.requestReceivedTimestamp);
  return {
    auditID,
    stage: (STAGES.has(stage) ? stage : 'ResponseComplete') as AuditStage,
    level: str(v.level),
    verb,
    requestURI: str(v.requestURI),
    user: u,
    impersonatedUser: user(v.impersonatedUser),
    sourceIPs: strings(v.sourceIPs),
    userAgent: str(v.userAgent),
    objectRef: objectRef(v.objectRef),
    code,
    decision: annotation(v.annotations, 'authorization.k8s.io/decision'),
    reason: annotation(v.annotations, 'authorization.k8s.io/reason'),
    time: timestamp ? timestampMs(timestamp) : 0,
    timestamp,
    requestObject: isObject(v.requestObject) ? v.requestObject : undefined,
    responseObject: isObject(v.responseObject) ? v.responseObject : undefined,
  };
}

/** `resource` or `resource/subresource`, the key rules register on (`pods/exec`, `secrets`). */
export function resourceKey(e: AuditEvent): string {
  const r = e.objectRef;
  if (!r || r.resource === '') return '';
  return r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
}

/** The request was allowed and did not fail authorisation: 2xx/1xx, or an allow decision with no code yet. */
export function succeeded(e: AuditEvent): boolean {
  if (e.code === 0) return e.decision === 'allow';
  return e.code < 400;
}

/** Denied: 401 (not authenticated) or 403 (not authorised). */
export function denied(e: AuditEvent): boolean {
  return e.code === 401 || e.code === 403 || e.decision === 'forbid';
}

/** The user who really acted: the impersonated one if the request impersonated someone. */
export function effectiveUser(e: AuditEvent): AuditUser {
  return e.impersonatedUser ?? e.user;
}
