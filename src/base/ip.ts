// IP addresses and ipBlocks as integer intervals (IPv4 and IPv6 kept apart), so that
// "cidr minus except" is exact and a block can be compared with any address or range.

import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

export interface IpRange {
  family: Family;
  lo: bigint;
  hi: bigint;
}

function toBig(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function familyBits(f: Family): bigint {
  return f === 4 ? 32n : 128n;
}

/**
 * An IPv4 address in the plain dotted-quad form every pod's status.podIP has: four decimal parts
 * of one to three digits, no leading zero. ipaddr.js takes each such string as the address it
 * spells when every part is at most 255; anything else goes the long way below.
 */
const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** Parses an address (v4, v6, v4-mapped v6 kept as v6). Undefined when invalid. */
export function parseIp(text: string): { family: Family; value: bigint } | undefined {
  if (typeof text !== 'string') return undefined;
  // The common case without ipaddr.js's three parses (IPv6, IPv4, four-part check): 150,000 pod
  // addresses at L took ~0.35 s of CPU that way.
  const quad = DOTTED_QUAD.exec(text);
  if (quad) {
    const a = Number(quad[1]), b = Number(quad[2]), c = Number(quad[3]), d = Number(quad[4]);
    if (a <= 255 && b <= 255 && c <= 255 && d <= 255) return { family: 4, value: BigInt(((a * 256 + b) * 256 + c) * 256 + d) };
  }
  if (!ipaddr.isValid(text)) return undefined;
  if (ipaddr.IPv4.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined; // "10.1" shorthand
  const a = ipaddr.parse(text);
  return { family: a.kind() === 'ipv4' ? 4 : 6, value: toBig(a.toByteArray()) };
}

/**
 * The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) stands for: "used to represent
 * the addresses of IPv4 nodes as IPv6 addresses" (RFC 4291 section 2.5.5.2), as a dual-stack
 * socket shows an IPv4 peer. Undefined for any other address.
 */
export function unmapIpv4(ip: { family: Family; value: bigint }): { family: 4; value: bigint } | undefined {
  return ip.family === 6 && ip.value >> 32n === 0xffffn ? { family: 4, value: ip.value & 0xffffffffn } : undefined;
}

/** Parses "a.b.c.d/n" (host bits allowed, as the API server's sloppy parser does). */
export function parseCidr(text: string): IpRange | undefined {
  if (typeof text !== 'string' || !text.includes('/')) return undefined;
  const [addr, bits] = text.split('/');
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const width = familyBits(ip.family);
  const prefix = BigInt(Number(bits));
  if (prefix > width) return undefined;
  const hostBits = width - prefix;
  const mask = (1n << hostBits) - 1n;
  const lo = ip.value & ~mask;
  return { family: ip.family, lo, hi: lo | mask };
}

/**
 * Parses a CIDR as Go's netip.ParsePrefix does, which the API server's strict checks use (CEL
 * isCIDR, k8s.io/apiserver pkg/cel/library/cidr.go; StrictIPCIDRValidation, k8s.io/apimachinery
 * pkg/util/validation/ip.go): parseCidr's reading, but a prefix length with a leading zero ("/08":
 * "bad bits after slash") or an address with a zone is refused. parseCidr already refuses an IPv4
 * address with a leading zero.
 */
export function parsePrefix(text: string): IpRange | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0 || !/^(0|[1-9]\d{0,2})$/.test(text.slice(slash + 1)) || text.slice(0, slash).includes('%')) return undefined;
  return parseCidr(text);
}

/**
 * A CIDR parsePrefix refuses only for leading zeros — in an IPv4 address's parts ("010.0.0.0/8")
 * or in the prefix length ("10.0.0.0/08", "fd00::/08") — read as k8s.io/utils' ParseCIDRSloppy
 * reads it: each number as decimal ("allows leading '0' characters on numbers", k8s.io/utils
 * net/parse.go). `decimal`: the same CIDR without them; `inAddress`: some zero is in the address
 * (Go's net.ParseCIDR refuses those, but reads a prefix length's). Undefined for any other text.
 */
export function sloppyCidr(text: string): { block: IpRange; decimal: string; inAddress: boolean } | undefined {
  if (typeof text !== 'string' || parsePrefix(text)) return undefined;
  const v4 = /^(\d{1,8})\.(\d{1,8})\.(\d{1,8})\.(\d{1,8})\/(\d{1,8})$/.exec(text);
  const v6 = v4 ? undefined : /^([0-9A-Fa-f:]*:[0-9A-Fa-f:]*)\/(\d{1,8})$/.exec(text);
  if (!v4 && !v6) return undefined;
  const address = v4 ? [v4[1], v4[2], v4[3], v4[4]].map(Number).join('.') : v6![1];
  const decimal = `${address}/${Number(v4 ? v4[5] : v6![2])}`;
  const block = decimal === text ? undefined : parsePrefix(decimal);
  return block && { block, decimal, inAddress: !!v4 && address !== `${v4[1]}.${v4[2]}.${v4[3]}.${v4[4]}` };
}

/** `base` minus every range in `minus`, as sorted disjoint ranges. */
export function subtractRanges(base: IpRange, minus: readonly IpRange[]): IpRange[] {
  let pieces: IpRange[] = [base];
  for (const m of minus) {
    if (m.family !== base.family) continue;
    const next: IpRange[] = [];
    for (const p of pieces) {
      if (m.hi < p.lo || m.lo > p.hi) {
        next.push(p);
        continue;
      }
      if (m.lo > p.lo) next.push({ family: p.family, lo: p.lo, hi: m.lo - 1n });
      if (m.hi < p.hi) next.push({ family: p.family, lo: m.hi + 1n, hi: p.hi });
    }
    pieces = next;
  }
  return pieces.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
}

/** The addresses in both lists (each a union of ranges). */
export function intersectRanges(a: readonly IpRange[], b: readonly IpRange[]): IpRange[] {
  const out: IpRange[] = [];
  for (const x of a) {
    for (const y of b) {
      if (x.family !== y.family) continue;
      const lo = x.lo > y.lo ? x.lo : y.lo;
      const hi = x.hi < y.hi ? x.hi : y.hi;
      if (lo <= hi) out.push({ family: x.family, lo, hi });
    }
  }
  return out;
}

export function rangeContains(r: IpRange, family: Family, value: bigint): boolean {
  return r.family === family && value >= r.lo && value <= r.hi;
}

export function ipToString(family: Family, value: bigint): string {
  if (family === 4) {
    const n = Number(value);
    return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
  }
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 255n));
  return ipaddr.fromByteArray(bytes).toString();
}

export function formatRange(r: IpRange): string {
  return `${ipToString(r.family, r.lo)}-${ipToString(r.family, r.hi)}`;
}

export const ALL_V4: IpRange = { family: 4, lo: 0n, hi: (1n << 32n) - 1n };
export const ALL_V6: IpRange = { family: 6, lo: 0n, hi: (1n << 128n) - 1n };
