// A stored run is kept as its report.json (src/history/gzip-json.ts): indented, one finding per
// line, each line what writeFindingJson writes. A later run reads it back for its diff and wants
// the message, evidence and related objects of only the findings it may call resolved (none of
// 382,691 at L when nothing changed); JSON.parse of everyone else's made objects only to drop
// them. BulkyCutter rewrites the inflated bytes before they are parsed: a finding line whose
// bulky fields are not wanted loses them, and is parsed as the finding without them (the read
// of the stored run at L: 1.83-1.97 -> 1.40-1.53 s, docs/performance.md).
//
// A line is cut only when it has exactly writeFindingJson's layout, which makes every cut exact:
// - it begins `    {"fingerprint":"<fp>","check":"<check>",` (no escapes in either);
// - the first `,"message":"` after them is the top-level member: fingerprint, check, area and
//   severity are strings and resource an object of strings, and a string's quotes are escaped,
//   so that text cannot occur inside them;
// - the message string ends (at a quote with an even run of backslashes before it) right
//   before `,"controls":[`, and the first bracket or brace after that is the `]` closing the
//   array, followed by `,"`;
// - it ends `,"waived":false}` (an open finding, no waiver, not implied): the last top-level
//   member, since that `}` closes the line's object.
// Every other line is left whole. A line that only looks cuttable (a cut inside the resource
// object) leaves a brace unclosed, so the parse fails; parseStoredRun then reads the run again
// without cutting.

import { OPEN_FINDING_TAIL } from '../run/spooled-finding.ts';

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/** The findings line of report.json's layout, with the line break before it (the document begins with `{`). */
const AFTER_BREAK = Buffer.from('\n  "findings": [\n');
const FINDINGS_END = Buffer.from('  ]');
const HEAD = Buffer.from('    {"fingerprint":"');
const CHECK = Buffer.from('","check":"');
const MESSAGE = Buffer.from(',"message":"');
const CONTROLS = Buffer.from(',"controls":[');
/** How writeFindingJson ends an open finding (no waiver, not implied). */
const OPEN_TAIL = Buffer.from(OPEN_FINDING_TAIL);

/** 1 for `[`, `]`, `{` and `}`. */
const BRACKET = new Uint8Array(256);
for (const c of '[]{}') BRACKET[c.charCodeAt(0)] = 1;

type Where = 'before' | 'findings' | 'after';

export class BulkyCutter {
  private readonly wanted: (fingerprint: string, check: string) => boolean;
  private where: Where = 'before';
  /** Before the findings: the last bytes pushed, fewer than AFTER_BREAK's, where the findings line may have begun. */
  private carry: Buffer = Buffer.alloc(0);
  /** Among the findings: the bytes after the last line break pushed (a line not complete yet), in a buffer that grows by doubling. */
  private pending: Buffer = Buffer.alloc(0);
  private pendingBytes = 0;
  /**
   * Two output buffers, used in turn: the parser may still hold the previous output (the part
   * of a value it has not seen the end of) until it is handed the next one.
   */
  private outs: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  private turn = 0;
  /** The last check id read, as bytes and as text (checkOf). */
  private lastCheck: Buffer = Buffer.alloc(0);
  private lastCheckText = '';
  /** Finding lines cut so far. */
  cut = 0;

  constructor(wanted: (fingerprint: string, check: string) => boolean) {
    this.wanted = wanted;
  }

  /**
   * The bytes to parse for `chunk`, rewritten; valid until the call after next. Outside the
   * findings they pass as they are; among them, only complete lines do (the rest waits for the
   * next chunk). Every byte is copied a bounded number of times, however long a line is or
   * whether the run has line breaks at all (the older compact layout has none).
   */
  push(chunk: Uint8Array): Buffer {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const t = (this.turn ^= 1);
    // A cut line is shorter than it was: the output is never longer than what it comes from.
    const most = this.pendingBytes + input.length;
    if (this.outs[t].length < most) this.outs[t] = Buffer.allocUnsafe(Math.max(most, 2 * this.outs[t].length));
    const out = this.outs[t];
    let n = 0;
    let from = 0;
    if (this.where === 'before') {
      const at = this.findingsStart(input);
      if (at < 0) return out.subarray(0, input.copy(out, 0));
      n = input.copy(out, 0, 0, at);
      from = at;
      this.where = 'findings';
    }
    if (this.where === 'findings') {
      const last = input.lastIndexOf(NEWLINE, input.length - 1);
      if (last < from) {
        this.keep(input, from, input.length);
        return out.subarray(0, n);
      }
      let lines = input.subarray(from, last + 1);
      if (this.pendingBytes > 0) {
        this.keep(input, from, last + 1);
        lines = this.pending.subarray(0, this.pendingBytes);
      }
      this.pendingBytes = 0;
      n = this.lines(lines, out, n);
      from = last + 1;
      if (this.where === 'findings') {
        this.keep(input, from, input.length);
        return out.subarray(0, n);
      }
    }
    return out.subarray(0, n + input.copy(out, n, from)); // after the findings: as it is
  }

