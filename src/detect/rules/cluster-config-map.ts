import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, APISERVER, DEV, auditEvent } from './examples.js';

/** ConfigMaps in kube-system that decide who the cluster trusts or where its names resolve. */
const WATCHED: ReadonlyMap<string, { what: string; mitre: string }> = new Map([
  ['aws-auth', { what: 'EKS\'s map of IAM roles and users to Kubernetes users and groups: one line there makes an AWS identity cluster-admin', mitre: 'T1098' }],
  ['coredns', { what: 'CoreDNS\'s configuration: a rewrite or forward there sends the cluster\'s service names wherever the writer wants', mitre: 'T1557' }],
  ['coredns-custom', { what: 'CoreDNS\'s extra configuration (AKS, k3s): a rewrite or forward there sends the cluster\'s service names wherever the writer wants', mitre: 'T1557' }],
  ['kube-dns', { what: 'kube-dns\'s stub domains and upstream servers: where the cluster\'s names resolve', mitre: 'T1557' }],
]);
const CHANGE = new Set(['create', 'update', 'patch', 'delete']);

function write(name: string, verb = 'patch', user = DEV, namespace = 'kube-system') {
  return auditEvent({
    verb, code: verb === 'create' ? 201 : 200, uri: `/api/v1/namespaces/${namespace}/configmaps${verb === 'create' ? '' : `/${name}`}`, resource: 'configmaps', namespace, name, user,
    ...(verb === 'delete' ? {} : { requestObject: { data: { Corefile: '.:53 {\n    rewrite name kubernetes.default.svc.cluster.local evil.example.com\n    forward . 203.0.113.53\n}\n' } } }),
  });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-046',
    title: 'Cluster access or DNS configuration changed',
    severity: 'high',
    description: `Someone other than the control plane created, changed or deleted a ConfigMap in kube-system that decides who gets in or where names resolve: ${[...WATCHED].map(([name, w]) => `\`${name}\` (${w.what})`).join('; ')}. Both are quiet, lasting ways to take over a cluster.`,
    response: 'Compare the ConfigMap with its approved version (`kubectl -n kube-system get cm NAME -o yaml`); revert it if the change was not planned, then find how the user came to write ConfigMaps in kube-system. On EKS prefer access entries to aws-auth.',
    mitre: ['T1098', 'T1557'],
    references: ['https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html', 'https://kubernetes.io/docs/tasks/administer-cluster/dns-custom-nameservers/'],
  },
  on: ['configmaps'],
  exemptControlPlane: true,
  create: () => (e) => {
    const ref = e.objectRef!;
    if (ref.namespace !== 'kube-system' || !CHANGE.has(e.verb) || !succeeded(e)) return undefined;
    const watched = WATCHED.get(ref.name);
    if (!watched) return undefined;
    const did = e.verb === 'delete' ? 'deleted' : e.verb === 'create' ? 'created' : 'changed';
    return { message: `${e.user.username} ${did} ConfigMap kube-system/${ref.name}: ${watched.what}`, details: { configMap: ref.name, technique: watched.mitre } };
  },
  examples: {
    trigger: [write('aws-auth', 'update', ADMIN), write('coredns'), write('coredns-custom', 'create'), write('aws-auth', 'delete')],
    ignore: [
      write('coredns', 'patch', DEV, 'shop'),
      write('kube-proxy', 'patch', DEV),
      write('coredns', 'update', APISERVER),
      auditEvent({ verb: 'get', uri: '/api/v1/namespaces/kube-system/configmaps/aws-auth', resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', user: DEV }),
    ],
  },
});
