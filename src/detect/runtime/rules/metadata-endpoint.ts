import { defineRuntimeRule } from '../rule.js';
import { containerDetails, where } from '../describe.js';
import { METADATA_ADDRESSES } from '../programs.js';
import { APP, WEB, connect } from './examples.js';

// The Tesla path: from a pod to the node's cloud credentials. Any connection counts: a workload
// that really needs instance metadata is allow-listed by name, with a reason.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-005',
    title: 'Container connected to the cloud metadata endpoint',
    severity: 'high',
    description: 'A process in a container connected to the cloud instance metadata address (169.254.169.254 and its equivalents). The metadata service hands out the node\'s cloud credentials to anyone on the node; from a pod it is the step from one workload to the cloud account, as in the Tesla incident.',
    response: 'Block the metadata address for pods (a NetworkPolicy egress rule, IMDSv2 with a hop limit of 1, or GKE/EKS workload identity) and check what the process read. If it was not expected, rotate the node role\'s credentials.',
    mitre: ['T1552.005'],
    references: ['https://attack.mitre.org/techniques/T1552/005/', 'https://kubernetes.io/docs/concepts/services-networking/network-policies/'],
    repeatWindowSec: 300,
  },
  on: ['connect'],
  create: () => (e, view) => {
    if (e.kind !== 'connect' || !e.container || !METADATA_ADDRESSES.has(e.address)) return undefined;
    const p = view.process(e.pid);
    return { message: `${p?.program ?? e.comm} in ${where(e.container)} connected to the cloud metadata endpoint ${e.address}:${e.port}`, details: { ...containerDetails(e.container), destination: `${e.address}:${e.port}` } };
  },
  examples: {
    trigger: [connect(APP, '169.254.169.254', 80, { comm: 'wget' }), connect(WEB, 'fd00:ec2::254', 80, { comm: 'curl' })],
    ignore: [connect(APP, '10.96.0.1', 443, { comm: 'app' }), connect(WEB, '169.254.1.1', 53, { comm: 'nginx' })],
  },
});
