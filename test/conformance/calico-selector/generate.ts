// Generates the inputs of the Calico selector conformance set: selector expressions (valid and
// broken) and, for each, label sets worth asking about. Seeded: the same seed gives the same
// lines. Usage: node test/conformance/calico-selector/generate.ts [seed] [count] > inputs.jsonl
// The verdicts are then added by Calico's own parser (see README.md in this directory).

const seed = Number(process.argv[2] ?? 20261201);
const count = Number(process.argv[3] ?? 6000);

function mulberry32(a: number): () => number {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(seed);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const chance = (p: number): boolean => rnd() < p;

const LABELS = [
  'app', 'role', 'tier', 'env', 'a', 'b', 'c', 'k8s-app', 'x.y/z', 'app.kubernetes.io/name',
  'projectcalico.org/namespace', 'projectcalico.org/name', 'projectcalico.org/serviceaccount',
  'pcns.kubernetes.io/metadata.name', 'pcsa.team', '1abc', '-x', '_', 'a.b', 'A_B-c.d',
  // Words that are operators or functions elsewhere are plain labels at the start of a term.
  'in', 'not', 'notin', 'has', 'all', 'global', 'contains', 'starts', 'ends', 'with', 'hasx', 'allx',
];
const VALUES = [
  '', 'x', 'web', 'db', 'frontend', 'backend', 'prod', 'dev', 'a b', ' lead', 'trail ', 'tab\there',
  'quote"inside', "it's", 'é', '日本', '😀', '\uE000', 'a,b', '{x}', '==', '&&', '||', '()', '!',
  'in', 'not in', 'all()', 'has(x)', 'x.y/z', 'UPPER', 'web-1', 'web-10', 'w',
];

const blank = (): string => (chance(0.55) ? ' ' : pick(['', '', '  ', '\t', ' \t ', '   ']));

function quoteValue(v: string): string {
  if (v.includes('"') && v.includes("'")) return `"${v}"`; // unterminated on purpose: broken input
  if (v.includes('"')) return `'${v}'`;
  if (v.includes("'")) return `"${v}"`;
  return chance(0.5) ? `"${v}"` : `'${v}'`;
}

function atom(): string {
  const l = pick(LABELS);
  const v = pick(VALUES);
  switch (int(13)) {
    case 0: return `${l}${blank()}==${blank()}${quoteValue(v)}`;
    case 1: return `${l}${blank()}!=${blank()}${quoteValue(v)}`;
    case 2: case 3: {
      const n = int(4);
      const vals = Array.from({ length: n }, () => quoteValue(pick(VALUES)));
      const trailing = n > 0 && chance(0.15) ? ',' : '';
      const op = chance(0.5) ? 'in' : pick(['not in', 'notin', 'not  in', 'not\tin']);
      return `${l} ${op}${blank()}{${blank()}${vals.join(`${blank()},${blank()}`)}${trailing}${blank()}}`;
    }
    case 4: return `has(${blank()}${l}${blank()})`;
    case 5: return `!has(${l})`;
    case 6: return pick(['all()', 'all( )', 'global()', 'global(\t)']);
    case 7: return `${l} contains${blank() || ' '}${quoteValue(v)}`;
    case 8: return `${l} ${pick(['starts with', 'startswith', 'starts  with'])}${blank()}${quoteValue(v)}`;
    case 9: return `${l} ${pick(['ends with', 'endswith', 'ends\twith'])}${blank()}${quoteValue(v)}`;
    case 10: return `${l}${blank()}==${blank()}${quoteValue(v.slice(0, 2))}`;
    case 11: return `${l} in {${quoteValue(v)}}`;
    default: return `${l} == ${quoteValue(v)}`;
  }
}

function expr(depth: number): string {
  const r = rnd();
  if (depth <= 0 || r < 0.35) return atom();
  if (r < 0.5) return `${'!'.repeat(1 + int(3))}${blank()}${chance(0.6) ? `(${blank()}${expr(depth - 1)}${blank()})` : atom()}`;
  if (r < 0.62) return `(${blank()}${expr(depth - 1)}${blank()})`;
  const op = chance(0.5) ? '&&' : '||';
  const n = 2 + int(3);
  const parts = Array.from({ length: n }, () => expr(depth - 1));
  if (chance(0.5)) return parts.join(`${blank()}${op}${blank()}`);
  // Mixed operators exercise precedence.
  return parts.map((p, k) => (k === 0 ? p : `${blank()}${chance(0.5) ? '&&' : '||'}${blank()}${p}`)).join('');
}

const BREAKERS = ['=', '!', '&', '|', '(', ')', '{', '}', ',', "'", '"', '\n', ' ', 'a', '-', '.', '\\', '\r', 'é', '#', '$', '*', ':', ';'];

function mutate(s: string): string {
  switch (int(9)) {
    case 0: { const k = int(s.length + 1); return s.slice(0, k) + pick(BREAKERS) + s.slice(k); }
    case 1: { const k = int(Math.max(1, s.length)); return s.slice(0, k) + s.slice(k + 1); }
    case 2: return s.slice(0, int(s.length + 1));
    case 3: return s.replace('==', pick(['=', '===', '= =', '!==', '<>']));
    case 4: return s.replace('&&', pick(['&', '& &', 'and', '&&&&'])).replace('||', pick(['|', 'or', '| |']));
    case 5: return s.replace(/\bin\b/, pick(['IN', 'inn', 'in in', 'nin']));
    case 6: return `${s}${pick([' &&', ' ||', ')', ' x', ' == "a"', '!', ' ,', '}'])}`;
    case 7: return `${pick(['(', '!', '&& ', '|| ', ')', '{'])}${s}`;
    default: return s.replace(/"/, '').replace(/\(/, '');
  }
}

const FIXED = [
  '', ' ', '\t', 'all()', 'global()', '!all()', '!global()', 'has(a)', '!has(a)', '!!has(a)', '!!!has(a)',
  'a', 'a ==', 'a == ', 'a == "x', "a == 'x", 'a = "x"', 'a == x', 'a == "x" &&', '&& a == "x"', '()', '(a == "x"',
  'a == "x")', 'a in {}', 'a not in {}', 'a notin {}', 'a in {"x",}', 'a in {,}', 'a in {"x",,"y"}', 'a in {"x" "y"}',
  'a in ("x")', 'a in', 'a in {', 'has()', 'has( )', 'has(a', 'has(a b)', 'has (a)', 'Has(a)', 'all', 'all ()', 'all(x)',
  'global', 'global(x)', 'all == "x"', 'has == "x"', 'in == "x"', 'not in {}', 'a not == "x"', 'a !== "x"', 'a ! = "x"',
  '!= "x"', 'a == "x" || b == "y" && c == "z"', '(a == "x" || b == "y") && c == "z"', 'a == "x" && (b == "y" || c == "z")',
  'a contains "x"', 'a contains"x"', 'a containsx "x"', 'a starts with "x"', 'a startswith "x"', 'a starts', 'a starts with',
  'a ends with ""', 'a endswith"x"', 'a == "x"\n', '\na == "x"', 'a\t==\t"x"', `${'l'.repeat(512)} == "x"`,
  `${'l'.repeat(513)} == "x"`, `has(${'l'.repeat(513)})`, 'a == "x" b == "y"', 'a == "x" ! b == "y"', '!(a == "x")',
  '!(a == "x" && !(b != "y"))', 'a == "\'"', "a == '\"'", 'a == "a\\"b"', 'a in {"b", "a", "b"}', 'a in {"é", "\uE000", "😀", "z"}',
  'has(a/b.c-d_9)', 'a.b/c == "x"', 'a/b/c == "x"', '-a == "x"', '0 == "0"', 'a==\'x\'&&b!="y"||!has(c)', '((((has(a)))))',
  '(((has(a))))))', 'a == "x" &', 'a == "x" |', 'a not in {"x"} && b in {"y"}', 'a not  in {"x"}', 'a not\tin{"x"}', 'a notin{}',
  'a in{}', 'a ==  "x"', 'a == \'x\' || all()', 'global() && has(a)', 'a == "x" && global()', 'a == "x";', 'a == "x" # comment',
];

interface InputCase { sel: string; labels: Record<string, string>[] }

function labelSetsFor(sel: string): Record<string, string>[] {
  // Label names and quoted values that occur in the expression make matches likely.
  const names = [...new Set((sel.match(/[A-Za-z0-9_./-]+/g) ?? []).filter((n) => n.length <= 40))];
  const values = [...new Set([...(sel.matchAll(/"([^"]*)"|'([^']*)'/g))].map((m) => m[1] ?? m[2]))];
  const valueFor = (): string => {
    const base = values.length && chance(0.75) ? pick(values) : pick(VALUES);
    switch (int(6)) {
      case 0: return `${base}${pick(['x', '-', ' ', ''])}`;
      case 1: return `${pick(['x', '-', ''])}${base}`;
      case 2: return base.slice(0, Math.max(0, base.length - 1));
      default: return base;
    }
  };
  const sets: Record<string, string>[] = [{}];
  for (let k = 0; k < 5; k++) {
    const ls: Record<string, string> = {};
    const n = int(5);
    for (let j = 0; j < n; j++) ls[names.length && chance(0.8) ? pick(names) : pick(LABELS)] = valueFor();
    sets.push(ls);
  }
  return sets;
}

const out: InputCase[] = [];
for (const s of FIXED) out.push({ sel: s, labels: labelSetsFor(s) });
while (out.length < count) {
  let s = expr(1 + int(4));
  if (chance(0.3)) s = mutate(s);
  if (chance(0.1)) s = `${blank()}${s}${blank()}`;
  out.push({ sel: s, labels: labelSetsFor(s) });
}
process.stdout.write(out.map((c) => JSON.stringify(c)).join('\n') + '\n');
