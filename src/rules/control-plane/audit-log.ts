import { defineRule } from '../../core/rule.js';
import { HARDENED_APISERVER, KUBEADM_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_MITRE, CP_NSA, judgeable, kubeMinor } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-011',
    title: 'API server records no audit events',
    severity: 'medium',
    door: 'control-plane',
    description:
      'The audit log is the only record of who did what through the API: who read which Secret, who exec\'d into which pod, who bound cluster-admin. Without it an intrusion leaves no trail to investigate and `kubemoat detect` has nothing to read. ' +
      'kube-apiserver records events only when it has a backend (`--audit-log-path` for a file, `--audit-webhook-config-file` for a webhook) and a policy (`--audit-policy-file`): with a path but no policy it writes nothing at all — a gap the CIS check for the path alone does not see.',
    remediation:
      'Give kube-apiserver an audit policy and a backend: `--audit-policy-file=/etc/kubernetes/audit/policy.yaml` (at least Metadata level for everything, RequestResponse for RBAC and exec) and `--audit-log-path=/var/log/kubernetes/audit/audit.log` (mount both from the host), or `--audit-webhook-config-file` to ship events off the node. Set retention too (KM-CP-012).',
    references: [CP_DOCS.audit, CP_DOCS.apiserver],
    frameworks: { cis: ['1.2.16'], nsa: [CP_NSA.audit], mitre: [CP_MITRE.impairDefenses] },
    messages: {
      noBackend: '{{container}} in {{resource}} runs kube-apiserver without `--audit-log-path` or `--audit-webhook-config-file`: no audit events are recorded',
      noPolicy: '{{container}} in {{resource}} runs kube-apiserver with an audit backend but no `--audit-policy-file`: no audit events are recorded',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', KUBEADM_APISERVER),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'audit-policy-file': null })),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      // events shipped to a webhook instead of a file
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'audit-log-path': null, 'audit-log-maxage': null, 'audit-log-maxbackup': null, 'audit-log-maxsize': null, 'audit-webhook-config-file': '/etc/kubernetes/audit/webhook.kubeconfig' })),
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const path = c.flags.string('audit-log-path');
        const webhook = c.flags.string('audit-webhook-config-file');
        if (!path && !webhook) {
          context.report({ node: container, messageId: 'noBackend', at: addAt(c), evidence: '--audit-log-path and --audit-webhook-config-file not set' });
          return;
        }
        // before 1.8 (legacy audit) a path alone logged every request
        const minor = kubeMinor(c);
        if (minor !== undefined && minor < 8) return;
        if (c.flags.string('audit-policy-file')) return;
        const backend = c.flags.get(path ? 'audit-log-path' : 'audit-webhook-config-file');
        context.report({ node: container, messageId: 'noPolicy', at: backend?.at ?? addAt(c), evidence: '--audit-policy-file not set' });
      },
    };
  },
});
