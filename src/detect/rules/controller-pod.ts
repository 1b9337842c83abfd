import { defineDetection } from '../rule.js';
import { asArray, asString, dig, isObject, isTrue, type JsonObject } from '../../core/json.js';
import type { AuditEvent } from '../../sources/audit/event.js';
import { describeDangers, ESCAPE_CAPABILITIES, imagesOf, objectLabel, podDangers } from '../podspec.js';
import type { TrustEntry } from '../trust.js';
import { DEV, busybox, controllerSA, createDeployment, KUBELET, ownedPod, CONTROLLER_MANAGER } from './examples.js';
import { WORKLOAD_KEYS, writtenPodSpec } from './workload-write.js';

const KIND_OF: Record<string, string> = {
  deployments: 'Deployment', daemonsets: 'DaemonSet', statefulsets: 'StatefulSet', replicasets: 'ReplicaSet',
  replicationcontrollers: 'ReplicationController', jobs: 'Job', cronjobs: 'CronJob',
};

/** Bounds on what is remembered: workloads whose write was judged, owners already alerted on. */
const MAX_OWNERS = 100_000;

/** `Kind namespace/name` */
const ownerKey = (kind: string, namespace: string, name: string): string => `${kind} ${namespace}/${name}`;

/** The pod's controller (the ownerReference with controller: true). */
function controllerOf(pod: JsonObject): { kind: string; name: string } | undefined {
  for (const ref of asArray(dig(pod, 'metadata', 'ownerReferences'))) {
    if (!isObject(ref) || !isTrue(ref.controller)) continue;
    const kind = asString(ref.kind);
    const name = asString(ref.name);
    if (kind && name) return { kind, name };
  }
  return undefined;
}

/**
 * The workload a person writes, above the pod's controller: a Deployment above its ReplicaSet
 * (named `DEPLOYMENT-HASH`, the hash in the pod's pod-template-hash label), a CronJob above its
 * Job (named `CRONJOB-MINUTES`, the scheduled time in minutes since the epoch).
 */
function topOwnerOf(pod: JsonObject, owner: { kind: string; name: string }): { kind: string; name: string } | undefined {
  if (owner.kind === 'ReplicaSet') {
    const hash = asString(dig(pod, 'metadata', 'labels', 'pod-template-hash'));
    if (hash && owner.name.endsWith(`-${hash}`)) return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
  }
  if (owner.kind === 'Job') {
    const m = /^(.+)-\d{8,}$/.exec(owner.name);
    if (m) return { kind: 'CronJob', name: m[1] };
  }
  return undefined;
}

/** kube-controller-manager itself or one of its controller accounts (the kubelet's mirror pods are files on a node, not templates). */
function isControllerManager(entry: TrustEntry | undefined): boolean {
  return entry?.kind === 'controller' || entry?.id === 'component:system:kube-controller-manager';
}

function remember(set: Set<string>, key: string): void {
  if (set.size >= MAX_OWNERS) set.delete(set.values().next().value as string);
  set.add(key);
}

function writtenName(e: AuditEvent): string {
  return e.objectRef?.name || asString(dig(e.requestObject, 'metadata', 'name')) || '';
}

const PRIVILEGED_SPEC = { containers: [busybox({ name: 'xmrig', image: 'docker.io/library/alpine:3.20', securityContext: { privileged: true } })] };

