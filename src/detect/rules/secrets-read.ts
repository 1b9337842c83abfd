import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { podOfToken } from '../actors.js';
import { ANONYMOUS, CONTROLLER_MANAGER, DEV, KUBELET, auditEvent, controllerSA, inPod, podSA } from './examples.js';

const READ = new Set(['get', 'list', 'watch']);

export default defineDetection({
  meta: {
    id: 'KM-DT-016',
    title: 'Secrets read by a user or workload',
    severity: 'medium',
    description: 'Secrets were read through the API by someone other than the control plane (the kubelet fetching its pods\' secrets and the controllers are expected). Reading, and above all listing, secrets is how a stolen token turns into every credential of a namespace; accounts that legitimately do it (a GitOps controller, Helm) belong in this rule\'s allow-list.',
    response: 'Check that the reader needs secret values through the API. If not, revoke its rights (and its token) and rotate the secrets it read. Allow-list known readers in .kubemoat.yaml so the next alert means something.',
    mitre: ['T1552.007'],
    references: ['https://kubernetes.io/docs/concepts/security/secrets-good-practices/'],
    repeatWindowSec: 600,
  },
  on: ['secrets'],
  exemptControlPlane: true,
  create: () => (e) => {
    if (!READ.has(e.verb) || !succeeded(e)) return undefined;
    const ref = e.objectRef!;
    const what = ref.name ? `secret ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}` : `all secrets${ref.namespace ? ` in ${ref.namespace}` : ' in every namespace'}`;
    const pod = podOfToken(e.user);
    return {
      message: `${e.user.username}${pod ? ` (token of pod ${pod})` : ''} ${e.verb === 'get' ? 'read' : e.verb === 'list' ? 'listed' : 'watched'} ${what}`,
      severity: e.verb === 'get' ? 'medium' : 'high',
    };
  },
  examples: {
    trigger: [
      auditEvent({ verb: 'list', uri: '/api/v1/namespaces/lab-apps/secrets', resource: 'secrets', namespace: 'lab-apps', user: ANONYMOUS }),
      auditEvent({ verb: 'get', uri: '/api/v1/namespaces/lab-apps/secrets/cloud-credentials', resource: 'secrets', namespace: 'lab-apps', name: 'cloud-credentials', user: podSA('lab-apps', 'ci-deployer', 'app') }),
      auditEvent({ verb: 'list', uri: '/api/v1/secrets?limit=500', resource: 'secrets', user: DEV }),
      // a new account in kube-system that is named like a controller is not one
      auditEvent({ verb: 'list', uri: '/api/v1/secrets?limit=500', resource: 'secrets', user: controllerSA('x-controller') }),
      // a real controller's account, but its token used from a pod: kube-controller-manager's tokens are bound to no pod
      auditEvent({ verb: 'list', uri: '/api/v1/namespaces/kube-system/secrets', resource: 'secrets', namespace: 'kube-system', user: inPod(controllerSA('deployment-controller'), 'debug-shell') }),
      // kube-state-metrics' name outside kube-system is not the built-in entry (allow it in detect.allow)
      auditEvent({ verb: 'list', uri: '/api/v1/secrets?limit=500', resource: 'secrets', user: podSA('monitoring', 'kube-state-metrics', 'kube-state-metrics-6c9f7b7d8-x2x4q', 'kube-state-metrics/v2.13.0') }),
      // a managed platform's name doing what that identity never does (eks:k8s-metrics only lists)
      auditEvent({ verb: 'get', uri: '/api/v1/namespaces/kube-system/secrets/admin-token', resource: 'secrets', namespace: 'kube-system', name: 'admin-token', user: { username: 'eks:k8s-metrics', groups: ['system:authenticated'], userAgent: 'kubectl/v1.37.2 (linux/amd64) kubernetes/$Format' } }),
    ],
    ignore: [
      auditEvent({ verb: 'get', uri: '/api/v1/namespaces/lab-apps/secrets/cloud-credentials', resource: 'secrets', namespace: 'lab-apps', name: 'cloud-credentials', user: KUBELET }),
      auditEvent({ verb: 'watch', stage: 'ResponseStarted', uri: '/api/v1/secrets?allowWatchBookmarks=true&watch=true', resource: 'secrets', user: CONTROLLER_MANAGER }),
      auditEvent({ verb: 'get', code: 403, uri: '/api/v1/namespaces/kube-system/secrets/admin-token', resource: 'secrets', namespace: 'kube-system', name: 'admin-token', user: DEV }),
      auditEvent({ verb: 'create', code: 201, uri: '/api/v1/namespaces/shop/secrets', resource: 'secrets', namespace: 'shop', name: 'db', user: DEV }),
      // kube-controller-manager's own accounts doing their job
      auditEvent({ verb: 'list', uri: '/api/v1/namespaces/old-shop/secrets?limit=500', resource: 'secrets', namespace: 'old-shop', user: controllerSA('namespace-controller') }),
      auditEvent({ verb: 'watch', stage: 'ResponseStarted', uri: '/api/v1/namespaces/kube-system/secrets?watch=true', resource: 'secrets', namespace: 'kube-system', user: controllerSA('token-cleaner') }),
      // managed identities at their job (trust.ts): EKS's add-on manager, kube-state-metrics in kube-system from its pod
      auditEvent({ verb: 'get', uri: '/api/v1/namespaces/kube-system/secrets/aws-node-token', resource: 'secrets', namespace: 'kube-system', name: 'aws-node-token', user: { username: 'eks:addon-manager', groups: ['system:authenticated'], userAgent: 'eks-addon-manager/v0.0.0 (linux/amd64) kubernetes/$Format' } }),
      auditEvent({ verb: 'list', uri: '/api/v1/secrets?limit=500', resource: 'secrets', user: podSA('kube-system', 'kube-state-metrics', 'kube-state-metrics-6c9f7b7d8-x2x4q', 'kube-state-metrics/v2.13.0') }),
    ],
  },
});
