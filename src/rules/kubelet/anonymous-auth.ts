import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-KL-001',
    title: 'Kubelet accepts anonymous requests',
    severity: 'critical',
    door: 'kubelet',
    description:
      'With anonymous authentication on, anyone who reaches port 10250 is `system:anonymous` to the kubelet. Unless authorization is Webhook and denies them, they can list every pod with its environment (`/pods`) and run commands in containers (`/run`, `/exec`) — the way TeamTNT-style campaigns planted miners. These requests never pass through the API server, so its audit log and admission control never see them.',
    remediation: 'Set `authentication.anonymous.enabled: false` in the kubelet configuration (or `--anonymous-auth=false`), with `authentication.x509.clientCAFile` and `authentication.webhook.enabled: true` so the API server and real users can still authenticate.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/', 'https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/'],
    frameworks: { cis: ['4.2.1'], nsa: ['NSA-CISA Network separation: control plane hardening'], mitre: ['T1609', 'T1552.007'] },
    messages: { anonymous: '{{subject}} accepts anonymous requests on its API (port 10250)' },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: true
authorization:
  mode: Webhook`,
      // a kubelet run in a pod with flags and no --config: the command line's default is anonymous on
      `apiVersion: v1
kind: Pod
metadata: {name: kind-node, namespace: ci}
spec:
  containers:
    - name: kubelet
      image: registry.k8s.io/kubelet:v1.31.0
      command: [kubelet, --kubeconfig=/etc/kubernetes/kubelet.conf, --authorization-mode=Webhook]`,
    ],
    pass: [
      // its --config file is not in the input: only the flags are judged, and they say nothing against it
      `apiVersion: v1
kind: Pod
metadata: {name: kind-node, namespace: ci}
spec:
  containers:
    - name: kubelet
      image: registry.k8s.io/kubelet:v1.31.0
      command: [kubelet, --config=/var/lib/kubelet/config.yaml, --kubeconfig=/etc/kubernetes/kubelet.conf]`,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false`,
      `# the v1beta1 default is anonymous off
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 0`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const anonymous = kubelet.anonymousAuth(k);
      if (anonymous.value) context.report({ node: reportNode(k), messageId: 'anonymous', at: anonymous.at, evidence: anonymous.shown, data: { subject: subject(k) } });
    });
  },
});
