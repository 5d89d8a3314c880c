// Calico's selector expression language (projectcalico.org/v3 `selector`, `namespaceSelector`,
// `serviceAccountSelector`, rule `selector`/`notSelector`). The tokenizer and the
// recursive-descent parser follow libcalico-go/lib/selector step by step, so an expression
// Calico rejects is rejected here, and one it accepts means the same thing; the conformance
// tier compares both on thousands of generated expressions
// (test/conformance/calico-selector/README.md). Parse errors are returned, never thrown.

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

type TokKind =
  | 'label' | 'string' | 'lbrace' | 'rbrace' | 'comma' | 'eq' | 'ne' | 'not' | 'notIn' | 'in'
  | 'contains' | 'startsWith' | 'endsWith' | 'all' | 'has' | 'global' | 'lparen' | 'rparen' | 'and' | 'or' | 'eof';

interface Token { kind: TokKind; value: string; pos: number }

const TOKEN_TEXT: Record<TokKind, string> = {
  label: 'label', string: 'string', lbrace: "'{'", rbrace: "'}'", comma: "','", eq: "'=='", ne: "'!='", not: "'!'",
  notIn: "'not in'", in: "'in'", contains: "'contains'", startsWith: "'starts with'", endsWith: "'ends with'",
  all: "'all()'", has: "'has()'", global: "'global()'", lparen: "'('", rparen: "')'", and: "'&&'", or: "'||'", eof: 'end of selector',
};

function describe(t: Token): string {
  if (t.kind === 'label') return `label ${JSON.stringify(t.value)}`;
  if (t.kind === 'string') return `string ${JSON.stringify(t.value)}`;
  return TOKEN_TEXT[t.kind];
}

class SelectorSyntaxError {
  readonly message: string;
  constructor(message: string, pos: number) {
    this.message = `${message} (at column ${pos + 1})`;
  }
}

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 47 || c === 45;
}

