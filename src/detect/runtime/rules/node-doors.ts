import { defineRuntimeRule } from '../rule.js';
import { containerDetails, where } from '../describe.js';
import { ETCD_PORTS, KUBELET_PORTS } from '../programs.js';
import { APP, WEB, connect } from './examples.js';

// Pods call the API server; they do not call kubelets or etcd. Monitoring agents that scrape the
// kubelet (metrics-server, Prometheus) are allow-listed by workload.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-006',
    title: 'Container connected to a kubelet or etcd',
    severity: 'high',
    description: 'A process in a container connected to a kubelet port (10250, 10255) or an etcd port (2379, 2380). From inside a pod that is the next step of an intrusion: an anonymous kubelet runs commands in every pod of its node, and etcd holds every secret.',
    response: 'Check the process and its pod. Deny pod egress to node and control-plane addresses with a NetworkPolicy, close anonymous kubelet access, and require client certificates on etcd. Allow-list agents that must scrape kubelets by workload.',
    mitre: ['T1613', 'T1552.007'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/', 'https://attack.mitre.org/techniques/T1613/'],
    repeatWindowSec: 300,
  },
  on: ['connect'],
  create: () => (e, view) => {
    if (e.kind !== 'connect' || !e.container || e.family === 'unix') return undefined;
    const door = KUBELET_PORTS.has(e.port) ? 'a kubelet' : ETCD_PORTS.has(e.port) ? 'etcd' : undefined;
    if (door === undefined) return undefined;
    const p = view.process(e.pid);
    return { message: `${p?.program ?? e.comm} in ${where(e.container)} connected to ${door} at ${e.address}:${e.port}`, details: { ...containerDetails(e.container), destination: `${e.address}:${e.port}` } };
  },
  examples: {
    trigger: [connect(APP, '10.77.1.10', 10250, { comm: 'wget' }), connect(WEB, '10.77.1.10', 2379, { comm: 'curl' })],
    ignore: [connect(APP, '10.77.1.10', 6443, { comm: 'kubectl' }), connect(WEB, '10.78.1.7', 8080, { comm: 'nginx' })],
  },
});
