// Target specifications: IPv4/IPv6 addresses and CIDRs, hostnames, host:port, [v6]:port, @file
// lists, and exclusions (`!spec` or --exclude). IPv4 ranges are kept as numeric intervals so a /16
// minus a few exclusions is never materialised; the pairs (host, port) are generated lazily.

import { readFileSync } from 'node:fs';
import net from 'node:net';
import { UsageError } from '../cli/exit.js';

/** The Kubernetes surface (see docs): API servers, proxies, kubelet, kube-proxy, components, etcd, dashboards, cAdvisor, Docker. */
export const DEFAULT_PORTS: readonly number[] = [443, 2375, 2376, 2379, 2380, 4194, 6443, 8001, 8080, 8443, 9090, 10249, 10250, 10255, 10256, 10257, 10259];
/** IPv6 ranges are enumerated; beyond this many addresses a range is refused. */
const MAX_V6_RANGE = 65536;

export interface TargetSet {
  /** inclusive [start, end] IPv4 intervals, sorted and disjoint, after exclusions */
  v4: [number, number][];
  /** IPv6 addresses and hostnames, in the order given */
  others: string[];
  /** host:port pairs asked for explicitly: only that port */
  explicit: { host: string; port: number }[];
}

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function ipv6ToBig(ip: string): bigint {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

function bigToIpv6(n: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

export function parsePorts(spec: string): number[] {
  const base = spec.startsWith('+') ? [...DEFAULT_PORTS] : [];
  const out = new Set<number>(base);
  for (const part of spec.replace(/^\+/, '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--ports: "${part}" is not a port or a range (e.g. 6443,10250-10259)`);
    const lo = Number(m[1]);
    const hi = Number(m[2] ?? m[1]);
    if (lo < 1 || hi > 65535 || lo > hi) throw new UsageError(`--ports: "${part}" is outside 1-65535`);
    for (let p = lo; p <= hi; p++) out.add(p);
  }
  if (out.size === 0) throw new UsageError('--ports: no port given');
  return [...out].sort((a, b) => a - b);
}

type Spec = { type: 'v4'; start: number; end: number } | { type: 'v6'; start: bigint; end: bigint } | { type: 'name'; host: string } | { type: 'hostport'; host: string; port: number };

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

/** One target word, e.g. `10.0.0.0/24`, `[fd00::1]:6443`, `node1:10250`. `where` names it in errors. */
export function parseSpec(word: string, where: string): Spec {
  const bad = (why: string): never => {
    throw new UsageError(`${where}: "${word}" ${why}`);
  };
  const bracket = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(word);
  if (bracket) {
    if (!net.isIPv6(bracket[1])) bad('is not an IPv6 address');
    const v = ipv6ToBig(bracket[1]);
    return bracket[2] !== undefined ? { type: 'hostport', host: bigToIpv6(v), port: portOf(bracket[2], bad) } : { type: 'v6', start: v, end: v };
  }
  if (/^https?:\/\//.test(word)) {
    let u: URL;
    try {
      u = new URL(word);
    } catch {
      return bad('is not a valid URL');
    }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { type: 'hostport', host, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  }
  const slash = word.indexOf('/');
  if (slash >= 0) {
    const addr = word.slice(0, slash);
    const bits = Number(word.slice(slash + 1));
    if (!/^\d+$/.test(word.slice(slash + 1))) bad('has a bad prefix length');
    if (net.isIPv4(addr)) {
      if (bits > 32) bad('has a prefix longer than 32');
      const size = 2 ** (32 - bits);
      const start = Math.floor(ipv4ToInt(addr) / size) * size;
      return { type: 'v4', start, end: start + size - 1 };
    }
    if (net.isIPv6(addr)) {
      if (bits > 128) bad('has a prefix longer than 128');
      const size = 1n << BigInt(128 - bits);
      if (size > BigInt(MAX_V6_RANGE)) bad(`is more than ${MAX_V6_RANGE} IPv6 addresses; give a longer prefix`);
      const start = (ipv6ToBig(addr) / size) * size;
      return { type: 'v6', start, end: start + size - 1n };
    }
    bad('is not an IPv4 or IPv6 CIDR');
  }
  if (net.isIPv4(word)) return { type: 'v4', start: ipv4ToInt(word), end: ipv4ToInt(word) };
  if (net.isIPv6(word)) {
    const v = ipv6ToBig(word);
    return { type: 'v6', start: v, end: v };
  }
  const range = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/.exec(word);
  if (range && net.isIPv4(range[1]) && net.isIPv4(range[2])) {
    const [a, b] = [ipv4ToInt(range[1]), ipv4ToInt(range[2])];
    if (a > b) bad('is a range that ends before it starts');
    return { type: 'v4', start: a, end: b };
  }
  const hp = /^([^:\s]+):(\d+)$/.exec(word);
  if (hp) {
    const port = portOf(hp[2], bad);
    if (net.isIPv4(hp[1])) return { type: 'hostport', host: hp[1], port };
    if (!HOSTNAME.test(hp[1])) bad('is not a host name');
    return { type: 'hostport', host: hp[1].toLowerCase(), port };
  }
  if (!HOSTNAME.test(word)) bad('is not an address, CIDR, host name or host:port');
  return { type: 'name', host: word.toLowerCase() };
}

function portOf(s: string, bad: (why: string) => never): number {
  const p = Number(s);
  if (!Number.isInteger(p) || p < 1 || p > 65535) bad('has a port outside 1-65535');
  return p;
}

/** Expand `@file` words into the words of the file (blank lines and `#` comments skipped). */
function expandWords(words: readonly string[]): { word: string; where: string }[] {
  const out: { word: string; where: string }[] = [];
  for (const w of words) {
    if (!w.startsWith('@')) {
      out.push({ word: w, where: 'target' });
      continue;
    }
    const file = w.slice(1);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read target list ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    text.split(/\r?\n/).forEach((line, i) => {
      for (const part of line.replace(/#.*/, '').split(/[\s,]+/).filter(Boolean)) out.push({ word: part, where: `${file}:${i + 1}` });
    });
  }
  return out;
}

function subtract(ranges: [number, number][], cut: [number, number]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of ranges) {
    if (cut[1] < a || cut[0] > b) out.push([a, b]);
    else {
      if (cut[0] > a) out.push([a, cut[0] - 1]);
      if (cut[1] < b) out.push([cut[1] + 1, b]);
    }
  }
  return out;
}

function merge(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

export function parseTargets(words: readonly string[], excludes: readonly string[] = []): TargetSet {
  let v4: [number, number][] = [];
  const others: string[] = [];
  const explicit: { host: string; port: number }[] = [];
  const cuts: Spec[] = [];
  for (const { word, where } of expandWords(words)) {
    if (word.startsWith('!')) {
      cuts.push(parseSpec(word.slice(1), where));
      continue;
    }
    const s = parseSpec(word, where);
    if (s.type === 'v4') v4.push([s.start, s.end]);
    else if (s.type === 'v6') for (let a = s.start; a <= s.end; a++) others.push(bigToIpv6(a));
    else if (s.type === 'name') others.push(s.host);
    else explicit.push({ host: s.host, port: s.port });
  }
  for (const { word, where } of expandWords(excludes)) cuts.push(parseSpec(word, `--exclude ${where}`));
  v4 = merge(v4);
  const excludedOthers = new Set<string>();
  for (const c of cuts) {
    if (c.type === 'v4') v4 = subtract(v4, [c.start, c.end]);
    else if (c.type === 'v6') for (let a = c.start; a <= c.end && a - c.start < BigInt(MAX_V6_RANGE); a++) excludedOthers.add(bigToIpv6(a));
    else if (c.type === 'name') excludedOthers.add(c.host);
    else excludedOthers.add(`${c.host}:${c.port}`);
  }
  const isExcludedV4 = (host: string): boolean => net.isIPv4(host) && !v4.some(([a, b]) => ipv4ToInt(host) >= a && ipv4ToInt(host) <= b) && cuts.some((c) => c.type === 'v4' && ipv4ToInt(host) >= c.start && ipv4ToInt(host) <= c.end);
  return {
    v4,
    others: [...new Set(others)].filter((h) => !excludedOthers.has(h)),
    explicit: explicit.filter((e) => !excludedOthers.has(e.host) && !excludedOthers.has(`${e.host}:${e.port}`) && !isExcludedV4(e.host)),
  };
}

function inRanges(t: TargetSet, host: string): boolean {
  if (net.isIPv4(host)) {
    const n = ipv4ToInt(host);
    return t.v4.some(([a, b]) => n >= a && n <= b);
  }
  return t.others.includes(host);
}

/** host:port pairs not already covered by a range or address probed on every port */
function extraPairs(t: TargetSet, ports: readonly number[]): { host: string; port: number }[] {
  const seen = new Set<string>();
  return t.explicit.filter((e) => {
    const key = `${e.host}\0${e.port}`;
    if (seen.has(key) || (ports.includes(e.port) && inRanges(t, e.host))) return false;
    seen.add(key);
    return true;
  });
}

export function hostCount(t: TargetSet): number {
  const extra = new Set(t.explicit.map((e) => e.host).filter((h) => !inRanges(t, h)));
  return t.v4.reduce((n, [a, b]) => n + (b - a + 1), 0) + t.others.length + extra.size;
}

export function probeCount(t: TargetSet, ports: readonly number[]): number {
  return (t.v4.reduce((n, [a, b]) => n + (b - a + 1), 0) + t.others.length) * ports.length + extraPairs(t, ports).length;
}

/** Every (host, port) to try, host by host, each once. */
export function* probePairs(t: TargetSet, ports: readonly number[]): Generator<{ host: string; port: number }> {
  for (const [a, b] of t.v4) {
    for (let n = a; n <= b; n++) {
      const host = intToIpv4(n);
      for (const port of ports) yield { host, port };
    }
  }
  for (const host of t.others) for (const port of ports) yield { host, port };
  yield* extraPairs(t, ports);
}

/** API server addresses from a kubeconfig's clusters (every cluster, or the current context's). */
export async function kubeconfigTargets(file: string | undefined, context: string | undefined): Promise<string[]> {
  const { parse } = await import('yaml');
  const path = file ?? process.env.KUBECONFIG?.split(':')[0] ?? `${process.env.HOME ?? ''}/.kube/config`;
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--from-kubeconfig: cannot read ${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
  const d = rec(doc);
  const clusters = Array.isArray(d.clusters) ? (d.clusters as unknown[]).map(rec) : [];
  const contexts = Array.isArray(d.contexts) ? (d.contexts as unknown[]).map(rec) : [];
  const wanted = context ?? (typeof d['current-context'] === 'string' ? d['current-context'] : undefined);
  const ctx = contexts.find((c) => c.name === wanted);
  const clusterName = ctx ? rec(ctx.context).cluster : undefined;
  const chosen = clusterName !== undefined ? clusters.filter((c) => c.name === clusterName) : clusters;
  const out: string[] = [];
  for (const c of chosen) {
    const server = rec(c.cluster).server;
    if (typeof server !== 'string') continue;
    try {
      const u = new URL(server);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      out.push(host, net.isIPv6(host) ? `[${host}]:${u.port || 443}` : `${host}:${u.port || 443}`);
    } catch {
      throw new UsageError(`--from-kubeconfig: ${path}: cluster ${String(c.name)} has a bad server URL`);
    }
  }
  if (out.length === 0) throw new UsageError(`--from-kubeconfig: ${path} names no cluster server`);
  return out;
}
