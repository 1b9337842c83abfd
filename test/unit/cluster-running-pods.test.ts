// Live workloads learn which of their pods run now, through the owner chain the cluster source
// folds (Pod → ReplicaSet → Deployment); workload findings carry it as evidence.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inventory } from '../../src/inventory/inventory.js';
import { toKubeObject, type KubeObject } from '../../src/inventory/objects.js';
import type { JsonObject } from '../../src/core/json.js';
import { recordRunningPods } from '../../src/sources/cluster/collect.js';
import { runningNow } from '../../src/rules/running-now.js';

const live = (raw: JsonObject): KubeObject => toKubeObject(raw, { type: 'cluster', context: 'test' })!;
const owner = (kind: string, name: string): JsonObject => ({ apiVersion: 'apps/v1', kind, name, uid: `uid-${name}`, controller: true });
const template = { spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] } };

const deployment = live({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', uid: 'uid-web' }, spec: { template } });
const replicaSet = live({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-web-1', ownerReferences: [owner('Deployment', 'web')] }, spec: { template } });
const pod = (name: string, phase: string, ownerRefs: JsonObject[] = [owner('ReplicaSet', 'web-1')]): KubeObject =>
  live({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, ownerReferences: ownerRefs },
    spec: template.spec,
    status: { phase, containerStatuses: [{ name: 'c', image: 'busybox', imageID: `docker.io/library/busybox@sha256:${name.length.toString(16).padStart(64, '0')}` }] },
  });
const idle = live({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'shop', uid: 'uid-agent' }, spec: { template } });

test('running pods are counted on the top listed controller; pending ones are not', () => {
  const objects = [deployment, replicaSet, pod('web-1-b', 'Running'), pod('web-1-a', 'Running'), pod('web-1-c', 'Pending'), idle, pod('lonely', 'Running', [])];
  const inventory = new Inventory();
  // what collectCluster keeps: the controllers and the standalone pod
  for (const o of [deployment, idle, objects[6]]) inventory.add(o);
  recordRunningPods(inventory, objects);
  assert.deepEqual(inventory.runningPodsOf(deployment)?.map((p) => p.name), ['web-1-a', 'web-1-b']);
  assert.deepEqual(inventory.runningPodsOf(deployment)?.[0].images, [{ container: 'c', imageID: `docker.io/library/busybox@sha256:${'7'.padStart(64, '0')}` }]);
  assert.equal(runningNow(inventory, deployment), 'running now: 2 pods (web-1-a, web-1-b)');
  assert.equal(runningNow(inventory, idle), 'no pod of it is running now');
  assert.equal(runningNow(inventory, objects[6]), 'running now: 1 pod (lonely)');
});

test('manifests say nothing about running pods', () => {
  const inventory = new Inventory();
  inventory.add(deployment);
  assert.equal(runningNow(inventory, deployment), undefined);
});
