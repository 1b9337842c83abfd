// Building blocks for the rules' example events. Each example is a complete audit.k8s.io/v1 Event
// shaped exactly like the ones the lab's API server (v1.37.2) writes: same fields, same user
// agents, same stages; only what a rule looks at changes from one to the next.

import type { JsonObject, JsonValue } from '../../core/json.js';

export interface ExampleUser {
  username: string;
  groups: string[];
  extra?: Record<string, string[]>;
  userAgent: string;
}

export const ADMIN: ExampleUser = { username: 'kubemoat-admin', groups: ['system:masters', 'system:authenticated'], userAgent: 'kubectl/v1.37.2 (linux/amd64) kubernetes/$Format' };
export const DEV: ExampleUser = { username: 'alice@example.com', groups: ['developers', 'system:authenticated'], userAgent: 'kubectl/v1.37.2 (linux/amd64) kubernetes/$Format' };
export const ANONYMOUS: ExampleUser = { username: 'system:anonymous', groups: ['system:unauthenticated'], userAgent: 'curl/7.88.1' };
export const CONTROLLER_MANAGER: ExampleUser = { username: 'system:kube-controller-manager', groups: ['system:authenticated'], userAgent: 'kube-controller-manager/v1.37.2 (linux/amd64) kubernetes/$Format' };
export const SCHEDULER: ExampleUser = { username: 'system:kube-scheduler', groups: ['system:authenticated'], userAgent: 'kube-scheduler/v1.37.2 (linux/amd64) kubernetes/$Format/scheduler' };
export const KUBELET: ExampleUser = { username: 'system:node:kubemoat-insecure', groups: ['system:nodes', 'system:authenticated'], userAgent: 'kubelet/v1.37.2 (linux/amd64) kubernetes/$Format' };
export const APISERVER: ExampleUser = { username: 'system:apiserver', groups: ['system:authenticated', 'system:masters'], userAgent: 'kube-apiserver/v1.37.2 (linux/amd64) kubernetes/$Format' };

