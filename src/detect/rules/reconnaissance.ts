import { defineDetection, type Hit } from '../rule.js';
import { succeeded, type AuditEvent } from '../../sources/audit/event.js';
import { isAnonymous, serviceAccountOf } from '../actors.js';
import { userAgentKind } from '../user-agents.js';
import { Windows } from '../windows.js';
import { ADMIN, ANONYMOUS, DEV, KUBELET, auditEvent, podSA, type ExampleUser } from './examples.js';

/** One identity's requests within the window. */
interface Window {
  start: number;
  reviews: number;
  types: Set<string>;
  reviewsAlerted: boolean;
  typesAlerted: boolean;
}

const WINDOW_SEC = 60;
/** this many self reviews (`kubectl auth can-i` checks) in the window… */
const REVIEW_BURST = 5;
/** …or reads of this many resource types (`kubectl get all` reads 10) */
const TYPE_BURST = 12;
const REVIEWS = new Set(['selfsubjectrulesreviews', 'selfsubjectaccessreviews']);
const READS = new Set(['get', 'list']);

/**
 * A hand-driven client: kubectl, a script, an attack tool, or none named. Operators and agents
 * (client-go informers) read dozens of types at start-up by design; they announce themselves.
 */
function byHand(ua: string): boolean {
  return ua === '' || ua.startsWith('kubectl/') || userAgentKind(ua) !== 'ok';
}

/** A workload, a node or nobody asking what it may do: people do, software seldom needs to. */
function unusualAsker(e: AuditEvent): string | undefined {
  if (isAnonymous(e.user)) return 'anonymous';
  if (e.user.username.startsWith('system:node:')) return 'a node credential';
  return serviceAccountOf(e.user.username) ? 'a service-account token' : undefined;
}

const PROBE_TYPES = ['pods', 'secrets', 'configmaps', 'serviceaccounts', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings', 'nodes', 'namespaces', 'deployments', 'daemonsets', 'services', 'endpoints', 'ingresses', 'networkpolicies'];

function read(i: number, user: ExampleUser = DEV, userAgent?: string, at = i) {
  const resource = PROBE_TYPES[i % PROBE_TYPES.length];
  return auditEvent({ verb: 'list', uri: `/api/v1/${resource}?limit=500`, resource, user, at, ...(userAgent ? { userAgent } : {}) });
}

function review(i: number, kind: 'selfsubjectrulesreviews' | 'selfsubjectaccessreviews', user: ExampleUser = DEV) {
  return auditEvent({ verb: 'create', code: 201, uri: `/apis/authorization.k8s.io/v1/${kind}`, resource: kind, apiGroup: 'authorization.k8s.io', user, at: i });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-042',
    title: 'Reconnaissance: permissions or resource types enumerated',
    severity: 'medium',
    description: `An identity (not the control plane) mapped what it can reach: a SelfSubjectRulesReview or SelfSubjectAccessReview (\`kubectl auth can-i\`) made with a service-account token, a node credential or no credential at all; ${REVIEW_BURST} or more self reviews within ${WINDOW_SEC} s by anyone; or reads of ${TYPE_BURST} or more resource types within ${WINDOW_SEC} s from kubectl or a scripted client. That is the first thing a stolen token is used for (peirates, kubectl auth can-i --list, a loop over \`kubectl get\`). Operators and agents that read many types through client-go (their own user agents) are not counted.`,
    response: 'Find where the credential came from (the pod named in its token, the source address). If the identity should not be exploring the cluster, revoke the credential and look at what it did next (KM-DT-016, KM-DT-030).',
    mitre: ['T1613', 'T1069'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access', 'https://attack.mitre.org/techniques/T1613/'],
    repeatWindowSec: 600,
  },
  on: '*',
  exemptControlPlane: true,
  create: () => {
    // by identity alone: a stolen token enumerating from two places is one enumeration
    const windows = new Windows<Window>(WINDOW_SEC * 1000, (start) => ({ start, reviews: 0, types: new Set(), reviewsAlerted: false, typesAlerted: false }));
    return (e): Hit | undefined => {
      const resource = e.objectRef?.resource ?? '';
      if (resource === '' || e.objectRef?.subresource) return undefined;
      const now = e.time || Date.now();
      if (REVIEWS.has(resource)) {
        if (e.verb !== 'create' || !succeeded(e)) return undefined;
        const asker = unusualAsker(e);
        const w = windows.at(e.user.username, now);
        w.reviews++;
        if (asker) return { message: `${e.user.username} (${asker}) asked the API server what it may do (${resource})`, details: { kind: 'self-review', asker } };
        if (w.reviewsAlerted || w.reviews < REVIEW_BURST) return undefined;
        w.reviewsAlerted = true;
        return { message: `${e.user.username} made ${w.reviews} permission checks (self reviews) in ${Math.max(1, Math.round((now - w.start) / 1000))} s`, details: { kind: 'self-review burst', reviews: String(w.reviews) } };
      }
      if (!READS.has(e.verb) || !byHand(e.userAgent)) return undefined;
      const w = windows.at(e.user.username, now);
      if (w.typesAlerted) return undefined;
      w.types.add(resource);
      if (w.types.size < TYPE_BURST) return undefined;
      w.typesAlerted = true;
      const types = [...w.types];
      return {
        message: `${e.user.username} read ${types.length} resource types in ${Math.max(1, Math.round((now - w.start) / 1000))} s (${types.slice(0, 8).join(', ')}, …)`,
        details: { kind: 'enumeration', types: types.join(',') },
      };
    };
  },
  examples: {
    trigger: [
      review(0, 'selfsubjectrulesreviews', podSA('lab-apps', 'default', 'app')),
      review(0, 'selfsubjectaccessreviews', ANONYMOUS),
      Array.from({ length: 5 }, (_, i) => review(i, 'selfsubjectaccessreviews')),
      Array.from({ length: 12 }, (_, i) => read(i)),
      Array.from({ length: 12 }, (_, i) => read(i, podSA('lab-apps', 'default', 'app', 'curl/7.88.1'))),
    ],
    ignore: [
      // a person checking one permission
      review(0, 'selfsubjectrulesreviews', ADMIN),
      Array.from({ length: 4 }, (_, i) => review(i, 'selfsubjectaccessreviews')),
      // kubectl get all: 10 types
      Array.from({ length: 10 }, (_, i) => read(i)),
      // an operator's informers at start-up (client-go, its own user agent)
      Array.from({ length: 16 }, (_, i) => read(i, podSA('monitoring', 'kube-state-metrics', 'kube-state-metrics-6c9f7b7d8-x2x4q'), 'kube-state-metrics/v2.13.0 (linux/amd64) kubernetes/$Format')),
      // the same types, but spread over more than a minute
      Array.from({ length: 12 }, (_, i) => read(i, DEV, undefined, i * 10)),
      // kubelets are the control plane
      Array.from({ length: 16 }, (_, i) => read(i, KUBELET)),
    ],
  },
});
