// `kubemoat netpol` against the real lab API servers: the insecure profile's namespace without any
// NetworkPolicy shows open in both directions with the metadata endpoint reachable; the hardened
// profile's default-deny policies isolate every workload. The default-deny policies kubemoat emits
// are validated by the real API server (server-side dry run: nothing is changed).
//
// The command is run through its module (src/cli/netpol.ts), inside the lab's network namespace,
// so this test does not depend on how main.ts wires it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { inNetns, kubectl, labUp, type LabEnv } from '../helpers/lab.js';
import type { NamespaceSummary, WorkloadView } from '../../src/inventory/netpol-view.js';
import type { DefaultDenyPlan } from '../../src/inventory/netpol-remedy.js';

const NETPOL_MODULE = fileURLToPath(new URL('../../src/cli/netpol.js', import.meta.url));

async function netpol(env: LabEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `import(${JSON.stringify(NETPOL_MODULE)}).then((m) => m.netpolCommand().parseAsync(process.argv.slice(1), { from: 'user' })).catch((e) => { console.error(e.message); process.exitCode = 2; })`;
  return inNetns(env, process.execPath, ['-e', script, '--', '--kubeconfig', env.adminKubeconfig, ...args]);
}

async function json<T>(env: LabEnv, args: string[]): Promise<T> {
  const r = await netpol(env, [...args, '-f', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

test('insecure lab: lab-apps has no NetworkPolicy, so everything may reach its pods and they reach the metadata endpoint', async () => {
  const env = await labUp('insecure');
  const { namespaces } = await json<{ namespaces: NamespaceSummary[] }>(env, []);
  const labApps = namespaces.find((n) => n.namespace === 'lab-apps');
  assert.ok(labApps, JSON.stringify(namespaces));
  assert.equal(labApps.policies, 0);
  assert.equal(labApps.defaultDenyIngress, false);
  assert.equal(labApps.defaultDenyEgress, false);
  assert.ok(labApps.workloads >= 3 && labApps.openIngress === labApps.workloads, JSON.stringify(labApps));

  const { workload } = await json<{ workload: WorkloadView }>(env, ['--pod', 'lab-apps/app']);
  assert.equal(workload.ingress.isolated, false);
  assert.equal(workload.egress.isolated, false);
  assert.deepEqual(workload.metadata, { reachable: true, via: ['no egress policy selects it'] });

  const emitted = await netpol(env, ['--emit-default-deny']);
  assert.equal(emitted.code, 0, emitted.stderr);
  assert.match(emitted.stdout, /name: kubemoat-default-deny\n\s+namespace: lab-apps/);
  // The real API server accepts every emitted policy (server-side dry run changes nothing).
  const dry = await kubectl(env, ['apply', '--dry-run=server', '-f', '-'], 'admin', { input: emitted.stdout });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /networkpolicy.networking.k8s.io\/kubemoat-default-deny created \(server dry run\)/);
  assert.match(dry.stdout, /networkpolicy.networking.k8s.io\/kubemoat-allow-dns created \(server dry run\)/);
});

test('hardened lab: default-deny in both directions isolates every workload; nothing to emit for lab-apps', async () => {
  const env = await labUp('hardened');
  const { namespaces } = await json<{ namespaces: NamespaceSummary[] }>(env, []);
  for (const name of ['lab-apps', 'default']) {
    const ns = namespaces.find((n) => n.namespace === name);
    assert.ok(ns, name);
    assert.equal(ns.defaultDenyIngress, true, name);
    assert.equal(ns.defaultDenyEgress, true, name);
    assert.equal(ns.openIngress, 0, name);
    assert.equal(ns.metadata, 0, name);
  }
  const { workload } = await json<{ workload: WorkloadView }>(env, ['--pod', 'lab-apps/app']);
  assert.equal(workload.ingress.isolated, true);
  assert.deepEqual(workload.ingress.policies, ['lab-apps/default-deny-all']);
  assert.equal(workload.ingress.allows.length, 0);
  assert.equal(workload.metadata.reachable, false);

  const { plans } = await json<{ plans: DefaultDenyPlan[] }>(env, ['--emit-default-deny']);
  assert.ok(!plans.some((p) => p.namespace === 'lab-apps' || p.namespace === 'default'), JSON.stringify(plans));
});
