// Scan a set of image targets: resolve each (registry or local archive), analyse its layers
// through one shared cache, find vulnerabilities, compare the tag's digest with the last scan.

import type { Finding, CoverageGap } from '../core/finding.js';
import { DEFAULT_LIMITS, LayerCache, type LayerLimits } from './image/layer.js';
import type { Platform, ResolvedImage } from './image/manifest.js';
import { parseLocalRef, resolveLocal } from './image/oci.js';
import { resolveRegistryImage, type RegistryOptions } from './image/registry.js';
import type { Store } from './osv/store.js';
import { scanResolvedImage, type ScannedImage } from './scan.js';
import { mapBounded } from '../core/concurrency.js';
import type { ImageTarget } from './targets.js';
import { findVulnerabilities, type Vulnerability } from './vulns.js';
import type { SeenDigest, SeenState } from './state.js';
import { runningOtherFinding, tagMovedFinding, unreadableFinding, vulnerabilityFinding } from './findings.js';
import { collectSignatures, judgeSignatures, policiesFor, referenceNames, type SignaturePolicy, type SignatureVerdict } from './cosign.js';
import { unsignedFinding } from './signature-rule.js';
import { parseImageRef } from '../rules/image-ref.js';
import { rpmEcosystem } from './packages/types.js';

export interface RunOptions {
  store?: Store;
  platform: Platform;
  registry: RegistryOptions;
  cache: LayerCache;
  limits?: LayerLimits;
  concurrency: number;
  onlyFixed: boolean;
  /** registry credentials for one target (its pull secrets), merged over the shared ones */
  credentialsFor?: (target: ImageTarget) => RegistryOptions['credentials'];
  /** cosign signature requirements (KM-IM-007); each that matches an image is checked */
  signaturePolicies?: readonly SignaturePolicy[];
  /** told after each image: how many are done, of how many known so far, and how many failed */
  onProgress?: (progress: ImagesProgress) => void;
}

export interface ImagesProgress {
  done: number;
  total: number;
  failed: number;
}

/** What the signature check of one image came to. */
export type SignatureCheck =
  | { kind: 'checked'; digest: string; verdicts: { policy: SignaturePolicy; verdict: SignatureVerdict }[] }
  /** the signatures could not be read (a registry failure other than 404): signed or not is unknown */
  | { kind: 'error'; reason: string }
  /** a local image (OCI layout, archive): signatures are only looked up in registries */
  | { kind: 'unsupported'; reason: string };

export interface ImageResult {
  target: ImageTarget;
  scanned?: ScannedImage;
  /** why the image could not be scanned at all */
  error?: string;
  vulnerabilities: Vulnerability[];
  /** ecosystems present in the image that the database has no records for */
  uncovered: string[];
  /** present when a signature policy covers the image */
  signatures?: SignatureCheck;
}

/** Check the image against the signature policies that cover its reference; undefined when none does. */
export async function checkImageSignatures(ref: string, image: ResolvedImage, allPolicies: readonly SignaturePolicy[]): Promise<SignatureCheck | undefined> {
  const policies = policiesFor(allPolicies, referenceNames(ref, parseImageRef(ref)));
  if (policies.length === 0) return undefined;
  if (image.signatures === undefined) return { kind: 'unsupported', reason: `a signature policy (${policies.map((p) => p.origin).join(', ')}) covers this image, but signatures are only looked up in registries; it was not verified` };
  const { source, digests } = image.signatures;
  const collected = await collectSignatures(source, digests);
  if (collected.kind === 'error') return { kind: 'error', reason: collected.reason };
  return { kind: 'checked', digest: digests[digests.length - 1], verdicts: policies.map((policy) => ({ policy, verdict: judgeSignatures(collected, digests, policy.keys) })) };
}

export async function resolveImage(ref: string, platform: Platform, registry: RegistryOptions): Promise<ResolvedImage> {
  const local = parseLocalRef(ref);
  if (local) return resolveLocal(local, ref, platform);
  return resolveRegistryImage(ref, platform, registry);
}

export async function scanTargets(targets: readonly ImageTarget[], options: RunOptions): Promise<ImageResult[]> {
  const progress: ImagesProgress = { done: 0, total: targets.length, failed: 0 };
  const scanOne = async (target: ImageTarget): Promise<ImageResult> => {
    const result = await scanTarget(target);
    progress.done++;
    if (result.error !== undefined) progress.failed++;
    options.onProgress?.({ ...progress });
    return result;
  };
  const scanTarget = async (target: ImageTarget): Promise<ImageResult> => {
    try {
      const registry = options.credentialsFor ? { ...options.registry, credentials: options.credentialsFor(target) } : options.registry;
      const image = await resolveImage(target.ref, options.platform, registry);
      // signatures are looked up while the layers are read: small round trips beside large ones
      const signing = checkImageSignatures(target.ref, image, options.signaturePolicies ?? []).catch((e: Error): SignatureCheck => ({ kind: 'error', reason: `signatures could not be checked: ${e.message}` }));
      const scanned = await scanResolvedImage(image, { cache: options.cache, limits: options.limits ?? DEFAULT_LIMITS });
      const found = options.store ? findVulnerabilities(scanned.contents.packages, scanned.contents.os, options.store, { onlyFixed: options.onlyFixed }) : { vulnerabilities: [], uncovered: [] };
      const signatures = await signing;
      return { target, scanned, vulnerabilities: found.vulnerabilities, uncovered: found.uncovered, ...(signatures ? { signatures } : {}) };
    } catch (e) {
      return { target, error: (e as Error).message, vulnerabilities: [], uncovered: [] };
    }
  };
  const results = await mapBounded(targets, options.concurrency, scanOne);
  // What the pods run may not be what the tag names now: scan those digests too (their layers are
  // mostly cached), and keep each one that turns out to be another image than the tag's.
  const running: ImageTarget[] = results.flatMap((r) =>
    r.scanned === undefined ? [] : (r.target.running ?? []).map((d) => ({ ref: d.ref, uses: d.uses, pullSecrets: r.target.pullSecrets, runningFor: r.target.ref })),
  );
  progress.total += running.length;
  return withoutRunningSameAsTag([...results, ...(await mapBounded(running, options.concurrency, scanOne))]);
}

