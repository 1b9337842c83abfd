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
  annotations: Readonly<Record<string, string>>;
}

const STAGES = new Set<string>(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic']);
const NO_EXTRA: Readonly<Record<string, readonly string[]>> = Object.freeze({});
const NO_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({});

function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

function strings(v: JsonValue | undefined): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const s of v) if (typeof s === 'string') out.push(s);
  return out;
}

function user(v: JsonValue | undefined): AuditUser | undefined {
  if (!isObject(v)) return undefined;
  let extra = NO_EXTRA;
  if (isObject(v.extra)) {
    const e: Record<string, string[]> = {};
    for (const [k, val] of Object.entries(v.extra)) e[k] = strings(val);
    extra = e;
  }
  return { username: str(v.username), groups: strings(v.groups), extra };
}

function objectRef(v: JsonValue | undefined): AuditObjectRef | undefined {
  if (!isObject(v)) return undefined;
  return { resource: str(v.resource), subresource: str(v.subresource), namespace: str(v.namespace), name: str(v.name), apiGroup: str(v.apiGroup) };
}

function annotations(v: JsonValue | undefined): Readonly<Record<string, string>> {
  if (!isObject(v)) return NO_ANNOTATIONS;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
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
  const anns = annotations(v.annotations);
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
    decision: anns['authorization.k8s.io/decision'] ?? '',
    reason: anns['authorization.k8s.io/reason'] ?? '',
    time: timestamp ? Date.parse(timestamp) || 0 : 0,
    timestamp,
    requestObject: isObject(v.requestObject) ? v.requestObject : undefined,
    responseObject: isObject(v.responseObject) ? v.responseObject : undefined,
    annotations: anns,
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
