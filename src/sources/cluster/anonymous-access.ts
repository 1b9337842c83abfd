// What an anonymous caller may do, as the API server itself answers it. RBAC evaluated from the
// objects misses every other authorizer (AlwaysAllow, ABAC, webhooks), so this asks the server:
//
// 1. A GET of /api with no credentials tells whether the server admits anonymous callers at all;
//    401 means anonymous authentication is off and nothing more needs asking.
// 2. If it does, SubjectAccessReviews for `system:anonymous` (group `system:unauthenticated`) ask
//    the questions that matter to an attacker (read secrets? create pods? exec? everything?), once
//    cluster-wide and once in each namespace. Reviews are evaluated, never stored, and need only
//    `create subjectaccessreviews`. (A SelfSubjectRulesReview under impersonation cannot be used:
//    anonymous callers may not create one.)
//
// The answers enter the inventory as AnonymousAccessReview objects (kubemoat.io/v1alpha1), one
// cluster-scoped and one per namespace, only when the server admits anonymous callers.

import type { CoverageGap } from '../../core/finding.js';
import { asObject, asString, type JsonObject } from '../../core/json.js';
import { toKubeObject, type KubeObject } from '../../inventory/objects.js';
import type { ClusterConnection } from './connection.js';

export const ANONYMOUS_USER = 'system:anonymous';
export const ANONYMOUS_GROUP = 'system:unauthenticated';
export const ANONYMOUS_REVIEW_API_VERSION = 'kubemoat.io/v1alpha1';
export const ANONYMOUS_REVIEW_KIND = 'AnonymousAccessReview';
const SAR_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
/** Namespaces beyond this many are not asked about (one request per question each), and that is said. */
export const MAX_NAMESPACE_REVIEWS = 100;

/** One question: a resource attribute (verb, group, resource[/subresource]) or a non-resource URL. */
export type AccessQuestion =
  | { verb: string; group: string; resource: string; subresource?: string }
  | { verb: string; path: string };

