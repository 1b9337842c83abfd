// The detector's fast path for file and stdin input. About three events in four in a busy cluster
// are the control plane reading and updating objects, and no rule can raise anything on them; parsing
// each one fully (JSON.parse) is most of the cost of reading a log. The API server writes every
// event with the same field order (Go's encoding/json follows the struct), so the few fields that
// decide "nothing to judge here" are found with indexOf. Any doubt (another writer, an escape in a
// value, a failure status, a subresource that matters, an unusual authorizer reason) means a full
// parse: this path may only ever skip, never judge.

import { DEFAULT_TRUST, type TrustPolicy } from './trust.js';
import type { AuditUser } from '../sources/audit/event.js';
import { userAgentKind } from './user-agents.js';

/** The start of every event kube-apiserver writes (json.Marshal of audit.k8s.io/v1 Event). */
const PREFIX = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"';
const KIND = '{"kind":"Event",';
const ITEM_LEVEL = '{"level":"';

/** Requests judged even when the control plane makes them, and pod creations (KM-DT-032 learns pods' accounts from them). */
const ALWAYS_JUDGED = new Set(['pods/exec', 'pods/attach', 'pods/portforward', 'pods/ephemeralcontainers', 'nodes/proxy', 'services/proxy', 'pods/proxy']);

const STATUS = ',"responseStatus":{"metadata":{},"code":';
const REASON_KEY = '"authorization.k8s.io/reason":"';
/** The control plane is allowed by its bootstrap bindings, all named system:… */
const BOOTSTRAP_REASON = 'RBAC: allowed by ClusterRoleBinding \\"system:';

const LEVELS = ['Metadata', 'Request', 'RequestResponse', 'None'];
const AUDIT_ID = '","auditID":"';
const STAGE = '","stage":"ResponseComplete","requestURI":"';
const VERB = '","verb":"';
const USER = '","user":{"username":"';
const UA = '],"userAgent":"';
const REF = ',"objectRef":{"resource":"';
const EMPTY_REASON_END = '"authorization.k8s.io/reason":""}}';

/**
 * The audit ID when the line is an event no rule could alert on (the control plane, allowed, a
 * plain client, a resource no rule judges for it, ResponseComplete); otherwise undefined. Each
 * field is read where Go's field order puts it (startsWith at a known offset); the variable-length
 * parts (URI, groups and extra) cost one indexOf each.
 */
export function skippableAuditID(text: string, trust: TrustPolicy = DEFAULT_TRUST): string | undefined {
  // a log line starts with kind and apiVersion; an item of the webhook's EventList with the level
  // (comparing a slice is about twice as fast as a long startsWith in V8)
  let p: number;
  if (text.startsWith(ITEM_LEVEL)) p = ITEM_LEVEL.length;
  else if (text.startsWith(KIND) && text.slice(0, PREFIX.length) === PREFIX) p = PREFIX.length;
  else return undefined;
  let level = '';
  for (const l of LEVELS) if (text.startsWith(l, p) && text.startsWith(AUDIT_ID, p + l.length)) level = l;
  if (level === '') return undefined;
  const idStart = p + level.length + AUDIT_ID.length;
  const idEnd = text.indexOf('"', idStart);
  if (idEnd < 0 || idEnd - idStart > 64 || text.slice(idEnd, idEnd + STAGE.length) !== STAGE) return undefined;
  const verbAt = text.indexOf(VERB, idEnd + STAGE.length);
  if (verbAt < 0) return undefined;
  p = verbAt + VERB.length;
  const verbEnd = text.indexOf('"', p);
  const verb = text.slice(p, verbEnd);
  if (!text.startsWith(USER, verbEnd)) return undefined;
  p = verbEnd + USER.length;
  const userEnd = text.indexOf('"', p);
  if (userEnd < 0) return undefined;
  const name = text.slice(p, userEnd);
  if (name.includes('\\')) return undefined;
  const uaAt = text.indexOf(UA, userEnd);
  if (uaAt < 0) return undefined;
  // the rest of the user object (uid, groups, extra), impersonatedUser if any, and sourceIPs
  const rest = text.slice(userEnd, uaAt);
  // an impersonating request has an impersonatedUser object between user and sourceIPs
  if (rest.includes('"impersonatedUser":')) return undefined;
  const user = userOf(name, rest);
  if (!user) return undefined;
  if (!trust.identity(user, trust.checksAddresses ? sourceIPsOf(rest) : NO_IPS)) return undefined;
  p = uaAt + UA.length;
  const uaEnd = text.indexOf('"', p);
  if (uaEnd < 0) return undefined;
  const ua = text.slice(p, uaEnd);
  if (ua.includes('\\') || userAgentKind(ua) !== 'ok') return undefined;
  let after = uaEnd + 1;
  if (text.startsWith(REF, after)) {
    const resStart = after + REF.length;
    const resEnd = text.indexOf('"', resStart);
    const close = text.indexOf('}', resEnd);
    if (resEnd < 0 || close < 0) return undefined;
    const resource = text.slice(resStart, resEnd);
    let key = resource;
    const ref = text.slice(resEnd, close);
    const subAt = ref.indexOf(',"subresource":"');
    if (subAt >= 0) {
      const subEnd = ref.indexOf('"', subAt + 16);
      key = `${resource}/${ref.slice(subAt + 16, subEnd)}`;
    }
    if (ALWAYS_JUDGED.has(key)) return undefined;
    if (key === 'pods' && verb === 'create') return undefined;
    // KM-DT-017 judges the control plane's token requests but a kubelet's (judgesTrusted)
    if (key === 'serviceaccounts/token' && !name.startsWith('system:node:')) return undefined;
    after = close + 1;
  }
  // success only: anything else (403, 500…) carries status fields and goes to the full parse
  if (!text.startsWith(STATUS, after)) return undefined;
  const c = text.charCodeAt(after + STATUS.length);
  if (c !== 0x31 && c !== 0x32 && c !== 0x33) return undefined; // 1xx, 2xx, 3xx
  if (!text.endsWith(EMPTY_REASON_END)) {
    const r = text.lastIndexOf(REASON_KEY);
    if (r >= 0 && text.charCodeAt(r + REASON_KEY.length) !== 0x22 && !text.startsWith(BOOTSTRAP_REASON, r + REASON_KEY.length)) return undefined;
  }
  return text.slice(idStart, idEnd);
}

