import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-KL-007',
    title: 'Kubelet does not manage its iptables chains',
    severity: 'low',
    door: 'kubelet',
    description:
      'With `makeIPTablesUtilChains: false` the kubelet does not create and keep its KUBE-FIREWALL chains, which drop martian packets to localhost services (route_localnet) among others; whatever else configures iptables on the node must then do it, and a node that drifts from the network policy the cluster expects is harder to notice.',
    remediation: 'Leave `makeIPTablesUtilChains` at its default (true), or set `--make-iptables-util-chains=true`.',
    references: ['https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/'],
    frameworks: { cis: ['4.2.6'] },
    messages: { off: '{{subject}} does not create its iptables utility chains (makeIPTablesUtilChains is false)' },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
makeIPTablesUtilChains: false`,
    ],
    pass: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
makeIPTablesUtilChains: true`,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 0`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const chains = kubelet.makeIPTablesUtilChains(k);
      if (!chains.value) context.report({ node: reportNode(k), messageId: 'off', at: chains.at, evidence: chains.shown, data: { subject: subject(k) } });
    });
  },
});
