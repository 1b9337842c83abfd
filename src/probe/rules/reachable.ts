import { defineProbeRule } from '../rule.js';
import { KUBERNETES_SERVICES, type ServiceKind } from '../model.js';
import { example } from './facts.js';

const NAMES: Partial<Record<ServiceKind, string>> = {
  'kube-apiserver': 'Kubernetes API server',
  kubelet: 'kubelet API',
  'kubelet-read-only': 'kubelet read-only port',
  etcd: 'etcd',
  'kubernetes-dashboard': 'Kubernetes Dashboard',
  docker: 'Docker Engine API',
  cadvisor: 'cAdvisor',
  'kube-proxy': 'kube-proxy',
  'kube-component': 'kube-controller-manager or kube-scheduler',
};

export default defineProbeRule({
  meta: {
    id: 'KM-EX-016',
    title: 'Kubernetes component reachable from the scanning host',
    severity: 'info',
    door: 'exposure',
    description:
      'A Kubernetes component answers from where kubemoat ran. This is an inventory entry, not a door: a component that asks for credentials is doing its job. It tells which parts of the control plane and which nodes this network position can reach, which is what the other KM-EX rules are judged on and what a firewall review should compare with its intent (kubelets and etcd usually need to be reachable only from the control plane).',
    remediation: 'Nothing to fix if this host is meant to reach the component; otherwise restrict the port with a firewall or security group to the hosts that need it (API server: users and nodes; kubelet: the control plane; etcd: the API servers).',
    references: ['https://kubernetes.io/docs/reference/networking/ports-and-protocols/'],
    frameworks: { nsa: ['NSA-CISA Kubernetes Hardening: network separation'], mitre: ['T1046'] },
    messages: { reachable: '{{name}} reachable at {{endpoint}} ({{auth}})' },
  },
  examples: {
    fail: [example('kube-apiserver', 'https', { 'api.version': { request: 'GET /version', status: 401 } }, { identifiedBy: 'GET /version: 401 Kubernetes Status (Unauthorized)' })],
    pass: [example('http', 'http', {}), example('ssh', 'tcp', {})],
  },
  check(ep) {
    if (!KUBERNETES_SERVICES.has(ep.service)) return [];
    const statuses = Object.values(ep.observations).map((o) => o.status);
    const auth = ep.clientCertRequired
      ? 'client certificate required'
      : statuses.length > 0 && statuses.every((s) => s === 401 || s === 403 || s === 404)
        ? 'asks for credentials'
        : 'answers without credentials';
    return [{ messageId: 'reachable', data: { name: NAMES[ep.service] ?? ep.service, auth }, evidence: ep.identifiedBy }];
  },
});