/** Drop the running digests that resolve to the very image their tag names (an index digest, say): nothing differs. */
export function withoutRunningSameAsTag(results: readonly ImageResult[]): ImageResult[] {
  const tagDigest = new Map(results.filter((r) => r.target.runningFor === undefined).map((r) => [r.target.ref, r.scanned?.image.manifestDigest]));
  return results.filter((r) => r.target.runningFor === undefined || r.scanned === undefined || r.scanned.image.manifestDigest !== tagDigest.get(r.target.runningFor));
}

/** A reference that names a tag (not a digest) and so can move. */
function isTagRef(ref: string): boolean {
  return !ref.includes('@');
}

export interface Judged {
  findings: Finding[];
  coverage: CoverageGap[];
  /** the state to save for the next scan */
  state: SeenState;
}

export function judge(results: readonly ImageResult[], previous: SeenState, now = new Date()): Judged {
  const findings: Finding[] = [];
  const coverage: CoverageGap[] = [];
  const state: SeenState = { ...previous };
  for (const r of results) {
    const ref = r.target.ref;
    if (r.error !== undefined) {
      if (/digest mismatch/.test(r.error)) findings.push(unreadableFinding(ref, r.error, r.target.uses));
      coverage.push({ target: ref, reason: r.error, severity: 'error' });
      continue;
    }
    const scanned = r.scanned as ScannedImage;
    for (const e of scanned.errors) {
      if (/digest mismatch/.test(e)) findings.push(unreadableFinding(ref, e, r.target.uses));
      coverage.push({ target: ref, reason: `${e} (the image's contents are partial)`, severity: 'error' });
    }
    for (const n of scanned.contents.notes) coverage.push({ target: ref, reason: n, severity: 'warning' });
    for (const e of scanned.contents.errors ?? []) coverage.push({ target: ref, reason: e, severity: 'error' });
    for (const eco of r.uncovered) coverage.push({ target: ref, reason: `${eco} packages found, but the vulnerability database has no ${eco} records: they were not checked`, severity: 'warning' });
    if (scanned.contents.os === undefined && scanned.contents.packages.some((p) => p.type === 'deb' || p.type === 'apk' || p.type === 'rpm')) {
      coverage.push({ target: ref, reason: 'OS packages found but no os-release: their release is unknown, so they were not checked', severity: 'warning' });
    }
    const os = scanned.contents.os;
    if (os !== undefined && rpmEcosystem(os) === undefined && scanned.contents.packages.some((p) => p.type === 'rpm')) {
      coverage.push({ target: ref, reason: `rpm packages found on ${os.id} ${os.versionId}, which has no OSV ecosystem kubemoat matches precisely (AlmaLinux, Rocky Linux, Red Hat Enterprise Linux, Mageia): listed, not checked`, severity: 'warning' });
    }
    const identity = scanned.image.manifestDigest ?? scanned.image.configDigest;
    const tag = r.target.runningFor;
    if (tag !== undefined) {
      const tagResult = results.find((x) => x.target.ref === tag && x.target.runningFor === undefined);
      findings.push(runningOtherFinding(tag, tagResult?.scanned?.image.manifestDigest ?? 'unknown', ref, identity, r.target.uses));
    }
    for (const v of r.vulnerabilities) findings.push(vulnerabilityFinding(ref, identity, v, r.target.uses));
    const sig = r.signatures;
    if (sig?.kind === 'error') coverage.push({ target: ref, reason: `${sig.reason}; whether it is signed is unknown`, severity: 'error' });
    if (sig?.kind === 'unsupported') coverage.push({ target: ref, reason: sig.reason, severity: 'warning' });
    if (sig?.kind === 'checked') {
      for (const { policy, verdict } of sig.verdicts) {
        const f = unsignedFinding(ref, sig.digest, policy, verdict, r.target.uses);
        if (f) findings.push(f);
      }
    }
    const digest = scanned.image.manifestDigest;
    if (digest !== undefined && isTagRef(ref)) {
      const before: SeenDigest | undefined = previous[ref];
      if (before !== undefined && before.digest !== digest) findings.push(tagMovedFinding(ref, before, digest, r.target.uses));
      state[ref] = { digest, at: now.toISOString() };
    }
  }
  return { findings, coverage, state };
}
