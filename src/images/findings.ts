// Image scan results → the project's findings (KM-IM-004..006). A finding is about an image; its
// evidence names the workloads that run the image, so one vulnerable image run by ten workloads is
// one finding to fix, with the ten places it matters.

import { createHash } from 'node:crypto';
import type { Finding, ResourceRef } from '../core/finding.js';
import type { RuleMeta } from '../core/rule.js';
import { IMAGE_UNREADABLE, TAG_MOVED, VULNERABLE_PACKAGE } from './rules.js';
import type { Vulnerability } from './vulns.js';

export interface WorkloadUse {
  /** `Deployment shop/api` */
  workload: string;
  container: string;
  resource: ResourceRef;
}

export function imageResource(image: string): ResourceRef {
  return { apiVersion: 'kubemoat.io/v1', kind: 'Image', name: image };
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

function fill(meta: RuleMeta, messageId: string, data: Record<string, string>): string {
  return meta.messages[messageId].replace(/\{\{(\w+)\}\}/g, (_, k: string) => data[k] ?? '');
}

export function describeUses(uses: readonly WorkloadUse[]): string {
  if (uses.length === 0) return '';
  const shown = uses.slice(0, 10).map((u) => `${u.workload} (${u.container})`);
  return `run by ${shown.join(', ')}${uses.length > 10 ? ` and ${uses.length - 10} more` : ''}`;
}

export function vulnerabilityFinding(image: string, imageIdentity: string, v: Vulnerability, uses: readonly WorkloadUse[]): Finding {
  const a = v.advisory;
  const cves = a.aliases.filter((x) => x.startsWith('CVE-'));
  const pkgLabel = v.pkg.source && v.pkg.source.name !== v.pkg.name ? `${v.pkg.name} (source ${v.pkg.source.name})` : v.pkg.name;
  const message = fill(VULNERABLE_PACKAGE, 'vulnerable', {
    package: pkgLabel,
    version: v.pkg.version,
    image,
    id: a.id,
    aliases: cves.length > 0 && !cves.includes(a.id) ? ` (${cves.slice(0, 3).join(', ')})` : '',
    fixed: v.fixedIn !== undefined ? `, fixed in ${v.fixedIn}` : ', no fixed version yet',
    summary: a.summary || 'no summary in the record',
  });
  const evidence = [
    `${v.ecosystem} ${v.pkg.type} package at ${v.pkg.path}${v.pkg.layer ? ` (layer ${v.pkg.layer.slice(0, 19)})` : ''}`,
    a.score !== undefined ? `CVSS ${a.score} ${a.vector ?? ''}`.trim() : v.severityKnown ? `severity ${v.severity} (record)` : 'severity not given by the record; reported as medium',
    describeUses(uses),
  ].filter(Boolean).join('; ');
  const name = v.pkg.source?.name ?? v.pkg.name;
  const osPackage = v.pkg.type === 'deb' || v.pkg.type === 'apk' || v.pkg.type === 'rpm';
  const how = osPackage ? 'rebuild the image on an updated base image, or upgrade the package in it' : 'bump the dependency and rebuild the image';
  const remediation = v.fixedIn !== undefined
    ? `Upgrade ${name} to ${v.fixedIn} or later: ${how}.`
    : `No fixed version is known yet for ${name}; remove the package if the workload does not need it, limit what the workload can reach, and watch ${a.id}.`;
  return {
    ruleId: VULNERABLE_PACKAGE.id,
    severity: v.severity,
    title: VULNERABLE_PACKAGE.title,
    message,
    resource: imageResource(image),
    evidence,
    remediation,
    references: [`https://osv.dev/vulnerability/${a.id}`, ...a.references].slice(0, 4),
    frameworks: VULNERABLE_PACKAGE.frameworks,
    fingerprint: fingerprint(VULNERABLE_PACKAGE.id, imageIdentity, v.pkg.type, v.pkg.name, v.pkg.path, a.id),
  };
}

export function tagMovedFinding(image: string, before: { digest: string; at: string }, now: string, uses: readonly WorkloadUse[]): Finding {
  return {
    ruleId: TAG_MOVED.id,
    severity: TAG_MOVED.severity,
    title: TAG_MOVED.title,
    message: fill(TAG_MOVED, 'moved', { image, now, when: before.at, before: before.digest }),
    resource: imageResource(image),
    ...(uses.length > 0 ? { evidence: describeUses(uses) } : {}),
    remediation: TAG_MOVED.remediation,
    references: TAG_MOVED.references,
    frameworks: TAG_MOVED.frameworks,
    fingerprint: fingerprint(TAG_MOVED.id, image, now),
  };
}

/** Pods run another build than the tag names now (KM-IM-005, message `running`). */
export function runningOtherFinding(tag: string, tagDigest: string, running: string, runningDigest: string, uses: readonly WorkloadUse[]): Finding {
  return {
    ruleId: TAG_MOVED.id,
    severity: TAG_MOVED.severity,
    title: TAG_MOVED.title,
    message: fill(TAG_MOVED, 'running', { image: tag, now: tagDigest, running: runningDigest }),
    resource: imageResource(tag),
    evidence: [`pods run ${running}`, describeUses(uses)].filter(Boolean).join('; '),
    remediation: TAG_MOVED.remediation,
    references: TAG_MOVED.references,
    frameworks: TAG_MOVED.frameworks,
    fingerprint: fingerprint(TAG_MOVED.id, tag, runningDigest),
  };
}

export function unreadableFinding(image: string, reason: string, uses: readonly WorkloadUse[]): Finding {
  return {
    ruleId: IMAGE_UNREADABLE.id,
    severity: IMAGE_UNREADABLE.severity,
    title: IMAGE_UNREADABLE.title,
    message: fill(IMAGE_UNREADABLE, 'rejected', { image, reason }),
    resource: imageResource(image),
    ...(uses.length > 0 ? { evidence: describeUses(uses) } : {}),
    remediation: IMAGE_UNREADABLE.remediation,
    references: IMAGE_UNREADABLE.references,
    frameworks: IMAGE_UNREADABLE.frameworks,
    fingerprint: fingerprint(IMAGE_UNREADABLE.id, image, reason),
  };
}
