import { defineRule } from '../../core/rule.js';
import { asString, isFalse, isTrue } from '../../core/json.js';
import type { KubeObject } from '../../inventory/objects.js';
import { DOCS, MITRE, NSA } from '../references.js';

/**
 * A static pod gets no service account token: the kubelet runs it from a file, and the API server
 * admits its mirror pod without a ServiceAccount. Live mirror pods carry the kubelet's annotations;
 * in manifests, a Pod file in the kubelet's static pod directory (or a `static`/`static-pods` one).
 */
function isStaticPod(o: KubeObject): boolean {
  if (o.kind !== 'Pod') return false;
  if (o.annotations['kubernetes.io/config.mirror'] !== undefined) return true;
  const source = o.annotations['kubernetes.io/config.source'];
  if (source === 'file' || source === 'http') return true;
  if (o.origin.type !== 'file') return false;
  const file = o.origin.file.replace(/\\/g, '/');
  return /(^|\/)etc\/kubernetes\/manifests\//.test(file) || /(^|\/)(static|static-pods)\/[^/]+$/.test(file);
}

export default defineRule({
  meta: {
    id: 'KM-WL-023',
    title: 'Service account token automounted',
    severity: 'low',
    door: 'workload',
    description:
      'Unless the pod or its ServiceAccount turns it off, every container gets an API token at /var/run/secrets/kubernetes.io/serviceaccount. ' +
      'Anyone who gets code execution in the pod (a vulnerable app, an SSRF that reads files) can use it against the API server with the account\'s permissions, and explore what else it can reach. ' +
      'Most applications never talk to the API. The pod\'s `automountServiceAccountToken` wins; when it is unset, the ServiceAccount\'s own setting counts if that ServiceAccount is in the same input and namespace ' +
      '(`default` when the pod names none). Static pods are not reported: the kubelet gives them no token.',
    remediation: 'Set `automountServiceAccountToken: false` on the pod, or on its ServiceAccount. Pods that do need the API should use a dedicated ServiceAccount with minimal RBAC, or a projected token with a short expiry and a specific audience.',
    references: [DOCS.serviceAccounts, DOCS.serviceAccountTokens],
    frameworks: { cis: ['5.1.6'], nsa: [NSA.serviceAccountTokens], mitre: [MITRE.stealApplicationAccessToken, MITRE.containerApi] },
    notForControlPlane: true,
    messages: {
      automounted: '{{resource}} mounts the API token of service account `{{account}}`',
      explicit: '{{resource}} explicitly mounts the API token of service account `{{account}}` (automountServiceAccountToken: true)',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - {name: web, image: "nginx:1.27"}`,
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  serviceAccountName: app
  automountServiceAccountToken: "true"
  containers:
    - {name: c, image: "busybox:1.36"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  automountServiceAccountToken: false
  containers:
    - {name: c, image: "busybox:1.36"}`,
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: worker, namespace: jobs}
automountServiceAccountToken: false
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: jobs}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: worker
          restartPolicy: OnFailure
          containers:
            - {name: job, image: "registry.example.com/job:1.0"}`,
      `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver-node1
  namespace: kube-system
  annotations:
    kubernetes.io/config.mirror: 3f1c0a8e
    kubernetes.io/config.source: file
spec:
  containers:
    - {name: kube-apiserver, image: "registry.k8s.io/kube-apiserver:v1.31.0"}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        if (isStaticPod(pod.object)) return;
        const own = pod.spec.automountServiceAccountToken;
        const account = asString(pod.spec.serviceAccountName) || asString(pod.spec.serviceAccount) || 'default';
        if (isFalse(own)) return;
        if (isTrue(own)) {
          context.report({ node: pod, messageId: 'explicit', data: { account }, at: ['automountServiceAccountToken'], evidence: `serviceAccountName: ${account}; automountServiceAccountToken: true` });
          return;
        }
        const sa = context.inventory.inNamespace('ServiceAccount', pod.object.namespace).find((o) => o.name === account);
        if (sa !== undefined && isFalse(sa.raw.automountServiceAccountToken)) return;
        const where = pod.spec.serviceAccountName !== undefined ? ['serviceAccountName'] : pod.spec.serviceAccount !== undefined ? ['serviceAccount'] : ['automountServiceAccountToken'];
        context.report({
          node: pod,
          messageId: 'automounted',
          data: { account },
          at: where,
          evidence: sa === undefined ? `serviceAccountName: ${account} (ServiceAccount not in the input)` : `serviceAccountName: ${account} (ServiceAccount does not disable automount)`,
        });
      },
    };
  },
});
