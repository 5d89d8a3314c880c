// The Calico selector language: reference cases from Calico's documentation (each names its
// page), and the error messages users see. The exhaustive comparison with Calico's own parser
// is the conformance tier (test/conformance/calico-selector.test.ts).
import { describe, expect, it } from 'vitest';
import { parseCalicoSelector, prefixSelectorLabels, selectorText } from '../../../src/analysis/netpol/calico/selector.ts';

const SELECTORS_DOC = 'https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors';
const ENTITY_DOC = 'https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule';

function sel(text: string) {
  const r = parseCalicoSelector(text);
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.selector;
}

function errorOf(text: string): string {
  const r = parseCalicoSelector(text);
  if (r.ok) throw new Error(`${text} parsed`);
  return r.error;
}

describe(`match operators (${SELECTORS_DOC})`, () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    // "all(): Match all in-scope resources. To match no resources, combine with ! to form !all()."
    ['all()', {}, true],
    ['!all()', { a: 'b' }, false],
    // "k == 'v': Matches resources with the label 'k' and value 'v'."
    ["k == 'v'", { k: 'v' }, true],
    ["k == 'v'", { k: 'w' }, false],
    ["k == 'v'", {}, false],
    // "k != 'v': Matches resources without label 'k' or with label 'k' and value not equal to v"
    ["k != 'v'", {}, true],
    ["k != 'v'", { k: 'w' }, true],
    ["k != 'v'", { k: 'v' }, false],
    // "has(k): Matches resources with label 'k', independent of value" ... "!has(k)"
    ['has(k)', { k: '' }, true],
    ['has(k)', { j: 'x' }, false],
    ['!has(k)', { j: 'x' }, true],
    // "k in { 'v1', 'v2' }: label 'k' and value in the given set"
    ["k in { 'v1', 'v2' }", { k: 'v2' }, true],
    ["k in { 'v1', 'v2' }", { k: 'v3' }, false],
    ["k in { 'v1', 'v2' }", {}, false],
    // "k not in { 'v1', 'v2' }: without label 'k' or with label 'k' and value not in the set"
    ["k not in { 'v1', 'v2' }", {}, true],
    ["k not in { 'v1', 'v2' }", { k: 'v3' }, true],
    ["k not in { 'v1', 'v2' }", { k: 'v1' }, false],
    // "k contains 's'", "k starts with 's'", "k ends with 's'"
    ["k contains 's'", { k: 'xsx' }, true],
    ["k contains 's'", {}, false],
    ["k starts with 's'", { k: 'sx' }, true],
    ["k starts with 's'", { k: 'xs' }, false],
    ["k ends with 's'", { k: 'xs' }, true],
    ["k ends with 's'", { k: 'sx' }, false],
  ];
  it.each(cases)('%s on %j is %s', (text, labels, expected) => {
    expect(sel(text).matches(labels)).toBe(expected);
  });

  it('"global()" matches every label set: its non-namespaced scope is applied by the policy layer', () => {
    expect(sel('global()').matches({})).toBe(true);
  });
});

describe(`precedence (${SELECTORS_DOC})`, () => {
  // The page's example, "bracketed like this: ((!(has(my-label)) || ((my-label starts with 'prod') && (role in {'frontend','business'}))".
  const example = "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}";

  it('groups ! tighter than &&, && tighter than ||', () => {
    expect(sel(example).text).toBe('(!has(my-label) || (my-label starts with "prod" && role in {"business", "frontend"}))');
  });

  it('matches what the page lists', () => {
    const s = sel(example);
    // "Any resource that did not have label my-label."
    expect(s.matches({ role: 'db' })).toBe(true);
    // "Any resource that both has a value for my-label that starts with prod, and has a role label with value either frontend, or business."
    expect(s.matches({ 'my-label': 'production', role: 'frontend' })).toBe(true);
    expect(s.matches({ 'my-label': 'prod', role: 'business' })).toBe(true);
    // Neither.
    expect(s.matches({ 'my-label': 'production', role: 'db' })).toBe(false);
    expect(s.matches({ 'my-label': 'dev', role: 'frontend' })).toBe(false);
  });

  it('parentheses override it', () => {
    const s = sel("(! has(my-label) || my-label starts with 'prod') && role == 'frontend'");
    expect(s.matches({ role: 'db' })).toBe(false);
    expect(s.matches({ role: 'frontend' })).toBe(true);
  });
});

