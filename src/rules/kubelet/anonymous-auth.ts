import { defineRule } from '../../core/rule.js';
import { kubelet, subject } from './settings.js';

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
    ],
    pass: [
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
    return {
      kinds: {
        KubeletConfiguration(o) {
          const anonymous = kubelet.anonymousAuth(o);
          if (anonymous.value) context.report({ node: o, messageId: 'anonymous', at: anonymous.at, evidence: anonymous.shown, data: { subject: subject(o) } });
        },
      },
    };
  },
});