  /** What is left once the input ended (a last line without a line break), as it is. */
  end(): Buffer {
    const rest = Buffer.from(this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
    return rest;
  }

  /** Appends `input[from, to)` to the line not complete yet. */
  private keep(input: Buffer, from: number, to: number): void {
    const need = this.pendingBytes + to - from;
    if (this.pending.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, 2 * this.pending.length));
      this.pending.copy(grown, 0, 0, this.pendingBytes);
      this.pending = grown;
    }
    this.pendingBytes += input.copy(this.pending, this.pendingBytes, from, to);
  }

  /**
   * Where in `input` the first finding line begins (just past the findings line, which may
   * have begun in the bytes pushed before), or -1; then the carry is updated.
   */
  private findingsStart(input: Buffer): number {
    const carry = this.carry;
    const joined = Buffer.concat([carry, input.subarray(0, AFTER_BREAK.length - 1)]);
    const across = joined.indexOf(AFTER_BREAK);
    if (across >= 0) return across + AFTER_BREAK.length - carry.length;
    const within = input.indexOf(AFTER_BREAK);
    if (within >= 0) return within + AFTER_BREAK.length;
    const whole = input.length >= AFTER_BREAK.length - 1 ? input : Buffer.concat([carry, input]);
    this.carry = Buffer.from(whole.subarray(whole.length - Math.min(whole.length, AFTER_BREAK.length - 1)));
    return -1;
  }

  /** `b` (whole lines, all among the findings until the line that ends them) rewritten into `out` from `n`; the new end. */
  private lines(b: Buffer, out: Buffer, n: number): number {
    let pos = 0;
    while (pos < b.length) {
      const end = b.indexOf(NEWLINE, pos);
      const line = b.subarray(pos, end);
      if (startsWith(line, FINDINGS_END, 0) && (line.length === FINDINGS_END.length || (line.length === FINDINGS_END.length + 1 && line[FINDINGS_END.length] === COMMA))) {
        this.where = 'after';
        return n + b.copy(out, n, pos);
      }
      n = this.finding(line, out, n);
      out[n++] = NEWLINE;
      pos = end + 1;
    }
    return n;
  }

  /** Writes `line` (one finding, its line break left out) to `out` at `n`, cut when its bulky fields are unwanted; the new end. */
  private finding(line: Buffer, out: Buffer, n: number): number {
    const cut = this.cutPoints(line);
    if (cut === null) return n + line.copy(out, n);
    this.cut++;
    n += line.copy(out, n, 0, cut.message);
    n += line.copy(out, n, cut.controls, cut.controlsEnd);
    n += OPEN_TAIL.copy(out, n);
    if (line[line.length - 1] === COMMA) out[n++] = COMMA;
    return n;
  }

  /** The check's id in [from, to): the last line's string again while the bytes are the same (a check's findings come in a row). */
  private checkOf(line: Buffer, from: number, to: number): string {
    const last = this.lastCheck;
    if (last.length === to - from) {
      let same = true;
      for (let i = 0; i < last.length && same; i++) same = line[from + i] === last[i];
      if (same) return this.lastCheckText;
    }
    this.lastCheck = Buffer.from(line.subarray(from, to));
    this.lastCheckText = this.lastCheck.toString('utf8');
    return this.lastCheckText;
  }

  /** Where `line` is cut (see the top), or null to keep it whole. */
  private cutPoints(line: Buffer): { message: number; controls: number; controlsEnd: number } | null {
    const last = line[line.length - 1] === COMMA ? line.length - 1 : line.length;
    if (last < HEAD.length + OPEN_TAIL.length || !startsWith(line, HEAD, 0) || !startsWith(line, OPEN_TAIL, last - OPEN_TAIL.length)) return null;
    const fpEnd = stringEnd(line, HEAD.length, last);
    if (fpEnd < 0 || !startsWith(line, CHECK, fpEnd)) return null;
    const checkStart = fpEnd + CHECK.length;
    const checkEnd = stringEnd(line, checkStart, last);
    if (checkEnd < 0) return null;
    if (this.wanted(line.toString('utf8', HEAD.length, fpEnd), this.checkOf(line, checkStart, checkEnd))) return null;
    const message = line.indexOf(MESSAGE, checkEnd);
    if (message < 0 || message >= last) return null;
    // The message string's closing quote: the first quote not escaped.
    let q = message + MESSAGE.length - 1;
    for (;;) {
      q = line.indexOf(QUOTE, q + 1);
      if (q < 0 || q >= last) return null;
      let backslashes = 0;
      while (line[q - 1 - backslashes] === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) break;
    }
    const controls = q + 1;
    if (!startsWith(line, CONTROLS, controls)) return null;
    // The array's end: its first bracket or brace, which must be `]` before `,"`.
    let i = controls + CONTROLS.length;
    while (i < last && BRACKET[line[i]!] === 0) i++;
    if (line[i] !== 0x5d || line[i + 1] !== COMMA || line[i + 2] !== QUOTE || i + 1 > last - OPEN_TAIL.length) return null;
    return { message, controls, controlsEnd: i + 1 };
  }
}

function startsWith(b: Buffer, what: Buffer, at: number): boolean {
  if (at < 0 || at + what.length > b.length) return false;
  for (let i = 0; i < what.length; i++) if (b[at + i] !== what[i]) return false;
  return true;
}

/** The closing quote of a string from `from` (past its opening quote), or -1 if it has an escape or does not end before `limit`. */
function stringEnd(b: Buffer, from: number, limit: number): number {
  for (let i = from; i < limit; i++) {
    const c = b[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) return -1;
  }
  return -1;
}