/** Only space and tab separate tokens in Calico; a newline is not whitespace there. */
function skipSpace(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

function isWordBoundary(s: string, i: number): boolean {
  return i >= s.length || !isIdentChar(s.charCodeAt(i));
}

/** `word` at `i` followed by a word boundary; returns the index after it, or -1. */
function cutWord(s: string, i: number, word: string): number {
  if (!s.startsWith(word, i)) return -1;
  const end = i + word.length;
  return isWordBoundary(s, end) ? end : -1;
}

/** Two words with optional blanks between them ("not in", "notin", "starts  with"). */
function cutTwoWords(s: string, i: number, first: string, second: string): number {
  if (!s.startsWith(first, i)) return -1;
  const j = skipSpace(s, i + first.length);
  if (!s.startsWith(second, j)) return -1;
  // Calico trims blanks after the last word before testing the boundary.
  const end = skipSpace(s, j + second.length);
  return isWordBoundary(s, end) ? end : -1;
}

function cutIdentifier(s: string, i: number): number {
  let j = i;
  while (j < s.length && isIdentChar(s.charCodeAt(j))) j++;
  if (j - i > MAX_LABEL_LENGTH) throw new SelectorSyntaxError(`label name longer than ${MAX_LABEL_LENGTH} characters`, i);
  if (j === i) {
    throw new SelectorSyntaxError(i < s.length ? `expected a label name, found ${JSON.stringify(s[i])}` : 'expected a label name, found the end of the selector', i);
  }
  return j;
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    i = skipSpace(s, i);
    if (i >= s.length) {
      out.push({ kind: 'eof', value: '', pos: i });
      return out;
    }
    const start = i;
    const push = (kind: TokKind, end: number, value = ''): void => {
      out.push({ kind, value, pos: start });
      i = end;
    };
    const last = out.length ? out[out.length - 1].kind : undefined;
    const c = s[i];
    switch (c) {
      case '(': push('lparen', i + 1); break;
      case ')': push('rparen', i + 1); break;
      case '{': push('lbrace', i + 1); break;
      case '}': push('rbrace', i + 1); break;
      case ',': push('comma', i + 1); break;
      case '"':
      case "'": {
        const close = s.indexOf(c, i + 1);
        if (close < 0) throw new SelectorSyntaxError(`unterminated string: no closing ${c}`, i);
        push('string', close + 1, s.slice(i + 1, close));
        break;
      }
      case '=':
        if (s.startsWith('==', i)) push('eq', i + 2);
        else throw new SelectorSyntaxError("expected '==' (a single '=' is not an operator)", i);
        break;
      case '!':
        if (s.startsWith('!=', i)) push('ne', i + 2);
        else push('not', i + 1);
        break;
      case '&':
        if (s.startsWith('&&', i)) push('and', i + 2);
        else throw new SelectorSyntaxError("expected '&&'", i);
        break;
      case '|':
        if (s.startsWith('||', i)) push('or', i + 2);
        else throw new SelectorSyntaxError("expected '||'", i);
        break;
      default: {
        let end: number;
        if (last === 'label') {
          // After a label only a word operator may follow (symbols were handled above).
          if ((end = cutWord(s, i, 'contains')) >= 0) push('contains', end);
          else if ((end = cutTwoWords(s, i, 'starts', 'with')) >= 0) push('startsWith', end);
          else if ((end = cutTwoWords(s, i, 'ends', 'with')) >= 0) push('endsWith', end);
          else if ((end = cutTwoWords(s, i, 'not', 'in')) >= 0) push('notIn', end);
          else if ((end = cutWord(s, i, 'in')) >= 0) push('in', end);
          else throw new SelectorSyntaxError(`expected an operator (==, !=, in, not in, contains, starts with, ends with) after label ${JSON.stringify(out[out.length - 1].value)}`, i);
        } else if (s.startsWith('has(', i)) {
          const from = skipSpace(s, i + 4);
          const idEnd = cutIdentifier(s, from);
          const close = skipSpace(s, idEnd);
          if (s[close] !== ')') throw new SelectorSyntaxError("no closing ')' after has(", close);
          push('has', close + 1, s.slice(from, idEnd));
        } else if (s.startsWith('all(', i) || s.startsWith('global(', i)) {
          const fn = s.startsWith('all(', i) ? 'all' : 'global';
          const close = skipSpace(s, i + fn.length + 1);
          if (s[close] !== ')') throw new SelectorSyntaxError(`no closing ')' after ${fn}(`, close);
          push(fn, close + 1);
        } else {
          end = cutIdentifier(s, i);
          push('label', end, s.slice(i, end));
        }
      }
    }
  }
}

/** UTF-8 byte order (= code point order), as Go sorts the values of an `in {}` set. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    let x = a.charCodeAt(k);
    let y = b.charCodeAt(k);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF: they sort after 0xE000–0xFFFF.
    if (x >= 0xd800 && x <= 0xdfff) x += 0x2000;
    else if (x >= 0xe000) x -= 0x800;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x2000;
    else if (y >= 0xe000) y -= 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Deeper nesting is refused (Calico itself has no limit, but its API caps a selector at 1024
 * characters, so no stored selector nests this deep); it keeps evaluation off the stack limit.
 */
export const MAX_NESTING = 1000;

class Parser {
  private i = 0;
  private depth = 0;
  private readonly toks: Token[];
  constructor(toks: Token[]) {
    this.toks = toks;
  }

  parseRoot(): CalicoSelectorNode {
    if (this.toks[0].kind === 'eof') return { op: 'all' };
    const node = this.parseOr();
    const rest = this.toks[this.i];
    if (rest.kind !== 'eof') throw new SelectorSyntaxError(`unexpected ${describe(rest)} after a complete expression`, rest.pos);
    return node;
  }

  private parseOr(): CalicoSelectorNode {
    const operands = [this.parseAnd()];
    while (this.toks[this.i].kind === 'or') {
      this.i++;
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0] : { op: 'or', operands };
  }

  private parseAnd(): CalicoSelectorNode {
    const operands = [this.parseOperation()];
    while (this.toks[this.i].kind === 'and') {
      this.i++;
      operands.push(this.parseOperation());
    }
    return operands.length === 1 ? operands[0] : { op: 'and', operands };
  }

