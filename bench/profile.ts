// Read a V8 .cpuprofile (from `node --cpu-prof`) and say where the time went:
// top functions by self time, time by module (file), and inclusive time of kubemoat's own functions.
//
//   node dist/bench/profile.js FILE.cpuprofile [--top 25]

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  self: ProfileEntry[];
  byModule: ProfileEntry[];
  /** inclusive time of functions in kubemoat's own code (dist/src/) */
  inclusive: ProfileEntry[];
  /** inclusive time of kubemoat's own files: a rule file's total, whoever calls it */
  inclusiveByFile: ProfileEntry[];
}

/** kubemoat's compiled sources, in dist/ or in the benchmark's snapshot of it */
const OWN_CODE = /\/dist\/(?:\.bench-snapshot\/)?src\//;

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const own = OWN_CODE.exec(url);
  if (own) return url.slice(own.index + own[0].length - 4);
  const n = url.indexOf('/node_modules/');
  if (n >= 0) return url.slice(n + 14);
  return url.replace(/^file:\/\//, '');
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'}\u0000${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const modules = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const inclusiveFiles = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = byId.get(profile.samples[i]);
    if (node === undefined) continue;
    const k = keyOf(node);
    self.set(k, (self.get(k) ?? 0) + dt);
    const mod = node.callFrame.url ? shortUrl(node.callFrame.url) : node.callFrame.functionName || '(native)';
    modules.set(mod, (modules.get(mod) ?? 0) + dt);
    // inclusive: each distinct own function on the stack once per sample
    const seen = new Set<string>();
    const seenFiles = new Set<string>();
    for (let cur: ProfileNode | undefined = node; cur !== undefined; cur = byId.get(parent.get(cur.id) ?? -1)) {
      if (!OWN_CODE.test(cur.callFrame.url)) continue;
      const ck = keyOf(cur);
      if (!seen.has(ck)) {
        seen.add(ck);
        inclusive.set(ck, (inclusive.get(ck) ?? 0) + dt);
      }
      const file = shortUrl(cur.callFrame.url);
      if (!seenFiles.has(file)) {
        seenFiles.add(file);
        inclusiveFiles.set(file, (inclusiveFiles.get(file) ?? 0) + dt);
      }
    }
  }
  const entries = (m: Map<string, number>, split: boolean): ProfileEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => {
        const [name, where] = split ? k.split('\u0000') : [k, ''];
        return { name, where, ms, percent: total ? (ms / total) * 100 : 0 };
      });
  return {
    totalMs: total,
    self: entries(self, true),
    byModule: entries(modules, false),
    inclusive: entries(inclusive, true),
    inclusiveByFile: entries(inclusiveFiles, false),
  };
}

export function formatProfile(s: ProfileSummary): string {
  const lines: string[] = [];
  const row = (e: ProfileEntry): string => `  ${e.ms.toFixed(0).padStart(7)} ms ${e.percent.toFixed(1).padStart(5)}%  ${e.name}${e.where ? `  ${e.where}` : ''}`;
  lines.push(`profile: ${(s.totalMs / 1000).toFixed(2)} s sampled`);
  lines.push('top functions by self time:');
  for (const e of s.self) lines.push(row(e));
  lines.push('self time by module:');
  for (const e of s.byModule.slice(0, 15)) lines.push(row(e));
  lines.push("inclusive time of kubemoat's own functions:");
  for (const e of s.inclusive.slice(0, 20)) lines.push(row(e));
  lines.push("inclusive time of kubemoat's own files (rules and indexes):");
  for (const e of s.inclusiveByFile.filter((x) => /^src\/(rules|inventory|report)\//.test(x.name)).slice(0, 20)) lines.push(row(e));
  return lines.join('\n') + '\n';
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

function main(): void {
  const args = process.argv.slice(2);
  const ti = args.indexOf('--top');
  const file = args.find((a, i) => !a.startsWith('--') && !(ti >= 0 && i === ti + 1));
  const top = ti >= 0 ? Number(args[ti + 1]) : 25;
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile.js FILE.cpuprofile [--top 25]\n');
    process.exitCode = 2;
    return;
  }
  process.stdout.write(formatProfile(summariseProfile(readProfile(file), top)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
