// Cross-image views: by package ("which images carry this library"), by vulnerability ("where is
// CVE-X in my cluster"), and by workload; each names the images and the workloads that run them.

import { SEVERITIES, type Severity } from '../core/finding.js';
import type { ImageResult } from './run.js';

export interface PackageRow {
  type: string;
  name: string;
  version: string;
  images: string[];
  workloads: string[];
  vulnerabilities: string[];
}

export interface VulnRow {
  id: string;
  aliases: string[];
  severity: Severity;
  summary: string;
  packages: string[];
  fixedIn: string[];
  images: string[];
  workloads: string[];
}

export interface WorkloadRow {
  workload: string;
  container: string;
  image: string;
  counts: Record<Severity, number>;
  scanned: boolean;
}

const uniq = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

export function packagesView(results: readonly ImageResult[], filter?: string): PackageRow[] {
  const rows = new Map<string, PackageRow & { imageSet: Set<string>; workloadSet: Set<string>; vulnSet: Set<string> }>();
  const wanted = filter?.toLowerCase();
  for (const r of results) {
    if (!r.scanned) continue;
    const vulnsByPkg = new Map<string, string[]>();
    for (const v of r.vulnerabilities) {
      const k = `${v.pkg.type}\0${v.pkg.name}\0${v.pkg.version}`;
      vulnsByPkg.set(k, [...(vulnsByPkg.get(k) ?? []), v.advisory.id]);
    }
    for (const p of r.scanned.contents.packages) {
      if (wanted !== undefined && p.name.toLowerCase() !== wanted && p.source?.name.toLowerCase() !== wanted) continue;
      const k = `${p.type}\0${p.name}\0${p.version}`;
      let row = rows.get(k);
      if (row === undefined) rows.set(k, (row = { type: p.type, name: p.name, version: p.version, images: [], workloads: [], vulnerabilities: [], imageSet: new Set(), workloadSet: new Set(), vulnSet: new Set() }));
      row.imageSet.add(r.target.ref);
      for (const u of r.target.uses) row.workloadSet.add(`${u.workload} (${u.container})`);
      for (const id of vulnsByPkg.get(k) ?? []) row.vulnSet.add(id);
    }
  }
  return [...rows.values()]
    .map(({ imageSet, workloadSet, vulnSet, ...row }) => ({ ...row, images: uniq(imageSet), workloads: uniq(workloadSet), vulnerabilities: uniq(vulnSet) }))
    .sort((a, b) => b.images.length - a.images.length || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

export function vulnsView(results: readonly ImageResult[], filter?: string): VulnRow[] {
  const rows = new Map<string, VulnRow>();
  const wanted = filter?.toUpperCase();
  for (const r of results) {
    for (const v of r.vulnerabilities) {
      const a = v.advisory;
      if (wanted !== undefined && a.id.toUpperCase() !== wanted && !a.aliases.some((x) => x.toUpperCase() === wanted)) continue;
      let row = rows.get(a.id);
      if (row === undefined) rows.set(a.id, (row = { id: a.id, aliases: a.aliases, severity: v.severity, summary: a.summary, packages: [], fixedIn: [], images: [], workloads: [] }));
      row.packages = uniq([...row.packages, `${v.pkg.name}@${v.pkg.version}`]);
      if (v.fixedIn) row.fixedIn = uniq([...row.fixedIn, v.fixedIn]);
      row.images = uniq([...row.images, r.target.ref]);
      row.workloads = uniq([...row.workloads, ...r.target.uses.map((u) => `${u.workload} (${u.container})`)]);
    }
  }
  return [...rows.values()].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || b.images.length - a.images.length || a.id.localeCompare(b.id));
}

export function workloadsView(results: readonly ImageResult[]): WorkloadRow[] {
  const rows: WorkloadRow[] = [];
  for (const r of results) {
    const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const v of r.vulnerabilities) counts[v.severity]++;
    for (const u of r.target.uses) rows.push({ workload: u.workload, container: u.container, image: r.target.ref, counts, scanned: r.scanned !== undefined });
  }
  return rows.sort((a, b) => a.workload.localeCompare(b.workload) || a.container.localeCompare(b.container));
}

function list(xs: string[], max = 5): string {
  return xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`;
}

export function renderPackagesText(rows: PackageRow[]): string {
  if (rows.length === 0) return 'No matching package in the scanned images.\n';
  return rows.map((r) => `${r.type} ${r.name} ${r.version}: ${r.images.length} image(s): ${list(r.images)}${r.workloads.length ? `\n    run by ${list(r.workloads)}` : ''}${r.vulnerabilities.length ? `\n    vulnerable: ${list(r.vulnerabilities)}` : ''}`).join('\n') + '\n';
}

export function renderVulnsText(rows: VulnRow[]): string {
  if (rows.length === 0) return 'No matching vulnerability in the scanned images.\n';
  return rows
    .map((r) => `${r.severity.toUpperCase().padEnd(8)} ${r.id}${r.aliases.length ? ` (${list(r.aliases, 3)})` : ''}: ${r.summary}\n    packages: ${list(r.packages)}${r.fixedIn.length ? `; fixed in ${list(r.fixedIn)}` : '; no fix yet'}\n    images: ${list(r.images)}${r.workloads.length ? `\n    run by ${list(r.workloads)}` : ''}`)
    .join('\n') + '\n';
}

export function renderWorkloadsText(rows: WorkloadRow[]): string {
  if (rows.length === 0) return 'No workloads (images were named on the command line).\n';
  return rows
    .map((r) => {
      const c = SEVERITIES.slice().reverse().filter((s) => r.counts[s] > 0).map((s) => `${r.counts[s]} ${s}`).join(', ');
      return `${r.workload} (${r.container}): ${r.image}: ${r.scanned ? c || 'no known vulnerabilities' : 'not scanned'}`;
    })
    .join('\n') + '\n';
}
