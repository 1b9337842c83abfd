import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { HARDENED_APISERVER, KUBEADM_APISERVER, staticPod, withFlags } from './examples.js';
import { addAt, CP_DOCS, CP_NSA, judgeable, shown } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-CP-001',
    title: 'API server accepts anonymous requests',
    severity: 'medium',
    door: 'control-plane',
    description:
      'With anonymous authentication on (the default), a request that carries no credentials is not rejected: it runs as `system:anonymous` in the group `system:unauthenticated`. ' +
      'With RBAC that group only gets what is bound to it — by default the health endpoints and version discovery — so the door is narrow, which is why this is medium and not higher; ' +
      'but a single binding to `system:unauthenticated` or `system:anonymous` (a copied tutorial, a debugging shortcut) then opens the API to anyone who reaches port 6443, and version discovery tells them which CVEs apply. ' +
      'With `--authorization-mode=AlwaysAllow` it is the whole cluster (see KM-CP-002). When an `--authentication-config` file is given without `--anonymous-auth`, the anonymous settings live in that file and this rule stays silent.',
    remediation:
      'Set `--anonymous-auth=false` on kube-apiserver. The kubelet\'s HTTP probes of `/livez`, `/readyz` and `/healthz` then get 401: switch them to `tcpSocket` probes, or (Kubernetes 1.32+) configure anonymous access for the health paths only with an AuthenticationConfiguration (`anonymous: {enabled: true, conditions: [{path: /livez}, {path: /readyz}, {path: /healthz}]}`) passed with `--authentication-config`.',
    references: [CP_DOCS.anonymous, CP_DOCS.apiserver, CP_DOCS.controllingAccess],
    frameworks: { cis: ['1.2.1'], nsa: [CP_NSA.authn, CP_NSA.controlPlane], mitre: [MITRE.externalRemoteServices, MITRE.containerAndResourceDiscovery] },
    messages: {
      explicit: '{{container}} in {{resource}} runs kube-apiserver with anonymous requests allowed (`{{flag}}`)',
      default: '{{container}} in {{resource}} runs kube-apiserver without `--anonymous-auth=false`: anonymous requests are allowed by default',
    },
  },
  examples: {
    fail: [
      staticPod('kube-apiserver', KUBEADM_APISERVER),
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'anonymous-auth': 'true' })),
    ],
    pass: [
      staticPod('kube-apiserver', HARDENED_APISERVER),
      // the anonymous settings are in the structured authentication file
      staticPod('kube-apiserver', withFlags(HARDENED_APISERVER, { 'anonymous-auth': null, 'authentication-config': '/etc/kubernetes/authn/config.yaml' })),
      // an entrypoint script that may add flags kubemoat cannot see
      `apiVersion: v1
kind: Pod
metadata: {name: apiserver, namespace: kube-system}
spec:
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.30.2
      command: [/scripts/start-apiserver.sh]`,
    ],
  },
  create(context) {
    return {
      component(c) {
        const container = judgeable(c, 'kube-apiserver');
        if (container === undefined) return;
        const flag = c.flags.get('anonymous-auth');
        if (flag === undefined) {
          if (c.flags.has('authentication-config')) return;
          context.report({ node: container, messageId: 'default', at: addAt(c), evidence: '--anonymous-auth not set (default true)' });
        } else if (c.flags.bool('anonymous-auth', true)) {
          context.report({ node: container, messageId: 'explicit', at: flag.at, data: { flag: shown('anonymous-auth', flag) }, evidence: shown('anonymous-auth', flag) });
        }
      },
    };
  },
});