/** The doors an anonymous caller opens, asked in every scope (namespaced ones in each namespace). */
export const ANONYMOUS_QUESTIONS: readonly AccessQuestion[] = [
  { verb: '*', group: '*', resource: '*' },
  { verb: 'list', group: '', resource: 'secrets' },
  { verb: 'get', group: '', resource: 'secrets' },
  { verb: 'create', group: '', resource: 'pods' },
  { verb: 'create', group: '', resource: 'pods', subresource: 'exec' },
  { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token' },
  { verb: 'list', group: '', resource: 'pods' },
  { verb: 'list', group: '', resource: 'configmaps' },
  { verb: 'patch', group: 'apps', resource: 'deployments' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
];

/** Asked once, cluster-wide: cluster-scoped resources and non-resource URLs. */
export const ANONYMOUS_CLUSTER_QUESTIONS: readonly AccessQuestion[] = [
  { verb: 'get', group: '', resource: 'nodes', subresource: 'proxy' },
  { verb: 'list', group: '', resource: 'nodes' },
  { verb: 'list', group: '', resource: 'namespaces' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  { verb: 'impersonate', group: '', resource: 'users' },
  { verb: 'get', path: '/logs' },
  { verb: 'get', path: '/metrics' },
  { verb: 'get', path: '/debug/pprof' },
];

export function describeQuestion(q: AccessQuestion): string {
  if ('path' in q) return `${q.verb} ${q.path}`;
  const resource = q.subresource ? `${q.resource}/${q.subresource}` : q.resource;
  return `${q.verb} ${q.group === '' ? '' : `${q.group}/`}${resource}`;
}

export interface AnonymousAccess {
  objects: KubeObject[];
  coverage: CoverageGap[];
}

export type AnonymousAuthentication = 'enabled' | 'disabled' | { unknown: string };

/** Whether the server admits callers without credentials: any answer but 401 means it does. */
export async function anonymousAuthentication(conn: ClusterConnection): Promise<AnonymousAuthentication> {
  const res = await conn.getAnonymously('/api');
  if (res.ok || res.status === 403) return 'enabled';
  if (res.status === 401) return 'disabled';
  return { unknown: res.reason };
}

type Answer = { ok: true; allowed: boolean; reason: string } | { ok: false; error: string; status: number };

async function ask(conn: ClusterConnection, q: AccessQuestion, namespace: string | undefined): Promise<Answer> {
  const attributes: JsonObject = 'path' in q
    ? { nonResourceAttributes: { verb: q.verb, path: q.path } }
    : { resourceAttributes: { verb: q.verb, group: q.group, resource: q.resource, ...(q.subresource ? { subresource: q.subresource } : {}), ...(namespace ? { namespace } : {}) } };
  const res = await conn.create(SAR_PATH, { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: ANONYMOUS_USER, groups: [ANONYMOUS_GROUP], ...attributes } });
  if (!res.ok) return { ok: false, error: res.reason, status: res.status };
  const status = asObject(asObject(res.body)?.status);
  return { ok: true, allowed: status?.allowed === true, reason: asString(status?.reason) ?? '' };
}

function reviewObject(conn: ClusterConnection, namespace: string | undefined, allowed: JsonObject[]): KubeObject | undefined {
  const raw: JsonObject = {
    apiVersion: ANONYMOUS_REVIEW_API_VERSION,
    kind: ANONYMOUS_REVIEW_KIND,
    metadata: namespace === undefined ? { name: ANONYMOUS_USER } : { name: ANONYMOUS_USER, namespace },
    status: { anonymousAuthentication: 'enabled', allowed },
  };
  return toKubeObject(raw, { type: 'cluster', context: conn.context });
}

export async function collectAnonymousAccess(conn: ClusterConnection, namespaces: readonly string[], concurrency: number): Promise<AnonymousAccess> {
  const coverage: CoverageGap[] = [];
  const objects: KubeObject[] = [];
  const authn = await anonymousAuthentication(conn);
  if (authn === 'disabled') return { objects, coverage };
  if (typeof authn === 'object') {
    coverage.push({ target: 'anonymous access', reason: `cannot tell whether the API server admits anonymous requests: ${authn.unknown}`, severity: 'warning' });
    return { objects, coverage };
  }
  const asked = namespaces.slice(0, MAX_NAMESPACE_REVIEWS);
  if (namespaces.length > asked.length) {
    coverage.push({ target: 'anonymous access', reason: `what anonymous callers may do was asked in the first ${asked.length} of ${namespaces.length} namespaces only`, severity: 'warning' });
  }
  const scopes: (string | undefined)[] = [undefined, ...asked];
  const jobs = scopes.flatMap((ns) => (ns === undefined ? [...ANONYMOUS_QUESTIONS, ...ANONYMOUS_CLUSTER_QUESTIONS] : ANONYMOUS_QUESTIONS).map((q) => ({ ns, q })));
  const allowed = new Map<string | undefined, JsonObject[]>(scopes.map((ns) => [ns, []]));
  let refused: Extract<Answer, { ok: false }> | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && refused === undefined) {
      const { ns, q } = jobs[next++];
      const answer = await ask(conn, q, ns);
      if (!answer.ok) {
        refused = answer;
        return;
      }
      if (answer.allowed) allowed.get(ns)?.push({ question: describeQuestion(q), ...q, reason: answer.reason });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  if (refused !== undefined) {
    const fix = refused.status === 403 ? '; grant `create subjectaccessreviews` (docs/cluster-role.yaml does)' : '';
    coverage.push({ target: 'anonymous access', reason: `the API server admits anonymous requests, but what they may do could not be asked: ${refused.error}${fix}`, severity: 'warning' });
    return { objects, coverage };
  }
  for (const ns of scopes) {
    const answers = (allowed.get(ns) ?? []).sort((a, b) => String(a.question).localeCompare(String(b.question)));
    const o = reviewObject(conn, ns, answers);
    if (o) objects.push(o);
  }
  return { objects, coverage };
}
