import { defineDetection } from '../rule.js';
import { imagesOf, objectLabel, SYSTEM_NAMESPACES } from '../podspec.js';
import { ADMIN, DEV, KUBELET, busybox, createDeployment, createPod, controllerSA } from './examples.js';
import { WORKLOAD_KEYS, writtenPodSpec } from './workload-write.js';
import { CONTROLLER_ACCOUNTS } from '../trust.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-009',
    title: 'Workload created in a system namespace by a user',
    severity: 'high',
    description: `A user (not the control plane) created or changed a pod or workload in a namespace of the cluster itself (${[...SYSTEM_NAMESPACES].join(', ')}). Workloads there blend in with the cluster's own components, often run with powerful service accounts, and are where attackers hide persistence (a pod given one of kube-controller-manager's accounts holds that controller's token: critical); kube-node-lease holds only the nodes' Lease objects, so any pod there is out of place.`,
    response: 'Check that this was a planned change to a cluster add-on (allow-list the deploying identity or image for this rule in .kubemoat.yaml). Otherwise delete it and find how the user got write access to kube-system.',
    mitre: ['T1610', 'T1036.005'],
    references: ['https://kubernetes.io/docs/concepts/security/multi-tenancy/'],
    falco: ['Pod Created in Kube Namespace'],
  },
  on: WORKLOAD_KEYS,
  exemptControlPlane: true,
  create: () => (e) => {
    const ns = e.objectRef?.namespace ?? '';
    if (!SYSTEM_NAMESPACES.has(ns) || e.verb === 'patch') return undefined;
    const spec = writtenPodSpec(e);
    if (!spec) return undefined;
    // a pod given one of kube-controller-manager's accounts holds that controller's rights (and its token)
    const account = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : '';
    const controller = ns === 'kube-system' && CONTROLLER_ACCOUNTS.includes(account);
    return {
      message: `${e.user.username} ${e.verb === 'create' ? 'created' : 'changed'} ${objectLabel(e)} in ${ns}${controller ? `, running as kube-controller-manager's account ${account}` : ''}`,
      images: imagesOf(spec),
      ...(ns === 'kube-node-lease' || controller ? { severity: 'critical' as const } : {}),
      ...(controller ? { details: { serviceAccount: account } } : {}),
    };
  },
  examples: {
    trigger: [
      createPod('kube-proxy-debug', 'kube-system', { containers: [busybox()] }, DEV),
      createDeployment('metrics-helper', 'kube-system', { containers: [busybox()] }, ADMIN),
      createPod('lease-keeper', 'kube-node-lease', { containers: [busybox()] }, DEV),
      // a pod given a controller's account: its token is the controller's
      createPod('helper', 'kube-system', { serviceAccountName: 'clusterrole-aggregation-controller', containers: [busybox()] }, DEV),
    ],
    ignore: [
      createPod('web', 'lab-apps', { containers: [busybox()] }, ADMIN),
      createPod('static-web-kubemoat-hardened', 'kube-system', { containers: [busybox()] }, KUBELET),
      createPod('coredns-6f6b679f8f-4xz8k', 'kube-system', { containers: [busybox()] }, controllerSA('replicaset-controller')),
    ],
  },
});
