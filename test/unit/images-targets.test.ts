// Which images `kubemoat images` scans for a cluster or manifests, with whose pull secrets, and which
// digests the pods run now: the facts the scan starts from.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inventory } from '../../src/inventory/inventory.js';
import { toKubeObject, type KubeObject } from '../../src/inventory/objects.js';
import type { JsonObject } from '../../src/core/json.js';
import { recordRunningPods } from '../../src/sources/cluster/collect.js';
import { targetsFromInventory } from '../../src/images/targets.js';

const live = (raw: JsonObject): KubeObject => toKubeObject(raw, { type: 'cluster', context: 'test' })!;
const digest = (c: string): string => `sha256:${c.repeat(64)}`;

function deployment(name: string, spec: JsonObject): KubeObject {
  return live({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop', uid: `uid-${name}` }, spec: { template: { spec } } });
}

function runningPod(name: string, ownerName: string, statuses: JsonObject[]): KubeObject {
  return live({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: ownerName, uid: `uid-${ownerName}`, controller: true }] },
    spec: { containers: [{ name: 'app', image: 'x' }] },
    status: { phase: 'Running', containerStatuses: statuses },
  });
}

function inventoryOf(kept: KubeObject[], all: KubeObject[] = kept): Inventory {
  const inventory = new Inventory();
  for (const o of kept) inventory.add(o);
  recordRunningPods(inventory, all);
  return inventory;
}

test("a pod that names no pull secret uses its service account's (which admission copies into the pods)", () => {
  const sa = (name: string, secrets: string[]): KubeObject => live({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'shop' }, imagePullSecrets: secrets.map((s) => ({ name: s })) });
  const inventory = inventoryOf([
    sa('default', ['default-pull']),
    sa('builder', ['builder-pull']),
    deployment('plain', { containers: [{ name: 'app', image: 'reg.example/shop/plain:1' }] }),
    deployment('named-account', { serviceAccountName: 'builder', containers: [{ name: 'app', image: 'reg.example/shop/built:1' }] }),
    deployment('own-secret', { serviceAccountName: 'builder', imagePullSecrets: [{ name: 'own' }], containers: [{ name: 'app', image: 'reg.example/shop/own:1' }] }),
    deployment('no-account', { serviceAccountName: 'ghost', containers: [{ name: 'app', image: 'reg.example/shop/ghost:1' }] }),
  ]);
  const secrets = Object.fromEntries(targetsFromInventory(inventory).map((t) => [t.ref, t.pullSecrets]));
  assert.deepEqual(secrets, {
    'reg.example/shop/built:1': ['shop/builder-pull'],
    'reg.example/shop/ghost:1': [],
    'reg.example/shop/own:1': ['shop/own'],
    'reg.example/shop/plain:1': ['shop/default-pull'],
  });
});

test('the digests pods run are kept per tag (in its repository), with the workloads that run each; bare image ids and digest references are not', () => {
  const web = deployment('web', { containers: [{ name: 'app', image: 'reg.example/shop/web:1' }, { name: 'side', image: 'reg.example/shop/side@' + digest('e') }] });
  const api = deployment('api', { containers: [{ name: 'app', image: 'reg.example/shop/web:1' }] });
  const local = deployment('local', { containers: [{ name: 'app', image: 'kubemoat.local/lab/busybox:1' }] });
  const pods = [
    runningPod('web-a', 'web', [
      { name: 'app', imageID: `reg.example/shop/web@${digest('a')}` },
      { name: 'side', imageID: `reg.example/shop/side@${digest('f')}` },
    ]),
    // the runtime names content by the first repository it pulled it from: only the digest counts
    runningPod('web-b', 'web', [{ name: 'app', imageID: `docker-pullable://mirror.example/other/web@${digest('b')}` }]),
    runningPod('api-a', 'api', [{ name: 'app', imageID: `reg.example/shop/web@${digest('a')}` }]),
    runningPod('local-a', 'local', [{ name: 'app', imageID: digest('c') }]),
  ];
  const targets = targetsFromInventory(inventoryOf([web, api, local], [web, api, local, ...pods]));
  const byRef = Object.fromEntries(targets.map((t) => [t.ref, t.running?.map((r) => [r.ref, r.uses.map((u) => u.workload)])]));
  assert.deepEqual(byRef, {
    'kubemoat.local/lab/busybox:1': undefined,
    'reg.example/shop/side@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee': undefined,
    'reg.example/shop/web:1': [
      [`reg.example/shop/web@${digest('a')}`, ['Deployment shop/api', 'Deployment shop/web']],
      [`reg.example/shop/web@${digest('b')}`, ['Deployment shop/web']],
    ],
  });
});

test('manifests carry no running digests', () => {
  const inventory = new Inventory();
  inventory.add(toKubeObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'app', image: 'reg.example/shop/web:1' }] } } } }, { type: 'file', file: 'web.yaml', document: {}, positions: { root: 0, tape: new Uint32Array(0) }, pathInDocument: [] })!);
  assert.deepEqual(targetsFromInventory(inventory).map((t) => t.running), [undefined]);
});
