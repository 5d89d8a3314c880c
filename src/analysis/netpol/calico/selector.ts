// Calico's selector expression language (projectcalico.org/v3 `selector`, `namespaceSelector`,
// `serviceAccountSelector`, rule `selector`/`notSelector`), implemented independently from the
// documented grammar (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors):
// match terms `k == 'v'`, `k != 'v'`, `k in {…}`, `k not in {…}`, `has(k)`, `k contains 's'`,
// `k starts with 's'`, `k ends with 's'`, `all()`, `global()`; `!` binds tighter than `&&`,
// which binds tighter than `||`; parentheses group. It is a small scannerless
// precedence-climbing parser over the text; the finer points the page leaves open (which
// whitespace counts, keyword spellings such as `notin`, how `!` chains and sets normalise) were
// settled by, and are verified against, the verdicts of Calico's own parser on thousands of
// generated expressions and label sets (test/conformance/calico-selector/README.md).
// Parse errors are returned, never thrown, and name a column.

/** A parsed selector expression; `and`/`or` keep Calico's grouping (no flattening across parentheses). */
export type CalicoSelectorNode =
  | { readonly op: 'all' }
  | { readonly op: 'global' }
  | { readonly op: 'has'; readonly label: string }
  | { readonly op: 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith'; readonly label: string; readonly value: string }
  | { readonly op: 'in' | 'notIn'; readonly label: string; readonly values: readonly string[] }
  | { readonly op: 'not'; readonly operand: CalicoSelectorNode }
  | { readonly op: 'and' | 'or'; readonly operands: readonly CalicoSelectorNode[] };

/** Labels as a plain record (own keys only count) or a Map. */
export type LabelSource = Readonly<Record<string, string>> | ReadonlyMap<string, string>;

export interface CalicoSelector {
  /** The expression as written. */
  readonly source: string;
  /** Calico's normalised form (`Selector.String()`): `""` → `all()`, `a=='x'` → `a == "x"`. */
  readonly text: string;
  readonly root: CalicoSelectorNode;
  /** True when the expression is exactly `all()` (or empty): selects everything. */
  readonly matchesAll: boolean;
  matches(labels: LabelSource): boolean;
}

export type CalicoSelectorResult =
  | { readonly ok: true; readonly selector: CalicoSelector }
  | { readonly ok: false; readonly error: string };

/** Calico refuses label names longer than this (tokenizer.MaxLabelLength). */
export const MAX_LABEL_LENGTH = 512;

/**
 * Deeper nesting is refused (Calico itself has no limit, but its API caps a selector at 1024
 * characters, so no stored selector nests this deep); it keeps evaluation off the stack limit.
 */
export const MAX_NESTING = 1000;

// ---------------------------------------------------------------------------------------------
// Characters

const LABEL_CHAR = /[A-Za-z0-9_./-]/;
const LABEL_RUN = /[A-Za-z0-9_./-]+/y;
const BLANKS = /[ \t]*/y;

function isLabelChar(ch: string | undefined): boolean {
  return ch !== undefined && LABEL_CHAR.test(ch);
}

/** Orders strings by Unicode code point (the order of their UTF-8 bytes), not by UTF-16 unit. */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (an astral code point) sorts after every BMP unit above it.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function quoted(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

function shown(ch: string | undefined): string {
  return ch === undefined ? 'the end of the selector' : JSON.stringify(ch);
}

// ---------------------------------------------------------------------------------------------
// Parser: or := and ('||' and)* ; and := unary ('&&' unary)* ; unary := '!'* primary ;
// primary := '(' or ')' | all() | global() | has(label) | label operator operand

/** Thrown inside the parser only; parseCalicoSelector turns it into a returned error. */
class SelectorSyntaxError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

const TWO_WORD_OPS: ReadonlyArray<[first: string, second: string, op: 'notIn' | 'startsWith' | 'endsWith']> = [
  ['not', 'in', 'notIn'],
  ['starts', 'with', 'startsWith'],
  ['ends', 'with', 'endsWith'],
];
const ONE_WORD_OPS: Readonly<Record<string, 'in' | 'notIn' | 'contains' | 'startsWith' | 'endsWith'>> = {
  in: 'in', notin: 'notIn', contains: 'contains', startswith: 'startsWith', endswith: 'endsWith',
};

class Parser {
  private pos = 0;
  private depth = 0;

  private readonly src: string;

  constructor(src: string) {
    this.src = src;
  }

  private fail(message: string, at = this.pos): never {
    throw new SelectorSyntaxError(`${message} (at column ${at + 1})`);
  }

  private skipBlanks(): void {
    BLANKS.lastIndex = this.pos;
    BLANKS.test(this.src);
    this.pos = BLANKS.lastIndex;
  }

  private peek(): string | undefined {
    return this.pos < this.src.length ? this.src[this.pos] : undefined;
  }

  /** The run of label characters at the cursor ('' when none), without consuming it. */
  private wordAt(at: number): string {
    LABEL_RUN.lastIndex = at;
    const m = LABEL_RUN.exec(this.src);
    return m ? m[0] : '';
  }

  parseWhole(): CalicoSelectorNode {
    this.skipBlanks();
    if (this.pos === this.src.length) return { op: 'all' };
    const node = this.parseOr();
    this.skipBlanks();
    if (this.pos < this.src.length) this.unexpectedAfterExpression();
    return node;
  }

  private unexpectedAfterExpression(): never {
    const ch = this.peek()!;
    if (ch === ')') this.fail(`unexpected ')' after a complete expression`);
    this.checkTokenStart();
    this.fail(`expected '&&', '||' or the end of the selector after a complete expression, found ${shown(ch)}`);
  }

  /**
   * Fails when the text at the cursor starts no token of the language (a stray character, or a
   * lone '=', '&' or '|'): Calico refuses those wherever they stand.
   */
  private checkTokenStart(): void {
    const ch = this.peek();
    if (ch === undefined || isLabelChar(ch) || '()!{},"\''.includes(ch)) return;
    const next = this.src[this.pos + 1];
    if (ch === '=' || ch === '&' || ch === '|') {
      if (next === ch) return;
      this.fail(`expected '${ch}${ch}' (a single '${ch}' is not an operator)`);
    }
    this.fail(`expected a label name, found ${shown(ch)}`);
  }

  private parseOr(): CalicoSelectorNode {
    const first = this.parseAnd();
    const operands = [first];
    for (;;) {
      this.skipBlanks();
      if (!this.src.startsWith('||', this.pos)) break;
      this.pos += 2;
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? first : { op: 'or', operands };
  }

  private parseAnd(): CalicoSelectorNode {
    const first = this.parseUnary();
    const operands = [first];
    for (;;) {
      this.skipBlanks();
      if (!this.src.startsWith('&&', this.pos)) break;
      this.pos += 2;
      operands.push(this.parseUnary());
    }
    return operands.length === 1 ? first : { op: 'and', operands };
  }

  /** A run of `!` (blanks allowed between) negates by its parity; nested groups keep theirs. */
  private parseUnary(): CalicoSelectorNode {
    let negations = 0;
    for (;;) {
      this.skipBlanks();
      if (this.peek() === '!' && this.src[this.pos + 1] !== '=') {
        negations++;
        this.pos++;
      } else break;
    }
    const node = this.parsePrimary();
    return negations % 2 === 1 ? { op: 'not', operand: node } : node;
  }

  private parsePrimary(): CalicoSelectorNode {
    this.skipBlanks();
    const start = this.pos;
    const ch = this.peek();
    if (ch === undefined) this.fail('expression is missing: the selector ends here');
    if (ch === '(') {
      if (++this.depth > MAX_NESTING) this.fail(`parentheses nested more than ${MAX_NESTING} deep`);
      this.pos++;
      const inner = this.parseOr();
      this.skipBlanks();
      if (this.peek() !== ')') {
        this.checkTokenStart();
        this.fail(`expected ')' to close the '(' at column ${start + 1}, found ${shown(this.peek())}`);
      }
      this.pos++;
      this.depth--;
      return inner;
    }
    this.checkTokenStart();
    const word = this.wordAt(this.pos);
    if (word === '') this.fail(`expression is missing: expected a label name, has(), all() or '(', found ${shown(ch)}`);
    if (this.src[this.pos + word.length] === '(' && (word === 'all' || word === 'global' || word === 'has')) {
      this.pos += word.length + 1;
      return this.parseCall(word);
    }
    const label = this.takeLabel();
    return this.parseMatch(label);
  }

  private takeLabel(): string {
    const word = this.wordAt(this.pos);
    if (word.length > MAX_LABEL_LENGTH) this.fail(`label name is longer than ${MAX_LABEL_LENGTH} characters`);
    this.pos += word.length;
    return word;
  }

  private parseCall(name: 'all' | 'global' | 'has'): CalicoSelectorNode {
    this.skipBlanks();
    if (name === 'has') {
      this.checkTokenStart();
      if (!isLabelChar(this.peek())) this.fail(`expected a label name, found ${shown(this.peek())}`);
      const label = this.takeLabel();
      this.skipBlanks();
      if (this.peek() !== ')') {
        this.checkTokenStart();
        this.fail(`no closing ')' after has(${label}`);
      }
      this.pos++;
      return { op: 'has', label };
    }
    if (this.peek() !== ')') {
      this.checkTokenStart();
      this.fail(`no closing ')' after ${name}(`);
    }
    this.pos++;
    return { op: name };
  }

  private parseMatch(label: string): CalicoSelectorNode {
    this.skipBlanks();
    const at = this.pos;
    const ch = this.peek();
    if (ch === undefined) this.fail(`operator is missing after label "${label}"`);
    if (ch === '!' && this.src[this.pos + 1] !== '=') this.fail(`expected '!=' (a lone '!' after a label is not an operator)`);
    this.checkTokenStart();
    if (ch === '=' || ch === '!') {
      this.pos += 2;
      const op = ch === '=' ? 'eq' : 'ne';
      return { op, label, value: this.parseString(op === 'eq' ? '==' : '!=') };
    }
    const word = this.wordAt(this.pos);
    const oneWord = ONE_WORD_OPS[word];
    if (oneWord !== undefined && Object.hasOwn(ONE_WORD_OPS, word)) {
      this.pos += word.length;
      return this.parseOperand(label, oneWord, word);
    }
    for (const [first, second, op] of TWO_WORD_OPS) {
      if (word !== first) continue;
      this.pos += word.length;
      this.skipBlanks();
      if (this.wordAt(this.pos) === second) {
        this.pos += second.length;
        return this.parseOperand(label, op, `${first} ${second}`);
      }
      break;
    }
    this.fail(`expected an operator (==, !=, in, not in, contains, starts with, ends with) after label "${label}", found ${word ? `"${word}"` : shown(ch)}`, at);
  }

  private parseOperand(label: string, op: 'in' | 'notIn' | 'contains' | 'startsWith' | 'endsWith', spelled: string): CalicoSelectorNode {
    if (op === 'in' || op === 'notIn') return { op, label, values: this.parseSet() };
    return { op, label, value: this.parseString(spelled) };
  }

  private parseString(after: string): string {
    this.skipBlanks();
    const q = this.peek();
    if (q !== '"' && q !== "'") {
      this.checkTokenStart();
      const word = this.wordAt(this.pos);
      this.fail(`expected a quoted string after '${after}', found ${word ? `label "${word}"` : shown(q)}`);
    }
    const end = this.src.indexOf(q, this.pos + 1);
    if (end < 0) this.fail('unterminated string');
    const value = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  /** `{` [string (',' string)* [',']] `}`: sorted by code point, duplicates dropped. */
  private parseSet(): string[] {
    this.skipBlanks();
    if (this.peek() !== '{') {
      this.checkTokenStart();
      this.fail(`expected a set literal '{…}', found ${shown(this.peek())}`);
    }
    const open = this.pos;
    this.pos++;
    const values: string[] = [];
    let wantValue = true; // a value or '}' may come next (else ',' or '}')
    for (;;) {
      this.skipBlanks();
      const ch = this.peek();
      if (ch === '}') { this.pos++; break; }
      if (wantValue && (ch === '"' || ch === "'")) {
        values.push(this.parseString('{'));
        wantValue = false;
        continue;
      }
      if (!wantValue && ch === ',') { this.pos++; wantValue = true; continue; }
      this.checkTokenStart();
      if (wantValue) this.fail(`expected '}' or a quoted string in the set opened at column ${open + 1}, found ${shown(ch)}`);
      const found = ch === '"' || ch === "'" ? `string ${JSON.stringify(this.peekString())}` : shown(ch);
      this.fail(`expected '}' or a quoted string in the set, found ${found} (values are separated by ',')`);
    }
    return [...new Set(values)].sort(byCodePoint);
  }

  private peekString(): string {
    const q = this.peek()!;
    const end = this.src.indexOf(q, this.pos + 1);
    return end < 0 ? this.src.slice(this.pos + 1) : this.src.slice(this.pos + 1, end);
  }
}

// ---------------------------------------------------------------------------------------------
// Normalised text

/** Calico's `Selector.String()`: the normalised text, equal for equivalent spellings. */
export function selectorText(n: CalicoSelectorNode): string {
  switch (n.op) {
    case 'all': return 'all()';
    case 'global': return 'global()';
    case 'has': return `has(${n.label})`;
    case 'eq': return `${n.label} == ${quoted(n.value)}`;
    case 'ne': return `${n.label} != ${quoted(n.value)}`;
    case 'contains': return `${n.label} contains ${quoted(n.value)}`;
    case 'startsWith': return `${n.label} starts with ${quoted(n.value)}`;
    case 'endsWith': return `${n.label} ends with ${quoted(n.value)}`;
    case 'in': return `${n.label} in {${n.values.map(quoted).join(', ')}}`;
    case 'notIn': return `${n.label} not in {${n.values.map(quoted).join(', ')}}`;
    case 'not': return `!${selectorText(n.operand)}`;
    case 'and': return `(${n.operands.map(selectorText).join(' && ')})`;
    case 'or': return `(${n.operands.map(selectorText).join(' || ')})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation: the tree is compiled once into closures; evaluating allocates nothing.

type Test = (labels: LabelSource) => boolean;

function valueOf(labels: LabelSource, key: string): string | undefined {
  if (labels instanceof Map) return labels.get(key);
  const rec = labels as Readonly<Record<string, string>>;
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

function compile(n: CalicoSelectorNode): Test {
  switch (n.op) {
    case 'all':
    case 'global':
      return () => true;
    case 'has': {
      const k = n.label;
      return (l) => valueOf(l, k) !== undefined;
    }
    case 'eq': {
      const { label: k, value: v } = n;
      return (l) => valueOf(l, k) === v;
    }
    case 'ne': {
      const { label: k, value: v } = n;
      return (l) => valueOf(l, k) !== v;
    }
    case 'contains': {
      const { label: k, value: v } = n;
      return (l) => valueOf(l, k)?.includes(v) === true;
    }
    case 'startsWith': {
      const { label: k, value: v } = n;
      return (l) => valueOf(l, k)?.startsWith(v) === true;
    }
    case 'endsWith': {
      const { label: k, value: v } = n;
      return (l) => valueOf(l, k)?.endsWith(v) === true;
    }
    case 'in': {
      const k = n.label;
      const set = new Set(n.values);
      return (l) => {
        const v = valueOf(l, k);
        return v !== undefined && set.has(v);
      };
    }
    case 'notIn': {
      const k = n.label;
      const set = new Set(n.values);
      return (l) => {
        const v = valueOf(l, k);
        return v === undefined || !set.has(v);
      };
    }
    case 'not': {
      const inner = compile(n.operand);
      return (l) => !inner(l);
    }
    case 'and': {
      const parts = n.operands.map(compile);
      return (l) => {
        for (const p of parts) if (!p(l)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = n.operands.map(compile);
      return (l) => {
        for (const p of parts) if (p(l)) return true;
        return false;
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// API

/** Parses a Calico selector expression once; the result evaluates any number of label sets. */
export function parseCalicoSelector(source: string): CalicoSelectorResult {
  let root: CalicoSelectorNode;
  try {
    root = new Parser(source).parseWhole();
  } catch (e) {
    if (e instanceof SelectorSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
  const test = compile(root);
  return {
    ok: true,
    selector: { source, text: selectorText(root), root, matchesAll: root.op === 'all', matches: test },
  };
}

const VALID_LABEL = new RegExp(`^[A-Za-z0-9_./-]{1,${MAX_LABEL_LENGTH}}$`);

/** True when `label` is a valid Calico label name in selectors (tokenizer.ValidLabel). */
export function isValidSelectorLabel(label: string): boolean {
  return VALID_LABEL.test(label);
}

/**
 * The selector's verdict when the labels `unknown` names may hold anything (Kleene logic): true
 * or false when they cannot change it, undefined when they can. Known labels come from `labels`.
 */
export function matchesWithUnknown(n: CalicoSelectorNode, labels: LabelSource, unknown: (label: string) => boolean): boolean | undefined {
  switch (n.op) {
    case 'not': {
      const v = matchesWithUnknown(n.operand, labels, unknown);
      return v === undefined ? undefined : !v;
    }
    case 'and': {
      let open = false;
      for (const o of n.operands) {
        const v = matchesWithUnknown(o, labels, unknown);
        if (v === false) return false;
        if (v === undefined) open = true;
      }
      return open ? undefined : true;
    }
    case 'or': {
      let open = false;
      for (const o of n.operands) {
        const v = matchesWithUnknown(o, labels, unknown);
        if (v === true) return true;
        if (v === undefined) open = true;
      }
      return open ? undefined : false;
    }
    case 'all':
    case 'global':
      return compile(n)(labels);
    default:
      return unknown(n.label) ? undefined : compile(n)(labels);
  }
}

/** Every label name a selector reads. */
export function selectorLabels(n: CalicoSelectorNode, out: Set<string> = new Set()): Set<string> {
  switch (n.op) {
    case 'all':
    case 'global':
      return out;
    case 'not':
      return selectorLabels(n.operand, out);
    case 'and':
    case 'or':
      for (const o of n.operands) selectorLabels(o, out);
      return out;
    default:
      out.add(n.label);
      return out;
  }
}

/** Prefixes every label name (Calico's PrefixVisitor: `k == 'v'` → `pcns.k == 'v'`). */
export function prefixSelectorLabels(n: CalicoSelectorNode, prefix: string): CalicoSelectorNode {
  switch (n.op) {
    case 'all':
    case 'global':
      return n;
    case 'not':
      return { op: 'not', operand: prefixSelectorLabels(n.operand, prefix) };
    case 'and':
    case 'or':
      return { op: n.op, operands: n.operands.map((o) => prefixSelectorLabels(o, prefix)) };
    default:
      return { ...n, label: prefix + n.label };
  }
}