const NO_IPS: readonly string[] = [];
const GROUPS = '"groups":[';
const NO_GROUPS: readonly string[] = [];
/** the groups TrustPolicy.identity checks */
const TRUST_GROUPS = ['system:nodes', 'system:serviceaccounts', 'system:serviceaccounts:kube-system'];
const QUOTED_TRUST_GROUPS = TRUST_GROUPS.map((g) => `"${g}"`);
const NO_EXTRA: Readonly<Record<string, readonly string[]>> = Object.freeze({});
/** extra keys whose presence alone changes the trust decision (a token bound to a pod or node) */
const BOUND_KEYS = ['authentication.kubernetes.io/pod-name', 'authentication.kubernetes.io/pod-uid', 'authentication.kubernetes.io/node-name'];

/**
 * The user as far as trust needs it, read from the text after the username: its groups (Go writes
 * uid, groups, extra in that order) and whether extra names a pod or node binding. Undefined when
 * the shape is anything else, so the event gets a full parse.
 */
function userOf(username: string, rest: string): AuditUser | undefined {
  const g = rest.indexOf(GROUPS);
  if (g < 0) return { username, groups: NO_GROUPS, extra: NO_EXTRA };
  const end = rest.indexOf(']', g);
  if (end < 0) return undefined;
  const inner = rest.slice(g + GROUPS.length, end);
  if (inner.includes('\\')) return undefined;
  // only the groups trust looks at; finding them by their quoted form is cheaper than splitting
  // (a quote inside a group name would be escaped, and escapes were refused above)
  const groups: string[] = [];
  for (let i = 0; i < TRUST_GROUPS.length; i++) if (inner.includes(QUOTED_TRUST_GROUPS[i])) groups.push(TRUST_GROUPS[i]);
  // the array must end where Go ends it: at the end of the user object, or before extra
  if (rest.charCodeAt(end + 1) === 0x7d) return { username, groups, extra: NO_EXTRA };
  if (!rest.startsWith(',"extra":{', end + 1)) return undefined;
  const extra: Record<string, readonly string[]> = {};
  for (const k of BOUND_KEYS) if (rest.includes(`"${k}"`, end)) extra[k] = [''];
  return { username, groups, extra };
}

/** `"sourceIPs":["a","b"` at the end of `rest` (the array's `]` is where the user agent starts). */
function sourceIPsOf(rest: string): readonly string[] {
  const at = rest.lastIndexOf('"sourceIPs":[');
  if (at < 0) return NO_IPS;
  const inner = rest.slice(at + 13);
  return inner.length < 2 ? NO_IPS : inner.slice(1, -1).split('","');
}

const LIST_PREFIX = '{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[';

/**
 * The items of an EventList body as the API server sends it (items start `{"level":"`, without kind
 * and apiVersion), without parsing the events the fast path skips: those stay raw strings, the
 * others are parsed. The body is cut where `},{"level":"` (or the long form with kind) follows an
 * item: that cannot occur inside a JSON string (its quotes would be escaped), and anywhere else
 * than between items it is inside a request or response body, nested at least two levels deeper.
 * So every piece holding a body is parsed, and a piece cut inside a body is left with unclosed
 * brackets and fails to parse; then (as for any other shape) the caller parses the whole body
 * instead: undefined.
 */
export function eventListItems(body: string, trust: TrustPolicy = DEFAULT_TRUST): unknown[] | undefined {
  // Go's encoder ends the body with a newline
  const text = body.endsWith('\n') ? body.trimEnd() : body;
  if (!text.startsWith(LIST_PREFIX) || !text.endsWith(']}')) return undefined;
  const inner = text.slice(LIST_PREFIX.length, text.length - 2);
  if (inner === '') return [];
  const start = inner.startsWith(ITEM_LEVEL) ? ITEM_LEVEL : inner.startsWith(PREFIX) ? PREFIX : undefined;
  if (start === undefined) return undefined;
  const ITEM_START = start;
  const parts = inner.split('},' + start);
  const out: unknown[] = [];
  for (let i = 0; i < parts.length; i++) {
    const piece = (i > 0 ? ITEM_START : '') + parts[i] + (i < parts.length - 1 ? '}' : '');
    const hasBody = piece.includes('"requestObject":') || piece.includes('"responseObject":');
    if (!hasBody && skippableAuditID(piece, trust) !== undefined) {
      out.push(piece);
      continue;
    }
    try {
      out.push(JSON.parse(piece));
    } catch {
      return undefined;
    }
  }
  return out;
}
