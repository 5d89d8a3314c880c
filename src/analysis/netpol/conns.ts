// Sets of connections (protocol -> port intervals). Reachability answers are sets, not
// booleans, so "which ports are open between A and B" and "is 5432/TCP open" share one code path.

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Sorted, disjoint, non-adjacent inclusive intervals. */
export type Intervals = Array<[number, number]>;

export type ConnSet = Record<Protocol, Intervals>;

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

export function emptyConns(): ConnSet {
  return { SCTP: [], TCP: [], UDP: [] };
}

export function allConns(): ConnSet {
  return { SCTP: [[MIN_PORT, MAX_PORT]], TCP: [[MIN_PORT, MAX_PORT]], UDP: [[MIN_PORT, MAX_PORT]] };
}

export function isProtocol(v: unknown): v is Protocol {
  return v === 'TCP' || v === 'UDP' || v === 'SCTP';
}

function normalize(list: Intervals): Intervals {
  const sorted = list.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: Intervals = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Both sorted and disjoint: one merge pass, O(|a| + |b|), where sorting the two anew cost a log more. */
export function unionIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0) return b.map(([x, y]) => [x, y]);
  if (b.length === 0) return a.map(([x, y]) => [x, y]);
  const out: Intervals = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const [lo, hi] = j >= b.length || (i < a.length && a[i][0] <= b[j][0]) ? a[i++] : b[j++];
    if (lo > hi) continue;
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/**
 * The union of many sets at once: each protocol's intervals sorted and merged once, not one union
 * per set (and no [protocol, lo, hi] triple per interval: this runs for every plan's isolation).
 */
export function unionAllConns(sets: readonly ConnSet[]): ConnSet {
  const out = emptyConns();
  for (const p of PROTOCOLS) {
    const list: Intervals = [];
    for (const c of sets) for (const iv of c[p]) list.push(iv);
    out[p] = normalize(list);
  }
  return out;
}

export function intersectIntervals(a: Intervals, b: Intervals): Intervals {
  const out: Intervals = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

/** `a` minus `b` (both sorted and disjoint). */
export function subtractIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return a.map(([x, y]) => [x, y]);
  const out: Intervals = [];
  let j = 0;
  for (const [lo0, hi] of a) {
    let lo = lo0;
    while (j < b.length && b[j][1] < lo) j++;
    let k = j;
    while (k < b.length && b[k][0] <= hi) {
      if (b[k][0] > lo) out.push([lo, b[k][0] - 1]);
      lo = Math.max(lo, b[k][1] + 1);
      if (b[k][1] > hi) break;
      k++;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

/** Adds one interval in place, a pass over the whole set each time: a list of ports goes through connsOf. */
export function addInterval(set: ConnSet, proto: Protocol, lo: number, hi: number): void {
  set[proto] = unionIntervals(set[proto], [[lo, hi]]);
}

/** One protocol's port interval, inclusive: an entry of a port list before the list is merged. */
export type PortInterval = readonly [Protocol, number, number];

/**
 * The connections a list of port intervals covers, in any order, overlapping or not. Sorted
 * and merged once: a rule of n ports costs O(n log n), where merging its ports into the set
 * one at a time cost O(n² log n) (30,000 ports took a minute).
 */
export function connsOf(intervals: Iterable<PortInterval>): ConnSet {
  const lists: ConnSet = emptyConns();
  for (const [proto, lo, hi] of intervals) lists[proto].push([lo, hi]);
  return { SCTP: normalize(lists.SCTP), TCP: normalize(lists.TCP), UDP: normalize(lists.UDP) };
}

export function unionConns(a: ConnSet, b: ConnSet): ConnSet {
  return { SCTP: unionIntervals(a.SCTP, b.SCTP), TCP: unionIntervals(a.TCP, b.TCP), UDP: unionIntervals(a.UDP, b.UDP) };
}

export function intersectConns(a: ConnSet, b: ConnSet): ConnSet {
  return { SCTP: intersectIntervals(a.SCTP, b.SCTP), TCP: intersectIntervals(a.TCP, b.TCP), UDP: intersectIntervals(a.UDP, b.UDP) };
}

/**
 * `a` minus `b`: what remains undecided after a rule took `b`. Ordered first-match stages
 * (ANP, Calico tiers) need it; union stages use it for "Deny beats Allow".
 */
export function subtractConns(a: ConnSet, b: ConnSet): ConnSet {
  return { SCTP: subtractIntervals(a.SCTP, b.SCTP), TCP: subtractIntervals(a.TCP, b.TCP), UDP: subtractIntervals(a.UDP, b.UDP) };
}

export function isEmptyConns(c: ConnSet): boolean {
  return c.SCTP.length === 0 && c.TCP.length === 0 && c.UDP.length === 0;
}

/** Whether two sets hold the same connections (whatever the intervals' layout). */
export function sameConns(a: ConnSet, b: ConnSet): boolean {
  return isEmptyConns(subtractConns(a, b)) && isEmptyConns(subtractConns(b, a));
}

export function isAllConns(c: ConnSet): boolean {
  return PROTOCOLS.every((p) => c[p].length === 1 && c[p][0][0] === MIN_PORT && c[p][0][1] === MAX_PORT);
}

export function hasConn(c: ConnSet, proto: Protocol, port: number): boolean {
  return c[proto].some(([a, b]) => port >= a && port <= b);
}

/** Intersects with one port (or the whole protocol when port is undefined). */
export function restrictConns(c: ConnSet, proto: Protocol | undefined, port: number | undefined): ConnSet {
  const filter = emptyConns();
  for (const p of PROTOCOLS) {
    if (proto && p !== proto) continue;
    filter[p] = port === undefined ? [[MIN_PORT, MAX_PORT]] : [[port, port]];
  }
  return intersectConns(c, filter);
}

/**
 * "All Connections", or "TCP 80,8000-8090,UDP 53": protocols sorted, ports merged into
 * ranges. The same text netpol-analyzer prints, so reports and conformance read alike.
 */
export function formatConns(c: ConnSet): string {
  if (isEmptyConns(c)) return 'No Connections';
  if (isAllConns(c)) return 'All Connections';
  const parts: string[] = [];
  for (const p of PROTOCOLS) {
    if (c[p].length === 0) continue;
    parts.push(`${p} ${c[p].map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',')}`);
  }
  return parts.join(',');
}

/** Plain-JSON form: { TCP: ["80", "8000-8090"], ... } with empty protocols left out. */
export function connsToJson(c: ConnSet): Partial<Record<Protocol, string[]>> {
  const out: Partial<Record<Protocol, string[]>> = {};
  for (const p of PROTOCOLS) if (c[p].length) out[p] = c[p].map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  return out;
}
