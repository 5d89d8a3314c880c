// A finding whose bulky part — message, evidence, related objects, ~2/3 of a finding's memory
// and ~250 MiB at 150,000 pods — lives in a Spool (src/base/spool.ts) as the exact JSON text
// report.json contains, while the rest (fingerprint, check, area, severity, resource,
// controls, waiver state) stays an ordinary object. To every reader it is a Finding: the
// three fields are own enumerable accessors in their usual place, so property reads, spread,
// Object.keys/entries, structuredClone and JSON.stringify all see the same values in the same
// order as on a plain finding. Every finding shares the same accessor functions, hence one
// hidden class: the accessors cost no memory per finding. A read parses the record once
// (kept for the next read of the same finding); assigning one of the three fields turns the
// finding into a plain one. The writers of whole runs (report.json, the stores' gzip) copy
// the spooled bytes in order with writeFindingJson instead of parsing them back. The one
// evidence number a renderer ranks every open finding by (reachCount: the HTML's top fixes)
// is kept beside the finding when it is spooled, so ranking does not parse every record back.
import type { ByteBatch, Spool } from '../base/spool.ts';
import type { Area, ResourceRef, Severity } from '../base/vocabulary.ts';
import type { Verdict } from '../base/vocabulary.ts';
import { extentOf } from './extent.ts';
import type { Finding, FindingExtent, WaiverRef } from './types.ts';

type Bulky = Pick<Finding, 'message' | 'evidence' | 'related'>;
/** What a finding is made from: a check's failure (a Result) has these, and a finding too. */
type FindingHead = Pick<Finding, 'fingerprint' | 'check' | 'area' | 'severity' | 'resource'>;
type FindingState = Pick<Finding, 'waived' | 'waiver' | 'impliedBy'>;
/** A failure just made: open, no waiver, not implied by another (audit fills those in later). */
const OPEN: FindingState = { waived: false, waiver: undefined, impliedBy: undefined };

/**
 * The keys of a finding in JSON order (findingOf in src/engine/audit.ts makes them so); an
 * aggregating finding has `extent` after `resource` (EXTENT_AT), the others none.
 */
const KEYS = ['fingerprint', 'check', 'area', 'severity', 'resource', 'message', 'controls', 'evidence', 'related', 'waived', 'waiver', 'impliedBy'] as const;
const EXTENT_AT = 5;

let MESSAGE: PropertyDescriptor;
let EVIDENCE: PropertyDescriptor;
let RELATED: PropertyDescriptor;

/**
 * Evidence counts that say how many workloads or pods a finding reaches, in order of
 * preference: the first that is a positive finite number counts.
 */
const REACH_KEYS: ReadonlyArray<readonly [string, 'workload' | 'pod']> = [
  ['unisolatedCount', 'workload'], ['affectedWorkloads', 'workload'],
  ['failingPods', 'pod'], ['unmeshedPods', 'pod'], ['podCount', 'pod'],
];

