// Which images to scan and who runs them: the references given, or every container image of the
// scanned manifests or the live cluster, each image once, with the workloads (and containers)
// that run it, the pull secrets they use, and (live cluster) the digests their pods run now.

import type { Inventory, RunningPod } from '../inventory/inventory.js';
import { describeObject, type PodSpecNode } from '../inventory/objects.js';
import { asArray, asObject, asString } from '../core/json.js';
import { imageOf } from '../rules/security-context.js';
import { parseImageRef } from '../rules/image-ref.js';
import type { WorkloadUse } from './findings.js';

export interface ImageTarget {
  /** the reference as the workloads (or the command line) write it */
  ref: string;
  uses: WorkloadUse[];
  /** imagePullSecrets the pods that run it use: `namespace/name` */
  pullSecrets: string[];
  /**
   * Live cluster: digests the pods run now where they are not what a tag reference says (`repo@sha256:…`
   * from the kubelet's imageID), with the workloads whose pods run each. A node keeps the build it pulled
   * first (`IfNotPresent`), so pods can run a build the tag no longer names.
   */
  running?: RunningDigest[];
  /** this target is the digest pods run for the tag `tag`, scanned because it may differ from it */
  runningFor?: string;
}

export interface RunningDigest {
  ref: string;
  uses: WorkloadUse[];
}

export function targetsFromRefs(refs: readonly string[]): ImageTarget[] {
  return [...new Set(refs)].map((ref) => ({ ref, uses: [], pullSecrets: [] }));
}

export function targetsFromInventory(inventory: Inventory): ImageTarget[] {
  const byRef = new Map<string, ImageTarget>();
  for (const pod of inventory.podSpecs) {
    const o = pod.object;
    const secrets = pullSecretsOf(inventory, pod);
    const runningPods = inventory.runningPodsOf(o) ?? [];
    for (const c of pod.containers) {
      const image = imageOf(c);
      if (image === undefined || image.trim() === '') continue;
      let t = byRef.get(image);
      if (t === undefined) byRef.set(image, (t = { ref: image, uses: [], pullSecrets: [] }));
      const resource = { apiVersion: o.apiVersion, kind: o.kind, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), container: c.name };
      const use = { workload: describeObject(o), container: c.name, resource };
      t.uses.push(use);
      for (const s of secrets) if (!t.pullSecrets.includes(s)) t.pullSecrets.push(s);
      if (image.includes('@')) continue; // a digest reference is what runs
      for (const ref of runningDigests(runningPods, c.name, image)) {
        t.running ??= [];
        let r = t.running.find((x) => x.ref === ref);
        if (r === undefined) t.running.push((r = { ref, uses: [] }));
        r.uses.push(use);
      }
    }
  }
  for (const t of byRef.values()) {
    t.uses.sort(byWorkload);
    for (const r of t.running ?? []) r.uses.sort(byWorkload);
  }
  return [...byRef.values()].sort((a, b) => a.ref.localeCompare(b.ref));
}

function byWorkload(a: WorkloadUse, b: WorkloadUse): number {
  return a.workload.localeCompare(b.workload) || a.container.localeCompare(b.container);
}

function secretNames(list: unknown): string[] {
  return asArray(list)
    .map((s) => asString(asObject(s)?.name))
    .filter((s): s is string => s !== undefined);
}

/**
 * The pull secrets a pod uses: its own, or else its service account's, which the ServiceAccount
 * admission controller copies into every pod that names none (so a controller's template, which
 * never went through it, does not show them).
 */
function pullSecretsOf(inventory: Inventory, pod: PodSpecNode): string[] {
  const o = pod.object;
  let names = secretNames(pod.spec.imagePullSecrets);
  if (names.length === 0) {
    const account = asString(pod.spec.serviceAccountName) ?? asString(pod.spec.serviceAccount) ?? 'default';
    const sa = inventory.inNamespace('ServiceAccount', o.namespace).find((x) => x.name === account);
    if (sa !== undefined) names = secretNames(sa.raw.imagePullSecrets);
  }
  return names.map((s) => `${o.namespace ?? 'default'}/${s}`);
}

/**
 * `repo@sha256:…` as the kubelet reports what a container pulled; a bare `sha256:` id (an image
 * imported, never pulled) names no manifest. The repository in it is whichever name the runtime first
 * pulled that content under, so only the digest is taken.
 */
const PULLED_DIGEST = /^(?:docker-pullable:\/\/)?[^@\s]+@(sha256:[a-f0-9]{64})$/;

/** The distinct digests that container `name` of these pods runs, as references in the image's own repository. */
function runningDigests(pods: readonly RunningPod[], name: string, image: string): string[] {
  const ref = parseImageRef(image);
  if (ref === undefined) return [];
  const repository = `${ref.explicitRegistry ? `${ref.registry}/` : ''}${ref.path}`;
  const refs = new Set<string>();
  for (const p of pods) {
    for (const i of p.images) {
      const m = i.container === name ? PULLED_DIGEST.exec(i.imageID) : null;
      if (m) refs.add(`${repository}@${m[1]}`);
    }
  }
  return [...refs].sort();
}