  private parseOperation(): CalicoSelectorNode {
    // Leading '!'s collapse to one boolean: '!!has(a)' is 'has(a)'.
    let negated = false;
    while (this.toks[this.i].kind === 'not') {
      negated = !negated;
      this.i++;
    }
    const t = this.toks[this.i];
    let node: CalicoSelectorNode;
    switch (t.kind) {
      case 'has': node = { op: 'has', label: t.value }; this.i++; break;
      case 'all': node = { op: 'all' }; this.i++; break;
      case 'global': node = { op: 'global' }; this.i++; break;
      case 'label': node = this.parseLabelOperation(t); break;
      case 'lparen': {
        if (++this.depth > MAX_NESTING) throw new SelectorSyntaxError(`parentheses nested more than ${MAX_NESTING} deep`, t.pos);
        this.i++;
        node = this.parseOr();
        this.depth--;
        const close = this.toks[this.i];
        if (close.kind !== 'rparen') throw new SelectorSyntaxError(`expected ')' to close the '(' at column ${t.pos + 1}, found ${describe(close)}`, close.pos);
        this.i++;
        break;
      }
      case 'eof':
        throw new SelectorSyntaxError('unexpected end of selector: an expression is missing', t.pos);
      default:
        throw new SelectorSyntaxError(`unexpected ${describe(t)}: expected a label, has(), all(), global(), '!' or '('`, t.pos);
    }
    return negated ? { op: 'not', operand: node } : node;
  }

  private parseLabelOperation(label: Token): CalicoSelectorNode {
    const opTok = this.toks[this.i + 1];
    if (opTok.kind === 'eof') throw new SelectorSyntaxError(`unexpected end of selector after label ${JSON.stringify(label.value)}: an operator is missing`, opTok.pos);
    const arg = this.toks[this.i + 2];
    switch (opTok.kind) {
      case 'eq': case 'ne': case 'contains': case 'startsWith': case 'endsWith': {
        if (arg.kind !== 'string') throw new SelectorSyntaxError(`expected a quoted string after ${describe(opTok)}, found ${describe(arg)}`, arg.pos);
        this.i += 3;
        return { op: opTok.kind, label: label.value, value: arg.value };
      }
      case 'in': case 'notIn': {
        if (arg.kind !== 'lbrace') throw new SelectorSyntaxError(`expected a set literal '{...}' after ${describe(opTok)}, found ${describe(arg)}`, arg.pos);
        this.i += 3;
        const values: string[] = [];
        // Calico accepts `{}` and a trailing comma (`{'a',}`), but not a leading or doubled one.
        while (this.toks[this.i].kind === 'string') {
          values.push(this.toks[this.i].value);
          this.i++;
          if (this.toks[this.i].kind !== 'comma') break;
          this.i++;
        }
        const close = this.toks[this.i];
        if (close.kind !== 'rbrace') throw new SelectorSyntaxError(`expected '}' or a quoted string in the set, found ${describe(close)}`, close.pos);
        this.i++;
        const set = [...new Set(values)].sort(compareCodePoints);
        return { op: opTok.kind, label: label.value, values: set };
      }
      default:
        throw new SelectorSyntaxError(`expected an operator after label ${JSON.stringify(label.value)}, found ${describe(opTok)}`, opTok.pos);
    }
  }
}

function quote(s: string): string {
  const q = s.includes('"') ? "'" : '"';
  return q + s + q;
}

/** Calico's `Selector.String()`: the normalised text, equal for equivalent spellings. */
export function selectorText(n: CalicoSelectorNode): string {
  switch (n.op) {
    case 'all': return 'all()';
    case 'global': return 'global()';
    case 'has': return `has(${n.label})`;
    case 'eq': return `${n.label} == ${quote(n.value)}`;
    case 'ne': return `${n.label} != ${quote(n.value)}`;
    case 'contains': return `${n.label} contains ${quote(n.value)}`;
    case 'startsWith': return `${n.label} starts with ${quote(n.value)}`;
    case 'endsWith': return `${n.label} ends with ${quote(n.value)}`;
    case 'in': return `${n.label} in {${n.values.map(quote).join(', ')}}`;
    case 'notIn': return `${n.label} not in {${n.values.map(quote).join(', ')}}`;
    case 'not': return `!${selectorText(n.operand)}`;
    case 'and': return `(${n.operands.map(selectorText).join(' && ')})`;
    case 'or': return `(${n.operands.map(selectorText).join(' || ')})`;
  }
}

