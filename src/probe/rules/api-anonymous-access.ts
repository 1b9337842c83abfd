import { defineProbeRule } from '../rule.js';
import type { ProbedEndpoint } from '../model.js';
import { example, obs, plural } from './facts.js';

const LISTS: [key: string, what: string, scope: string][] = [
  ['api.secrets', 'secret', ''],
  ['api.pods', 'pod', ''],
  ['api.nodes', 'node', ''],
  ['api.namespaces', 'namespace', ''],
  ['api.secrets.kube-system', 'secret', 'kube-system'],
  ['api.secrets.default', 'secret', 'default'],
  ['api.pods.kube-system', 'pod', 'kube-system'],
  ['api.pods.default', 'pod', 'default'],
];

/** What an unauthenticated client could list, as "secrets (4), pods (5)". */
export function listedResources(ep: ProbedEndpoint): { names: string[]; evidence: string[] } {
  const names: string[] = [];
  const evidence: string[] = [];
  const clusterWide = new Set<string>();
  for (const [key, what, scope] of LISTS) {
    const o = obs(ep, key);
    if (o?.status !== 200) continue;
    // namespace lists add nothing when the cluster-wide list of the same kind is open
    if (scope !== '' && clusterWide.has(what)) continue;
    if (scope === '') clusterWide.add(what);
    const n = o.counts?.items;
    names.push(scope === '' ? `${what}s` : `${what}s in ${scope}`);
    evidence.push(`${o.request} → 200${n !== undefined ? ` (${plural(n, what)})` : ''}`);
  }
  return { names, evidence };
}

export default defineProbeRule({
  meta: {
    id: 'KM-EX-005',
    title: 'API server gives anonymous users access to resources',
    severity: 'high',
    door: 'exposure',
    description:
      'An unauthenticated request to the API server was allowed to list cluster resources: anonymous authentication is on and RBAC grants `system:anonymous` or `system:unauthenticated` more than the discovery and health endpoints. Whoever reaches the API server reads what those bindings allow — secrets hold service-account tokens and credentials, pods hold env values and the names needed to attack them. (A 401 or 403 is not access: kubemoat reports only requests that succeeded.)',
    remediation: 'Remove RoleBindings and ClusterRoleBindings whose subjects are `system:anonymous` or `system:unauthenticated` (beyond the default `system:public-info-viewer`), and set `--anonymous-auth=false` on the API server where health checks do not need it (or limit it to health paths with an AuthenticationConfiguration `anonymous.conditions`).',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests', 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles'],
    frameworks: { cis: ['1.2.1', '5.1.1'], nsa: ['NSA-CISA Kubernetes Hardening: authentication and authorization'], mitre: ['T1078.001', 'T1552.007'] },
    messages: { listed: 'API server at {{endpoint}} lets anonymous users list {{resources}}' },
  },
  examples: {
    fail: [
      example('kube-apiserver', 'https', {
        'api.pods': { request: 'GET /api/v1/pods?limit=1', status: 200, counts: { items: 5 } },
        'api.secrets': { request: 'GET /api/v1/secrets?limit=1', status: 200, counts: { items: 2 } },
        'api.namespaces': { request: 'GET /api/v1/namespaces?limit=1', status: 403 },
      }),
      example('kube-apiserver', 'https', {
        'api.secrets': { request: 'GET /api/v1/secrets?limit=1', status: 403 },
        'api.secrets.kube-system': { request: 'GET /api/v1/namespaces/kube-system/secrets?limit=1', status: 200, counts: { items: 7 } },
      }),
    ],
    pass: [
      // 403 as system:anonymous: anonymous authentication is on, but nothing is allowed (KM-EX-006)
      example('kube-apiserver', 'https', {
        'api.pods': { request: 'GET /api/v1/pods?limit=1', status: 403, shape: 'Status Forbidden: pods is forbidden: User "system:anonymous" cannot list resource "pods"' },
        'api.secrets': { request: 'GET /api/v1/secrets?limit=1', status: 401 },
      }),
      // plain HTTP is KM-EX-007's
      example('kube-apiserver', 'http', { 'api.pods': { request: 'GET /api/v1/pods?limit=1', status: 200, counts: { items: 5 } } }, { port: 8080 }),
    ],
  },
  check(ep) {
    if (ep.service !== 'kube-apiserver' || ep.scheme !== 'https') return [];
    const { names, evidence } = listedResources(ep);
    const rules = obs(ep, 'api.ssrr');
    if (rules?.status === 201 || rules?.status === 200) {
      if (rules.samples?.length) evidence.push(`SelfSubjectRulesReview in default: ${rules.samples.join('; ')}`);
    }
    if (names.length === 0) return [];
    return [{ messageId: 'listed', data: { resources: names.join(', ') }, evidence: evidence.join('; '), ...(names.some((n) => n.startsWith('secrets')) ? { severity: 'critical' as const } : {}) }];
  },
});
