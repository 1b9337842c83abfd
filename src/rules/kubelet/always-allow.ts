import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-KL-002',
    title: 'Kubelet authorizes every request (AlwaysAllow)',
    severity: 'critical',
    door: 'kubelet',
    description:
      'With authorization mode AlwaysAllow the kubelet lets any caller it authenticated — and, with anonymous authentication on, any caller at all — read pod specs and logs, and run commands in any container on the node. Webhook mode asks the API server (SubjectAccessReview), so RBAC decides who may use `nodes/proxy`, `nodes/log` and `nodes/exec`.',
    remediation: 'Set `authorization.mode: Webhook` in the kubelet configuration (or `--authorization-mode=Webhook`) and grant the API server\'s kubelet client the `system:kubelet-api-admin` ClusterRole.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/'],
    frameworks: { cis: ['4.2.2'], nsa: ['NSA-CISA Network separation: control plane hardening'], mitre: ['T1609'] },
    messages: { alwaysAllow: '{{subject}} authorizes every request (authorization mode AlwaysAllow)' },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authorization:
  mode: AlwaysAllow`,
    ],
    pass: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authorization:
  mode: Webhook`,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const mode = kubelet.authorizationMode(k);
      if (mode.value === 'AlwaysAllow') context.report({ node: reportNode(k), messageId: 'alwaysAllow', at: mode.at, evidence: mode.shown, data: { subject: subject(k) } });
    });
  },
});