type Lookup = (label: string) => string | undefined;
type Matcher = (get: Lookup) => boolean;

function compile(n: CalicoSelectorNode): Matcher {
  switch (n.op) {
    // global() is true for every label set; its meaning "no namespace" is given by the
    // policy layer (a namespaceSelector of global() selects no pod).
    case 'all': case 'global': return () => true;
    case 'has': { const l = n.label; return (get) => get(l) !== undefined; }
    case 'eq': { const { label, value } = n; return (get) => get(label) === value; }
    case 'ne': { const { label, value } = n; return (get) => get(label) !== value; }
    case 'contains': { const { label, value } = n; return (get) => { const v = get(label); return v !== undefined && v.includes(value); }; }
    case 'startsWith': { const { label, value } = n; return (get) => { const v = get(label); return v !== undefined && v.startsWith(value); }; }
    case 'endsWith': { const { label, value } = n; return (get) => { const v = get(label); return v !== undefined && v.endsWith(value); }; }
    case 'in': { const l = n.label; const set = new Set(n.values); return (get) => { const v = get(l); return v !== undefined && set.has(v); }; }
    case 'notIn': { const l = n.label; const set = new Set(n.values); return (get) => { const v = get(l); return v === undefined || !set.has(v); }; }
    case 'not': { const m = compile(n.operand); return (get) => !m(get); }
    case 'and': { const ms = n.operands.map(compile); return (get) => ms.every((m) => m(get)); }
    case 'or': { const ms = n.operands.map(compile); return (get) => ms.some((m) => m(get)); }
  }
}

/** One getter per label set, reused across every selector evaluated on it. */
const lookups = new WeakMap<object, Lookup>();
function lookupFor(labels: LabelSource): Lookup {
  let get = lookups.get(labels);
  if (!get) {
    if (labels instanceof Map) get = (k) => labels.get(k);
    else {
      const rec = labels as Readonly<Record<string, string>>;
      get = (k) => (Object.hasOwn(rec, k) ? rec[k] : undefined);
    }
    lookups.set(labels, get);
  }
  return get;
}

/** Parses a Calico selector expression once; the result evaluates any number of label sets. */
export function parseCalicoSelector(source: string): CalicoSelectorResult {
  try {
    const root = new Parser(tokenize(source)).parseRoot();
    const m = compile(root);
    const text = selectorText(root);
    return {
      ok: true,
      selector: { source, text, root, matchesAll: root.op === 'all', matches: (labels) => m(lookupFor(labels)) },
    };
  } catch (e: unknown) {
    if (e instanceof SelectorSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
}

/** True when `label` is a valid Calico label name in selectors (tokenizer.ValidLabel). */
export function isValidSelectorLabel(label: string): boolean {
  if (label.length === 0 || label.length > MAX_LABEL_LENGTH) return false;
  for (let k = 0; k < label.length; k++) if (!isIdentChar(label.charCodeAt(k))) return false;
  return true;
}

/** Prefixes every label name (Calico's PrefixVisitor: `k == 'v'` → `pcns.k == 'v'`). */
export function prefixSelectorLabels(n: CalicoSelectorNode, prefix: string): CalicoSelectorNode {
  switch (n.op) {
    case 'all': case 'global': return n;
    case 'not': return { op: 'not', operand: prefixSelectorLabels(n.operand, prefix) };
    case 'and': case 'or': return { op: n.op, operands: n.operands.map((o) => prefixSelectorLabels(o, prefix)) };
    default: return { ...n, label: prefix + n.label };
  }
}
