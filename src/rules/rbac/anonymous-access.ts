import type { Severity } from '../../core/finding.js';
import { asArray, asObject, asString, type JsonObject } from '../../core/json.js';
import { defineRule } from '../../core/rule.js';
import type { KubeObject } from '../../inventory/objects.js';

// Judges the API server's own answers (SubjectAccessReviews for system:anonymous, gathered by
// `kubemoat cluster` only when the server admits anonymous callers) to what anyone without
// credentials may do. Unlike KM-RB-002, which judges binding objects, this sees every authorizer:
// AlwaysAllow, ABAC and webhooks included.

interface Allowed {
  question: string;
  verb: string;
  resource?: string;
  subresource?: string;
  path?: string;
  reason: string;
}

function allowedOf(o: KubeObject): Allowed[] {
  return asArray(asObject(o.raw.status)?.allowed).flatMap((item) => {
    const a: JsonObject | undefined = asObject(item);
    const question = asString(a?.question);
    const verb = asString(a?.verb);
    if (!a || !question || !verb) return [];
    return [{ question, verb, resource: asString(a.resource), subresource: asString(a.subresource), path: asString(a.path), reason: asString(a.reason) ?? '' }];
  });
}

/** What an anonymous caller gains with one allowed question. */
function severityOf(a: Allowed): Severity {
  if (a.path !== undefined) return a.path === '/metrics' || a.path === '/debug/pprof' ? 'medium' : 'high';
  if (a.verb !== 'get' && a.verb !== 'list') return 'critical';
  if (a.resource === '*' || a.resource === 'secrets' || a.subresource === 'proxy') return 'critical';
  if (a.resource === 'nodes' || a.resource === 'namespaces') return 'medium';
  return 'high';
}

const RANK: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export default defineRule({
  meta: {
    id: 'KM-RB-003',
    title: 'API server lets anonymous callers read or change the cluster',
    severity: 'critical',
    door: 'rbac',
    description:
      'On a live cluster whose API server admits anonymous requests, kubemoat asks the server itself (SubjectAccessReviews for ' +
      '`system:anonymous`) whether anyone without credentials may read secrets, list pods (their env often holds keys), create pods, ' +
      'exec into them, mint tokens, change bindings, reach kubelets through `nodes/proxy`, or do everything. The answer covers every ' +
      'authorizer, not only RBAC: `--authorization-mode=AlwaysAllow`, an ABAC policy or a webhook that admits anonymous callers shows ' +
      'here even when no binding names them. Clusters found on the internet are taken over this way. A question allowed cluster-wide ' +
      'is reported once, not again in every namespace.',
    remediation:
      'Turn anonymous authentication off (`--anonymous-auth=false`, or an AuthenticationConfiguration that admits anonymous callers only ' +
      'on /healthz, /livez and /readyz), remove bindings to `system:anonymous` and `system:unauthenticated` (KM-RB-002 names them), and ' +
      'keep AlwaysAllow out of `--authorization-mode`.',
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests',
      'https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access',
    ],
    frameworks: { cis: ['1.2.1', '5.1.1'], nsa: ['NSA-CISA Authentication and authorization: disable anonymous access'], mitre: ['T1078.001', 'T1552.007'] },
    messages: {
      anonymous: 'the API server lets anonymous callers {{allowed}} {{scope}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: kubemoat.io/v1alpha1
kind: AnonymousAccessReview
metadata: {name: "system:anonymous"}
status:
  anonymousAuthentication: enabled
  allowed:
    - {question: list secrets, verb: list, group: "", resource: secrets, reason: 'RBAC: allowed by ClusterRoleBinding "anonymous-reader" of ClusterRole "reader" to User "system:anonymous"'}
    - {question: list pods, verb: list, group: "", resource: pods, reason: 'RBAC: allowed by ClusterRoleBinding "anonymous-reader" of ClusterRole "reader" to User "system:anonymous"'}`,
      `# --authorization-mode=AlwaysAllow answers yes to everything
apiVersion: kubemoat.io/v1alpha1
kind: AnonymousAccessReview
metadata: {name: "system:anonymous", namespace: shop}
status:
  anonymousAuthentication: enabled
  allowed:
    - {question: "* */*", verb: "*", group: "*", resource: "*", reason: ""}`,
    ],
    pass: [
      `# anonymous requests admitted (health checks), but none of the questions allowed
apiVersion: kubemoat.io/v1alpha1
kind: AnonymousAccessReview
metadata: {name: "system:anonymous"}
status:
  anonymousAuthentication: enabled
  allowed: []`,
    ],
  },
  create(context) {
    let clusterWide: Set<string> | undefined;
    return {
      kinds: {
        AnonymousAccessReview(o) {
          if (o.namespace !== undefined) {
            clusterWide ??= new Set(context.inventory.ofKind('AnonymousAccessReview').filter((r) => r.namespace === undefined).flatMap((r) => allowedOf(r).map((a) => a.question)));
          }
          // what is allowed cluster-wide is allowed in every namespace too: reported once
          const judged = allowedOf(o).filter((a) => o.namespace === undefined || !(clusterWide?.has(a.question) ?? false));
          if (judged.length === 0) return;
          const severity = judged.map(severityOf).reduce((a, b) => (RANK.indexOf(b) > RANK.indexOf(a) ? b : a));
          const reasons = [...new Set(judged.map((a) => a.reason).filter((r) => r !== ''))];
          context.report({
            node: o,
            messageId: 'anonymous',
            data: { allowed: judged.map((a) => a.question).join(', '), scope: o.namespace === undefined ? 'cluster-wide' : `in namespace ${o.namespace}` },
            at: ['status', 'allowed'],
            severity,
            evidence: `SubjectAccessReview for system:anonymous (group system:unauthenticated): ${reasons.length ? reasons.join('; ') : 'allowed (the authorizer gave no reason)'}`,
          });
        },
      },
    };
  },
});