describe(`labels and literals (${SELECTORS_DOC})`, () => {
  it('takes both quote styles and does not unescape (no escape characters)', () => {
    expect(sel(`a == "it's"`).matches({ a: "it's" })).toBe(true);
    expect(sel(`a == 'say "hi"'`).matches({ a: 'say "hi"' })).toBe(true);
    expect(sel('a == "x\\y"').matches({ a: 'x\\y' })).toBe(true);
  });

  it('accepts label names with prefixes, dots, dashes and slashes', () => {
    expect(sel("app.kubernetes.io/name == 'web' && k8s-app == 'dns'").matches({ 'app.kubernetes.io/name': 'web', 'k8s-app': 'dns' })).toBe(true);
  });

  it('an empty selector is all()', () => {
    expect(sel('').text).toBe('all()');
    expect(sel('  ').matchesAll).toBe(true);
  });

  it('treats a label named like the prototype of an object as a plain label', () => {
    expect(sel('has(constructor)').matches({})).toBe(false);
    expect(sel("__proto__ == 'x'").matches(JSON.parse('{"__proto__":"x"}'))).toBe(true);
    expect(sel('has(toString)').matches(new Map([['toString', '']]))).toBe(true);
  });
});

describe(`notSelector vs a negated selector (${ENTITY_DOC})`, () => {
  it('the selector text is the same expression; the rule layer decides what "not" negates', () => {
    // "selector: !has(foo)" and "notSelector: has(foo)" evaluate the same label expression on a
    // known endpoint; only notSelector also matches traffic from outside the cluster (tested in calico-evaluate).
    expect(sel('!has(foo)').matches({ bar: '1' })).toBe(!sel('has(foo)').matches({ bar: '1' }));
  });
});

describe('parse errors', () => {
  it.each([
    ['a = "x"', /expected '=='.*column 3/],
    ['a == "x', /unterminated string.*column 6/],
    ['a == x', /expected a quoted string after '==', found label "x".*column 6/],
    ['a', /operator is missing/],
    ['a == "x" &&', /expression is missing.*column 12/],
    ['(a == "x"', /expected '\)' to close the '\(' at column 1/],
    ['a == "x")', /unexpected '\)' after a complete expression.*column 9/],
    ['a in {"x" "y"}', /expected '}' or a quoted string in the set, found string "y"/],
    ['a in ("x")', /expected a set literal/],
    ['has()', /expected a label name, found "\)"/],
    ['has(a', /no closing '\)' after has\(/],
    ['a b', /expected an operator .* after label "a".*column 3/],
    ['a == "x"\n', /expected a label name, found "\\n".*column 9/],
    [`${'l'.repeat(513)} == "x"`, /longer than 512/],
    ['a & b', /expected '&&'/],
  ])('%j: %s', (text, message) => {
    expect(errorOf(text)).toMatch(message);
  });

  it('refuses parentheses nested deeper than any stored selector can be, instead of overflowing the stack', () => {
    expect(parseCalicoSelector(`${'('.repeat(1000)}a == "x"${')'.repeat(1000)}`).ok).toBe(true);
    expect(errorOf(`${'('.repeat(100_000)}a == "x"${')'.repeat(100_000)}`)).toMatch(/parentheses nested more than 1000 deep \(at column 1001\)/);
  });

  it('never throws, whatever the input', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = ['a', ' ', '=', '!', '&', '|', '(', ')', '{', '}', ',', '"', "'", 'has(', 'all()', 'in', 'not', 'é', '\n', '\u0000'];
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const r = parseCalicoSelector(text);
      if (r.ok) expect(typeof r.selector.matches({ a: 'x' })).toBe('boolean');
      else expect(r.error).toMatch(/column \d+/);
    }
  });
});

describe('label prefixing (the backend form of namespace and service-account selectors)', () => {
  it('prefixes every label, as Calico\'s PrefixVisitor', () => {
    const s = sel("shape == 'circle' && !has(x) || k in {'a'}");
    expect(selectorText(prefixSelectorLabels(s.root, 'pcns.'))).toBe('((pcns.shape == "circle" && !has(pcns.x)) || pcns.k in {"a"})');
  });
});
