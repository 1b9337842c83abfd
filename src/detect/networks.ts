// A set of networks (IPs and CIDRs from .kubemoat.yaml) and the question the detector asks of it
// on hot paths: is this address inside? Answers are cached per address string, because a cluster's
// requests come from few addresses (its nodes, its control plane, a handful of clients) and the
// trust check runs on most lines of a log.

import { cidrContainsIp, parseCidr, parseIp, type Cidr, type IpAddress } from '../inventory/netpol-cidr.js';

const MAX_CACHED = 10_000;
const V4_MAPPED_PREFIX = 0xffffn << 32n;

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1, as dual-stack listeners report IPv4 peers) is the IPv4 address. */
function unmapped(ip: IpAddress): IpAddress {
  return ip.family === 6 && ip.value >> 32n === 0xffffn ? { family: 4, value: ip.value - V4_MAPPED_PREFIX } : ip;
}

export class NetworkSet {
  private readonly cidrs: readonly Cidr[];
  private readonly cache = new Map<string, boolean>();

  /** Throws naming the first entry that is not an IP address or CIDR. */
  constructor(readonly entries: readonly string[]) {
    this.cidrs = entries.map((text) => {
      const c = parseCidr(text);
      if (!c) throw new Error(`not an IP address or CIDR: ${JSON.stringify(text)}`);
      return c;
    });
  }

  get size(): number {
    return this.cidrs.length;
  }

  /** Whether `address` is inside one of the networks (an unparseable address is not). */
  has(address: string): boolean {
    const known = this.cache.get(address);
    if (known !== undefined) return known;
    const ip = parseIp(address);
    const inside = ip !== undefined && this.cidrs.some((c) => cidrContainsIp(c, unmapped(ip)));
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(address, inside);
    return inside;
  }

  /**
   * The addresses outside every network. Text that is not an address is neither inside nor outside
   * (the API server drops X-Forwarded-For entries it cannot parse; a hand-made event may not have).
   */
  outside(addresses: readonly string[]): string[] {
    return addresses.filter((a) => !this.has(a) && parseIp(a) !== undefined);
  }
}