export function controllerSA(name: string): ExampleUser {
  return { username: `system:serviceaccount:kube-system:${name}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'], userAgent: 'kube-controller-manager/v1.37.2 (linux/amd64) kubernetes/$Format/system:serviceaccount:kube-system:' + name };
}

/** The same identity with a token bound to a pod (as the API server records it since 1.30): a workload, not kube-controller-manager. */
export function inPod(user: ExampleUser, pod: string, userAgent = 'kubectl/v1.37.2 (linux/amd64) kubernetes/$Format'): ExampleUser {
  return { ...user, extra: { 'authentication.kubernetes.io/pod-name': [pod], 'authentication.kubernetes.io/pod-uid': ['7d1c0b9e-4f7a-4a39-8e0c-2b5d9f3a6c11'] }, userAgent };
}

/** A pod's service account, with the bound token's pod name in `extra` as Kubernetes ≥ 1.30 records it. */
export function podSA(namespace: string, name: string, pod?: string, userAgent = 'kubectl/v1.37.2 (linux/amd64) kubernetes/$Format'): ExampleUser {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    ...(pod ? { extra: { 'authentication.kubernetes.io/pod-name': [pod], 'authentication.kubernetes.io/pod-uid': ['0b6c3f1e-5d1a-4a57-9b61-3c2f0e7d9a11'] } } : {}),
    userAgent,
  };
}

export interface ExampleEvent {
  verb: string;
  /** path and query of the request */
  uri: string;
  user?: ExampleUser;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  code?: number;
  stage?: 'ResponseStarted' | 'ResponseComplete';
  level?: 'Metadata' | 'Request' | 'RequestResponse';
  requestObject?: JsonObject;
  responseObject?: JsonObject;
  sourceIP?: string;
  userAgent?: string;
  /** `authorization.k8s.io/reason` */
  reason?: string;
  auditID?: string;
  /** seconds after 2026-11-23T16:51:48Z */
  at?: number;
}

let counter = 0;

/** A complete Event (the JSON the API server writes) from the parts an example cares about. */
export function auditEvent(p: ExampleEvent): JsonObject {
  const user = p.user ?? ADMIN;
  const code = p.code ?? 200;
  const when = new Date(Date.UTC(2026, 10, 23, 16, 51, 48) + (p.at ?? 0) * 1000).toISOString().replace('Z', '000Z');
  counter++;
  const objectRef: Record<string, JsonValue> = {};
  if (p.resource) objectRef.resource = p.resource;
  if (p.namespace) objectRef.namespace = p.namespace;
  if (p.name) objectRef.name = p.name;
  if (p.apiGroup) objectRef.apiGroup = p.apiGroup;
  if (p.resource) objectRef.apiVersion = 'v1';
  if (p.subresource) objectRef.subresource = p.subresource;
  const u: Record<string, JsonValue> = { username: user.username, groups: user.groups };
  if (user.extra) u.extra = user.extra;
  const event: Record<string, JsonValue> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: p.level ?? (p.requestObject ? 'Request' : 'Metadata'),
    auditID: p.auditID ?? `5305ffeb-b2f6-4979-91aa-${String(counter).padStart(12, '0')}`,
    stage: p.stage ?? 'ResponseComplete',
    requestURI: p.uri,
    verb: p.verb,
    user: u,
    sourceIPs: [p.sourceIP ?? '10.77.1.10'],
    userAgent: p.userAgent ?? user.userAgent,
  };
  if (p.resource) event.objectRef = objectRef;
  event.responseStatus = code >= 400 ? { metadata: {}, status: 'Failure', reason: code === 403 ? 'Forbidden' : 'Unauthorized', code } : { metadata: {}, code };
  if (p.requestObject) event.requestObject = p.requestObject;
  if (p.responseObject) event.responseObject = p.responseObject;
  event.requestReceivedTimestamp = when;
  event.stageTimestamp = when;
  event.annotations = code === 401 ? {} : {
    'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow',
    'authorization.k8s.io/reason': p.reason ?? '',
  };
  return event;
}

/** A pod body as kubectl sends it. */
export function podBody(name: string, namespace: string, spec: JsonObject): JsonObject {
  return { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace }, spec };
}

export function busybox(extra: JsonObject = {}): JsonObject {
  return { name: 'shell', image: 'kubemoat.local/lab/busybox:latest', command: ['sleep', '3600'], imagePullPolicy: 'Never', ...extra };
}

export function createPod(name: string, namespace: string, spec: JsonObject, user: ExampleUser = ADMIN): JsonObject {
  return auditEvent({
    verb: 'create', uri: `/api/v1/namespaces/${namespace}/pods?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
    user, resource: 'pods', namespace, name, code: 201, requestObject: podBody(name, namespace, spec),
  });
}

export function createDeployment(name: string, namespace: string, podSpec: JsonObject, user: ExampleUser = ADMIN): JsonObject {
  return auditEvent({
    verb: 'create', uri: `/apis/apps/v1/namespaces/${namespace}/deployments?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
    user, resource: 'deployments', apiGroup: 'apps', namespace, name, code: 201,
    requestObject: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name, namespace }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } } },
  });
}

/**
 * A pod a controller creates from its owner's template, as the ReplicaSet, DaemonSet or Job
 * controller sends it: generated name, the owner's labels (pod-template-hash for a ReplicaSet of a
 * Deployment) and a controller ownerReference.
 */
export function ownedPod(namespace: string, owner: { kind: string; name: string }, spec: JsonObject, user: ExampleUser, labels: Record<string, string> = {}): JsonObject {
  const metadata: JsonObject = {
    generateName: `${owner.name}-`, namespace, labels,
    ownerReferences: [{ apiVersion: owner.kind === 'Job' ? 'batch/v1' : 'apps/v1', kind: owner.kind, name: owner.name, uid: '3f2b7c1e-9a4d-4e8b-b6a2-5c1d0e9f8a77', controller: true, blockOwnerDeletion: true }],
  };
  return auditEvent({
    // the name is generated by the API server: the request (and so objectRef) has none
    verb: 'create', uri: `/api/v1/namespaces/${namespace}/pods`, user, resource: 'pods', namespace, code: 201,
    requestObject: { kind: 'Pod', apiVersion: 'v1', metadata, spec },
  });
}
