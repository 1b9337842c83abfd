// NetworkPolicy ports: what a rule's `ports` list says (numbers, names, endPort ranges, protocols)
// and the concrete set of ports it opens on one pod, with set union and intersection.

import { asNumber, asObject, asString, type JsonValue, type Path } from '../core/json.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** One entry of a rule's `ports`, as written. */
export interface PolicyPort {
  protocol: Protocol;
  /** a number, a name (resolved against the destination pod's container ports), or absent: every port of the protocol */
  port?: number | string;
  endPort?: number;
  /** path from the policy object's root */
  path: Path;
  /** what the API server would refuse; the entry opens nothing here */
  invalid?: string;
}

/** A port a container declares. */
export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface PortRange {
  protocol: Protocol;
  from: number;
  to: number;
}

/** `all`: every port of every protocol (a rule without `ports`); otherwise sorted, merged ranges. */
export type PortSet = 'all' | readonly PortRange[];

export const NO_PORTS: PortSet = [];

function protocolOf(v: JsonValue | undefined): Protocol | undefined {
  if (v === undefined || v === null) return 'TCP';
  const s = asString(v);
  return s !== undefined && (PROTOCOLS as readonly string[]).includes(s) ? (s as Protocol) : undefined;
}

export function parsePolicyPort(raw: JsonValue, path: Path): PolicyPort {
  const o = asObject(raw);
  if (o === undefined) return { protocol: 'TCP', path, invalid: 'not an object' };
  const protocol = protocolOf(o.protocol);
  if (protocol === undefined) return { protocol: 'TCP', path, invalid: `unknown protocol \`${String(o.protocol)}\`` };
  const out: PolicyPort = { protocol, path };
  if (o.port !== undefined && o.port !== null) {
    // IntOrString: a number, or a name. A string of digits is read as the number it spells.
    const n = asNumber(o.port);
    if (n !== undefined) {
      if (!Number.isInteger(n) || n < 1 || n > 65535) return { ...out, invalid: `port ${n} is out of range` };
      out.port = n;
    } else {
      const name = asString(o.port);
      if (name === undefined || name === '') return { ...out, invalid: 'port is neither a number nor a name' };
      out.port = name;
    }
  }
  if (o.endPort !== undefined && o.endPort !== null) {
    const e = asNumber(o.endPort);
    if (typeof out.port !== 'number') return { ...out, invalid: 'endPort needs a numeric port' };
    if (e === undefined || !Number.isInteger(e) || e < out.port || e > 65535) return { ...out, invalid: `endPort ${String(o.endPort)} is not between port and 65535` };
    out.endPort = e;
  }
  return out;
}

export function parseContainerPorts(container: JsonValue): ContainerPort[] {
  const out: ContainerPort[] = [];
  const ports = asObject(container)?.ports;
  if (!Array.isArray(ports)) return out;
  for (const raw of ports) {
    const p = asObject(raw);
    const port = asNumber(p?.containerPort);
    const protocol = protocolOf(p?.protocol);
    if (p === undefined || port === undefined || protocol === undefined) continue;
    const name = asString(p.name);
    out.push({ port, protocol, ...(name ? { name } : {}) });
  }
  return out;
}

export function normalise(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.from - b.from || a.to - b.to);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.protocol === r.protocol && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/**
 * The ports a rule's `ports` list opens on one destination. Named ports resolve against the
 * destination pod's container ports (same name and protocol); with no destination pod (an external
 * address) a name opens nothing.
 */
export function resolvePorts(ports: 'any' | readonly PolicyPort[], destination: readonly ContainerPort[] | undefined): PortSet {
  if (ports === 'any') return 'all';
  const ranges: PortRange[] = [];
  for (const p of ports) {
    if (p.invalid !== undefined) continue;
    if (p.port === undefined) ranges.push({ protocol: p.protocol, from: 1, to: 65535 });
    else if (typeof p.port === 'number') ranges.push({ protocol: p.protocol, from: p.port, to: p.endPort ?? p.port });
    else for (const c of destination ?? []) if (c.name === p.port && c.protocol === p.protocol) ranges.push({ protocol: p.protocol, from: c.port, to: c.port });
  }
  return normalise(ranges);
}

export function isEmpty(s: PortSet): boolean {
  return s !== 'all' && s.length === 0;
}

export function union(a: PortSet, b: PortSet): PortSet {
  if (a === 'all' || b === 'all') return 'all';
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return normalise([...a, ...b]);
}

export function intersect(a: PortSet, b: PortSet): PortSet {
  if (a === 'all') return b;
  if (b === 'all') return a;
  const out: PortRange[] = [];
  for (const x of a) {
    for (const y of b) {
      if (x.protocol !== y.protocol) continue;
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (from <= to) out.push({ protocol: x.protocol, from, to });
    }
  }
  return normalise(out);
}

export function includesPort(s: PortSet, protocol: Protocol, port: number): boolean {
  if (s === 'all') return true;
  return s.some((r) => r.protocol === protocol && r.from <= port && port <= r.to);
}

export function formatPortSet(s: PortSet): string {
  if (s === 'all') return 'all ports';
  if (s.length === 0) return 'no port';
  return s.map((r) => (r.from === 1 && r.to === 65535 ? `${r.protocol} (all ports)` : r.from === r.to ? `${r.protocol} ${r.from}` : `${r.protocol} ${r.from}-${r.to}`)).join(', ');
}

/** A rule's ports as written: `TCP 80, TCP 8000-8100, TCP port named \`http\``. */
export function formatPolicyPorts(ports: 'any' | readonly PolicyPort[]): string {
  if (ports === 'any') return 'all ports';
  const parts = ports
    .filter((p) => p.invalid === undefined)
    .map((p) =>
      p.port === undefined
        ? `${p.protocol} (all ports)`
        : typeof p.port === 'string'
          ? `${p.protocol} port named \`${p.port}\``
          : p.endPort !== undefined && p.endPort !== p.port
            ? `${p.protocol} ${p.port}-${p.endPort}`
            : `${p.protocol} ${p.port}`,
    );
  return parts.length === 0 ? 'no port' : parts.join(', ');
}