/** The reach in `evidence`, signed: > 0 workloads, < 0 pods, 0 none (one number, no allocation). */
function reachIn(evidence: Record<string, unknown> | undefined): number {
  if (evidence === undefined || evidence === null) return 0;
  for (const [key, unit] of REACH_KEYS) {
    const v = evidence[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return unit === 'workload' ? v : -v;
  }
  return 0;
}

const member = (key: string, value: unknown): string => {
  const json = JSON.stringify(value);
  return json === undefined ? '' : `,"${key}":${json}`;
};

/**
 * A finding's fields in their JSON order (findingOf's), the message, evidence and related
 * objects as accessors the subclass gives: own enumerable properties in their usual place.
 */
abstract class FindingFields implements Finding {
  declare fingerprint: string;
  declare check: string;
  declare area: Area;
  declare severity: Severity;
  declare resource: ResourceRef;
  declare extent?: FindingExtent;
  declare message: string;
  declare controls: string[];
  declare evidence?: Record<string, unknown>;
  declare related?: ResourceRef[];
  declare waived: boolean;
  declare waiver?: WaiverRef;
  declare impliedBy?: string;

  protected constructor(f: FindingHead, extent: FindingExtent | undefined, controls: string[], state: FindingState, message: PropertyDescriptor, evidence: PropertyDescriptor, related: PropertyDescriptor) {
    this.fingerprint = f.fingerprint;
    this.check = f.check;
    this.area = f.area;
    this.severity = f.severity;
    this.resource = f.resource;
    // Only an aggregating finding has the key (most findings: none, and no slot for it).
    if (extent !== undefined) this.extent = extent;
    Object.defineProperty(this, 'message', message);
    this.controls = controls;
    Object.defineProperty(this, 'evidence', evidence);
    Object.defineProperty(this, 'related', related);
    this.waived = state.waived;
    this.waiver = state.waiver;
    this.impliedBy = state.impliedBy;
  }
}

class SpooledFinding extends FindingFields {
  /** null once the finding was made plain (a bulky field was assigned). */
  #spool: Spool | null;
  #at: number;
  #messageBytes: number;
  #bytes: number;
  /** reachIn(evidence) as spooled: the evidence cannot change without detaching the finding. */
  #reach: number;

  constructor(f: FindingHead, extent: FindingExtent | undefined, controls: string[], state: FindingState, spool: Spool, at: number, messageBytes: number, bytes: number, reach: number) {
    super(f, extent, controls, state, MESSAGE, EVIDENCE, RELATED);
    this.#spool = spool;
    this.#reach = reach;
    this.#at = at;
    this.#messageBytes = messageBytes;
    this.#bytes = bytes;
  }

  #read(): Bulky {
    const spool = this.#spool!;
    if (spool.memoAt === this.#at) return spool.memo as Bulky;
    const value = JSON.parse(`{${spool.text(this.#at + 1, this.#bytes - 1)}}`) as Bulky; // its leading comma left out
    spool.memoAt = this.#at;
    spool.memo = value;
    return value;
  }

  /** Makes the three fields plain data properties, in place (their order does not change). */
  #detach(): void {
    if (this.#spool === null) return;
    const value = this.#read();
    for (const key of ['message', 'evidence', 'related'] as const) {
      Object.defineProperty(this, key, { value: value[key], writable: true, enumerable: true, configurable: true });
    }
    this.#spool.memoAt = -1;
    this.#spool = null;
  }

  static {
    const accessor = (key: keyof Bulky): PropertyDescriptor => ({
      get(this: SpooledFinding) { return this.#read()[key]; },
      set(this: SpooledFinding, value: unknown) {
        this.#detach();
        (this as unknown as Record<string, unknown>)[key] = value;
      },
      enumerable: true,
      configurable: true,
    });
    MESSAGE = accessor('message');
    EVIDENCE = accessor('evidence');
    RELATED = accessor('related');
  }

  static reach(f: Finding): number {
    return #spool in f && f.#spool !== null ? f.#reach : reachIn(f.evidence);
  }

  static isSpooled(f: Finding): boolean {
    return #spool in f && f.#spool !== null;
  }

  /** JSON.stringify(f) into `out`, the spooled text copied as bytes when `f` is spooled. */
  static write(f: Finding, out: ByteBatch): void {
    if (!(#spool in f) || f.#spool === null || !inOrder(f)) {
      out.text(JSON.stringify(f) ?? 'null');
      return;
    }
    const spool = f.#spool;
    const memo = (out.memo ??= new Members()) as Members;
    // Each member written where it is made, none concatenated: `open` once the brace is out.
    let open = writeMember(out, 'fingerprint', f.fingerprint, false);
    open = memo.check.write(out, f.check, open);
    open = memo.area.write(out, f.area, open);
    open = memo.severity.write(out, f.severity, open);
    open = writeMember(out, 'resource', f.resource, open);
    if (f.extent !== undefined) open = writeMember(out, 'extent', f.extent, open);
    // The spooled message begins with its comma, left out when it is the first member.
    const first = open ? 0 : 1;
    if (!open) out.text('{');
    out.bytes(spool.bytes(f.#at + first, f.#messageBytes - first));
    memo.controls.write(out, f.controls, true);
    if (f.#bytes > f.#messageBytes) out.bytes(spool.bytes(f.#at + f.#messageBytes, f.#bytes - f.#messageBytes));
    // Most findings: open, no waiver, not implied by another.
    if (f.waived === false && f.waiver === undefined && f.impliedBy === undefined) out.text(OPEN_FINDING_TAIL);
    else out.text(`${member('waived', f.waived)}${member('waiver', f.waiver)}${member('impliedBy', f.impliedBy)}}`);
  }
}

/** The end of an open finding's JSON (no waiver, not implied): src/history/unwanted-bulky.ts cuts at it. */
export const OPEN_FINDING_TAIL = `${member('waived', false)}}`;

/**
 * member(key, value) of the last value seen, reused while the next finding has the same one
 * (the findings of one check come in a row: the same check, area, severity and controls).
 * A string is compared by value; an object (the controls list) by identity, which is exact
 * only while nothing can change it in place: the memo lives on a ByteBatch, which drops it at
 * each flush, and an asynchronous writer drops it before it lets other code run (gzipJson).
 */
class Member {
  #key: string;
  #value: unknown = undefined;
  /** member(key, value) as UTF-8: copied, not encoded again, for each finding that shares it. */
  #bytes = Buffer.alloc(0);
  #set = false;
  constructor(key: string) { this.#key = key; }
  /** Writes member(key, value) to `out` as writeMember does, and returns whether the brace is out. */
  write(out: ByteBatch, value: unknown, open: boolean): boolean {
    if (!this.#set || value !== this.#value) {
      this.#bytes = Buffer.from(member(this.#key, value), 'utf8');
      this.#value = value;
      this.#set = true;
    }
    const bytes = this.#bytes;
    if (bytes.length === 0) return open;
    if (open) out.bytes(bytes);
    else {
      out.text('{');
      out.bytes(bytes.subarray(1));
    }
    return true;
  }
}

/**
 * member(key, value) written to `out` a piece at a time (no concatenation to encode), after a
 * comma when `open`, else after the object's opening brace. Returns whether the brace is out:
 * a member JSON leaves out writes nothing. `key` is one of a finding's, which JSON writes as it is.
 */
function writeMember(out: ByteBatch, key: string, value: unknown, open: boolean): boolean {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return open;
  out.text(open ? ',"' : '{"');
  out.text(key);
  out.text('":');
  out.text(json);
  return true;
}

class Members {
  readonly check = new Member('check');
  readonly area = new Member('area');
  readonly severity = new Member('severity');
  readonly controls = new Member('controls');
}

/** Whether a finding still has exactly its own keys, in order (nothing added or removed by a reader). */
function inOrder(f: object): boolean {
  const keys = Object.keys(f);
  const extent = keys.length === KEYS.length + 1 && keys[EXTENT_AT] === 'extent' ? 1 : 0;
  if (keys.length !== KEYS.length + extent) return false;
  for (let i = 0; i < KEYS.length; i++) if (keys[i < EXTENT_AT ? i : i + extent] !== KEYS[i]) return false;
  return true;
}

/**
 * `f` with its message, evidence and related objects appended to `spool`, or null when the
 * spool cannot take them (a write failed) or the message is not text: keep `f` as it is then.
 * `f` must have the keys of a finding in JSON order (findingOf).
 */
export function spoolFinding(f: Finding, spool: Spool): Finding | null {
  if (typeof f.message !== 'string' || !inOrder(f)) return null;
  return spooled(f, f.extent, f.message, f.evidence, f.related, f.controls, f, spool);
}

/**
 * The finding findingOf (src/engine/audit.ts) makes of a check's failure `r` (open, its
 * evidence and related objects left out when empty), spooled as spoolFinding would spool it,
 * without that finding being made first; null as spoolFinding.
 */
export function spoolFailure(r: FindingHead & Pick<Finding, 'message' | 'evidence' | 'related'> & Pick<Verdict, 'extent'>, controls: string[], spool: Spool): Finding | null {
  if (typeof r.message !== 'string') return null;
  return spooled(r, findingExtent(r), r.message, findingEvidence(r), findingRelated(r), controls, OPEN, spool);
}

/**
 * The extent a frozen (shared) verdict extent makes, once: the Pod Security checks give every
 * workload of the same failures one extent (src/analysis/pss/verdicts.ts), so thousands of
 * findings hold one object, frozen too.
 */
const sharedExtents = new WeakMap<NonNullable<Verdict['extent']>, FindingExtent>();

/** A failure's extent as its finding holds it: bounded (src/run/extent.ts), none when it stands for one object (findingOf, spoolFailure). */
export function findingExtent(r: Pick<Verdict, 'extent'>): FindingExtent | undefined {
  if (!r.extent) return undefined;
  if (!Object.isFrozen(r.extent)) return extentOf(r.extent.unit, r.extent.members);
  let extent = sharedExtents.get(r.extent);
  if (extent === undefined) sharedExtents.set(r.extent, (extent = Object.freeze(extentOf(r.extent.unit, r.extent.members))));
  return extent;
}

/** A failure's evidence as its finding holds it: none when empty (findingOf, spoolFailure). */
export function findingEvidence(r: Pick<Finding, 'evidence'>): Finding['evidence'] {
  return r.evidence || undefined;
}

/** A failure's related objects as its finding holds them: none when there are none (findingOf, spoolFailure). */
export function findingRelated(r: Pick<Finding, 'related'>): Finding['related'] {
  return r.related?.length ? r.related : undefined;
}

function spooled(f: FindingHead, extent: FindingExtent | undefined, message: string, evidence: Finding['evidence'], related: Finding['related'], controls: string[], state: FindingState, spool: Spool): Finding | null {
  // Two appends, each the flat string JSON.stringify made of an object literal, encoded as it
  // is (its braces become a leading comma and nothing: Spool.appendMembers), never copied into
  // a concatenation first: the record is `,"message":…,"evidence":…,"related":…`. The message's
  // length in bytes is where the first ends (no Buffer.byteLength). The second literal
  // serialises evidence and related as JSON.stringify(f) does (an undefined one left out).
  const at = spool.appendMembers(JSON.stringify({ message }));
  if (at < 0) return null;
  const messageBytes = spool.size - at;
  if (spool.appendMembers(JSON.stringify({ evidence, related })) < 0) return null;
  return new SpooledFinding(f, extent, controls, state, spool, at, messageBytes, spool.size - at, reachIn(evidence));
}

/**
 * A finding read back for a diff whose message, evidence and related objects were not kept:
 * the diff reads only a finding's identity and state. Reading one of the three (a spread, a
 * property read) or serialising the finding throws, naming the finding: nothing can show or
 * store it without them by mistake. Its keys are a finding's, in order.
 */
class UnreadBulkyFinding extends FindingFields {
  constructor(f: Finding) {
    super(f, f.extent, f.controls, f, UNREAD, UNREAD, UNREAD);
  }

  toJSON(): never {
    throw unread(this);
  }
}

const unread = (f: Finding) => new Error(`stored finding ${f.fingerprint} (${f.check}) was read for a diff without its message, evidence and related objects`);
const UNREAD: PropertyDescriptor = {
  get(this: Finding) { throw unread(this); },
  set(this: Finding) { throw unread(this); },
  enumerable: true,
  configurable: true,
};

/** `f` without its message, evidence and related objects (UnreadBulkyFinding). */
export function unreadBulky(f: Finding): Finding {
  return new UnreadBulkyFinding(f);
}

/** Whether `f` was read without its message, evidence and related objects (unreadBulky). */
export function isUnreadBulky(f: Finding): boolean {
  return f instanceof UnreadBulkyFinding;
}

/** Writes JSON.stringify(f) to `out`: spooled text is copied as it is, not parsed back. */
export function writeFindingJson(f: Finding, out: ByteBatch): void {
  SpooledFinding.write(f, out);
}

/** Whether `f`'s bulky fields are read from a spool. */
export function isSpooled(f: Finding): boolean {
  return SpooledFinding.isSpooled(f);
}

/**
 * How many workloads or pods `f` reaches by its evidence (the first of REACH_KEYS that is a
 * positive number): > 0 workloads, < 0 pods, 0 when it says none. A spooled finding answers
 * from the number kept when it was spooled, without reading its evidence back.
 */
export function reachCount(f: Finding): number {
  return SpooledFinding.reach(f);
}
