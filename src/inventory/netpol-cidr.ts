// IPv4 and IPv6 addresses and CIDR blocks for NetworkPolicy `ipBlock` peers: parse, contain,
// and cover-with-exceptions. Addresses are held as bigints so both families share one code path.

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  /** the network address, host bits cleared */
  base: bigint;
  prefix: number;
  /** as written */
  text: string;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    // Kubernetes' sloppy parser accepts leading zeros as decimal; so do we.
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(text: string): bigint | undefined {
  if (text.length === 0 || text.includes('%')) return undefined;
  let t = text;
  // An embedded IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
  const lastColon = t.lastIndexOf(':');
  if (t.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(t.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    t = `${t.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const doubles = t.split('::');
  if (doubles.length > 2) return undefined;
  const splitGroups = (s: string): string[] | undefined => {
    if (s === '') return [];
    const g = s.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : undefined;
  };
  let groups: string[];
  if (doubles.length === 2) {
    const left = splitGroups(doubles[0]);
    const right = splitGroups(doubles[1]);
    if (left === undefined || right === undefined) return undefined;
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  } else {
    const all = splitGroups(t);
    if (all === undefined) return undefined;
    groups = all;
  }
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g, 16));
  return v;
}

export function parseIp(text: string): IpAddress | undefined {
  const t = text.trim();
  if (t.includes(':')) {
    const v = parseIPv6(t);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIPv4(t);
  return v === undefined ? undefined : { family: 4, value: v };
}

function mask(family: IpFamily, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  const host = bits - BigInt(prefix);
  return ((1n << bits) - 1n) ^ ((1n << host) - 1n);
}

/** Parse `10.0.0.0/8` or `2001:db8::/32`; host bits are cleared as Kubernetes' parser does. A bare address is a /32 or /128. */
export function parseCidr(text: string): Cidr | undefined {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addr = parseIp(slash < 0 ? t : t.slice(0, slash));
  if (addr === undefined) return undefined;
  let prefix = BITS[addr.family];
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > BITS[addr.family]) return undefined;
  }
  return { family: addr.family, base: addr.value & mask(addr.family, prefix), prefix, text: t };
}

export function cidrContainsIp(c: Cidr, ip: IpAddress): boolean {
  return c.family === ip.family && (ip.value & mask(c.family, c.prefix)) === c.base;
}

/** Is every address of `inner` inside `outer`? */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && (inner.base & mask(outer.family, outer.prefix)) === outer.base;
}

/** Does an ipBlock (cidr minus its exceptions) cover this address? */
export function blockCoversIp(cidr: Cidr, except: readonly Cidr[], ip: IpAddress): boolean {
  return cidrContainsIp(cidr, ip) && !except.some((e) => cidrContainsIp(e, ip));
}

/** 0.0.0.0/0 or ::/0: every address of its family. */
export function isWholeFamily(c: Cidr): boolean {
  return c.prefix === 0;
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    const parts: number[] = [];
    for (let i = 3; i >= 0; i--) parts.push(Number((ip.value >> BigInt(i * 8)) & 255n));
    return parts.join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((ip.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // compress the longest run of zero groups (RFC 5952)
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}