export default defineDetection({
  meta: {
    id: 'KM-DT-026',
    title: 'Dangerous pod created from a workload whose write was not seen',
    severity: 'critical',
    description: 'A controller (ReplicaSet, DaemonSet, Job…) created a privileged, host-mounting, host-namespace or dangerously capable pod, and the write of the workload it comes from (the Deployment, DaemonSet, CronJob…) was not in the log with its body. Audit policies often log pod bodies but only metadata for workloads, or the workload was written before the detector started; the pod is then the only place the danger shows. Raised once per workload, not per replica.',
    response: 'Find who wrote the workload (`kubectl get deploy NAME -o yaml`, managedFields, your GitOps history) and why it needs this access. If it is an approved node agent, allow-list its images for this rule; otherwise delete the workload. Log workload writes at Request level so the write itself is judged next time.',
    mitre: ['T1610', 'T1611'],
    references: ['https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy', 'https://kubernetes.io/docs/concepts/security/pod-security-standards/'],
  },
  on: WORKLOAD_KEYS,
  create: () => {
    /** workloads whose write was judged with its pod template (KM-DT-006 to 009 saw it) */
    const judged = new Set<string>();
    /** owners already alerted on: one alert per workload, whatever its replicas */
    const alerted = new Set<string>();
    return (e, context) => {
      const resource = e.objectRef?.resource ?? '';
      if (resource !== 'pods') {
        // create and update carry the whole template; a patch carries only what changed
        if ((e.verb === 'create' || e.verb === 'update') && !context.controlPlane && writtenPodSpec(e)) remember(judged, ownerKey(KIND_OF[resource] ?? resource, e.objectRef?.namespace ?? '', writtenName(e)));
        return undefined;
      }
      if (e.verb !== 'create' || !isControllerManager(context.controlPlane)) return undefined;
      const spec = writtenPodSpec(e);
      const pod = e.requestObject;
      if (!spec || !pod) return undefined;
      const owner = controllerOf(pod);
      if (!owner) return undefined;
      const namespace = e.objectRef?.namespace ?? '';
      const top = topOwnerOf(pod, owner) ?? owner;
      const key = ownerKey(top.kind, namespace, top.name);
      if (judged.has(ownerKey(owner.kind, namespace, owner.name)) || judged.has(key) || alerted.has(key)) return undefined;
      const dangers = podDangers(spec);
      const words = describeDangers(dangers);
      if (words.length === 0) return undefined;
      remember(alerted, key);
      const severe = dangers.privileged.length > 0 || dangers.hostPaths.length > 0 || dangers.capabilities.some((c) => ESCAPE_CAPABILITIES.has(c));
      return {
        message: `${e.user.username} created ${objectLabel(e)} for ${key}${top === owner ? '' : ` (through ${owner.kind} ${owner.name})`}, whose write was not seen, with ${words.join('; ')}`,
        severity: severe ? 'critical' : 'high',
        images: imagesOf(spec),
        details: { owner: key, dangers: words.join('; ') },
      };
    };
  },
  examples: {
    trigger: [
      // the Deployment's write was logged at Metadata level (or before the detector started): only the pod shows it
      ownedPod('default', { kind: 'ReplicaSet', name: 'miner-5fd989f974' }, PRIVILEGED_SPEC, controllerSA('replicaset-controller'), { app: 'miner', 'pod-template-hash': '5fd989f974' }),
      ownedPod('monitoring', { kind: 'DaemonSet', name: 'node-shell' }, { hostPID: true, containers: [busybox()], volumes: [{ name: 'host', hostPath: { path: '/' } }] }, controllerSA('daemon-set-controller')),
      // kube-controller-manager without --use-service-account-credentials creates pods as itself
      ownedPod('batch', { kind: 'Job', name: 'cleanup-29410560' }, { containers: [busybox({ securityContext: { capabilities: { add: ['SYS_ADMIN'] } } })] }, CONTROLLER_MANAGER),
      // the Deployment was seen, but only as a patch (a patch carries what changed, not the template)
      [
        { ...createDeployment('miner', 'default', PRIVILEGED_SPEC, DEV), verb: 'patch', requestURI: '/apis/apps/v1/namespaces/default/deployments/miner?fieldManager=kubectl-patch' },
        ownedPod('default', { kind: 'ReplicaSet', name: 'miner-7c9d8b6f5d' }, PRIVILEGED_SPEC, controllerSA('replicaset-controller'), { app: 'miner', 'pod-template-hash': '7c9d8b6f5d' }),
      ],
    ],
    ignore: [
      // the Deployment's write was judged (KM-DT-006 raised on it): its pods are echoes
      [
        createDeployment('miner', 'default', PRIVILEGED_SPEC, DEV),
        ownedPod('default', { kind: 'ReplicaSet', name: 'miner-5fd989f974' }, PRIVILEGED_SPEC, controllerSA('replicaset-controller'), { app: 'miner', 'pod-template-hash': '5fd989f974' }),
      ],
      // nothing dangerous in the template
      ownedPod('shop', { kind: 'ReplicaSet', name: 'web-6d4cf56db6' }, { containers: [busybox()] }, controllerSA('replicaset-controller'), { app: 'web', 'pod-template-hash': '6d4cf56db6' }),
      // a pod a person creates is judged by KM-DT-006 to 008 directly
      ownedPod('default', { kind: 'ReplicaSet', name: 'miner-5fd989f974' }, PRIVILEGED_SPEC, DEV, { 'pod-template-hash': '5fd989f974' }),
      // the kubelet's mirror pod of a static pod
      ownedPod('kube-system', { kind: 'Node', name: 'kubemoat-insecure' }, PRIVILEGED_SPEC, KUBELET),
      // a controller's name on a new account is not kube-controller-manager (and its pods are judged by KM-DT-006)
      ownedPod('default', { kind: 'ReplicaSet', name: 'miner-5fd989f974' }, PRIVILEGED_SPEC, controllerSA('x-controller'), { 'pod-template-hash': '5fd989f974' }),
    ],
  },
});
