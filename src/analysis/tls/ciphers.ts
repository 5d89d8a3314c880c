// Weak cipher suites in edge configuration: OpenSSL cipher strings (ingress-nginx ssl-ciphers)
// and IANA/Go suite names (Traefik TLSOption cipherSuites). "Weak" = CBC mode, no forward
// secrecy (RSA or static (EC)DH key exchange), anonymous, 3DES, DES, RC4, NULL or EXPORT.
//
// OpenSSL cipher strings mix concrete suite names ("AES128-SHA") with aliases ("HIGH",
// "kRSA", "ECDHE+AESGCM") and exclusions ("!aNULL", "-RC4"). Aliases are modelled by the
// weakness categories they can select (OpenSSL 1.1/3.x, what ingress-nginx ships) and the
// categories an exclusion removes completely; "A+B" selects the intersection. PSK and SRP
// suites are ignored: nginx negotiates them only with extra configuration it does not have.

export type CipherWeakness =
  | 'cbc'
  | 'rsa-key-exchange'
  | 'static-key-exchange'
  | 'anonymous'
  | '3des'
  | 'des'
  | 'rc4'
  | 'null'
  | 'export';

export interface WeakCipher {
  /** The suite name, or the alias/expression as written (e.g. "HIGH", "EECDH+AES"). */
  suite: string;
  weaknesses: CipherWeakness[];
  /** True when `suite` is an OpenSSL alias selecting a group of suites, not one suite. */
  alias?: boolean;
}

export interface CipherAnalysis {
  weak: WeakCipher[];
  /** Tokens that name no suite or alias known here (reported, never judged). */
  unrecognized: string[];
}

type Cats = ReadonlySet<CipherWeakness>;
const S = (...c: CipherWeakness[]): Cats => new Set(c);
const ORDER: CipherWeakness[] = ['null', 'export', 'anonymous', 'rc4', 'des', '3des', 'rsa-key-exchange', 'static-key-exchange', 'cbc'];
const sorted = (c: Iterable<CipherWeakness>): CipherWeakness[] => {
  const s = new Set(c);
  return ORDER.filter((x) => s.has(x));
};

/** OpenSSL alias -> weakness categories it can select (upper-cased keys; OpenSSL aliases are case-sensitive, but no two differ only in case here). */
const ALIAS_SELECTS: Record<string, Cats> = {
  ALL: S('cbc', 'rsa-key-exchange', 'anonymous', '3des'),
  DEFAULT: S('cbc', 'rsa-key-exchange'),
  COMPLEMENTOFDEFAULT: S('anonymous', 'rc4'),
  COMPLEMENTOFALL: S('null'),
  ENULL: S('null'),
  NULL: S('null'),
  HIGH: S('cbc', 'rsa-key-exchange', 'anonymous'),
  MEDIUM: S('cbc', 'rsa-key-exchange', 'anonymous', '3des', 'rc4'),
  LOW: S('des', 'cbc', 'rsa-key-exchange'),
  EXPORT: S('export'),
  EXP: S('export'),
  EXPORT40: S('export'),
  EXPORT56: S('export'),
  RC4: S('rc4'),
  '3DES': S('3des', 'cbc'),
  DES: S('des', 'cbc'),
  ANULL: S('anonymous', 'cbc'),
  ADH: S('anonymous', 'cbc'),
  AECDH: S('anonymous', 'cbc'),
  KRSA: S('rsa-key-exchange', 'cbc', '3des'),
  RSA: S('rsa-key-exchange', 'cbc', '3des'),
  ARSA: S('rsa-key-exchange', 'cbc', '3des'),
  AES: S('cbc', 'rsa-key-exchange', 'anonymous'),
  AES128: S('cbc', 'rsa-key-exchange', 'anonymous'),
  AES256: S('cbc', 'rsa-key-exchange', 'anonymous'),
  AESGCM: S('rsa-key-exchange', 'anonymous'),
  AESCCM: S('rsa-key-exchange'),
  AESCCM8: S('rsa-key-exchange'),
  CHACHA20: S(),
  CAMELLIA: S('cbc', 'rsa-key-exchange', 'anonymous'),
  CAMELLIA128: S('cbc', 'rsa-key-exchange', 'anonymous'),
  CAMELLIA256: S('cbc', 'rsa-key-exchange', 'anonymous'),
  SEED: S('cbc', 'rsa-key-exchange', 'anonymous'),
  IDEA: S('cbc', 'rsa-key-exchange'),
  ARIA: S('rsa-key-exchange'),
  ARIA128: S('rsa-key-exchange'),
  ARIA256: S('rsa-key-exchange'),
  ARIAGCM: S('rsa-key-exchange'),
  SHA: S('cbc', 'rsa-key-exchange', 'anonymous', '3des', 'rc4'),
  SHA1: S('cbc', 'rsa-key-exchange', 'anonymous', '3des', 'rc4'),
  SHA256: S('cbc', 'rsa-key-exchange', 'anonymous'),
  SHA384: S('cbc', 'rsa-key-exchange', 'anonymous'),
  MD5: S('rc4', 'export'),
  KEDH: S('cbc', 'anonymous'),
  KDHE: S('cbc', 'anonymous'),
  EDH: S('cbc'),
  DHE: S('cbc'),
  KEECDH: S('cbc', 'anonymous'),
  KECDHE: S('cbc', 'anonymous'),
  EECDH: S('cbc'),
  ECDHE: S('cbc'),
  ECDSA: S('cbc'),
  AECDSA: S('cbc'),
  DSS: S('cbc'),
  ADSS: S('cbc'),
  KDH: S('static-key-exchange', 'cbc'),
  KDHR: S('static-key-exchange', 'cbc'),
  KDHD: S('static-key-exchange', 'cbc'),
  KECDH: S('static-key-exchange', 'cbc'),
  KECDHR: S('static-key-exchange', 'cbc'),
  SSLV3: S('cbc', 'rsa-key-exchange', 'anonymous', '3des'),
  TLSV1: S('cbc', 'rsa-key-exchange', 'anonymous', '3des'),
  'TLSV1.0': S('cbc', 'rsa-key-exchange', 'anonymous', '3des'),
  'TLSV1.2': S('cbc', 'rsa-key-exchange', 'anonymous'),
  PSK: S(),
  KPSK: S(),
  APSK: S(),
  SRP: S(),
  KSRP: S(),
  SUITEB128: S(),
  SUITEB128ONLY: S(),
  SUITEB192: S(),
};

/** OpenSSL alias -> categories whose every suite it matches (so excluding it removes them all). */
const ALIAS_COVERS: Record<string, Cats> = {
  ANULL: S('anonymous'),
  ENULL: S('null'),
  NULL: S('null'),
  COMPLEMENTOFALL: S('null'),
  EXPORT: S('export'),
  EXP: S('export'),
  RC4: S('rc4'),
  '3DES': S('3des'),
  DES: S('des'),
  LOW: S('des'),
  KRSA: S('rsa-key-exchange'),
  RSA: S('rsa-key-exchange'),
  ARSA: S('rsa-key-exchange'),
  KDH: S('static-key-exchange'),
  KECDH: S('static-key-exchange'),
};

/** Weaknesses of one concrete OpenSSL suite name such as "ECDHE-RSA-AES128-SHA" or "DES-CBC3-SHA". */
export function opensslSuiteWeaknesses(name: string): CipherWeakness[] {
  let n = name.toUpperCase();
  if (n.startsWith('TLS_')) return ianaSuiteWeaknesses(n) ?? [];
  const out = new Set<CipherWeakness>();
  const exp = /^EXP(1024)?-/.exec(n);
  if (exp) { out.add('export'); n = n.slice(exp[0].length); }
  if (/^(ADH|AECDH)-/.test(n)) out.add('anonymous');
  else if (/^(DH|ECDH)-(RSA|DSS|ECDSA)-/.test(n)) out.add('static-key-exchange');
  else if (/^(PSK|SRP|DHE-PSK|ECDHE-PSK)-/.test(n)) { /* pre-shared key / SRP: not negotiable by nginx */ }
  else if (/^RSA-PSK-/.test(n)) out.add('rsa-key-exchange');
  else if (!/^(ECDHE|DHE|EDH)-/.test(n)) out.add('rsa-key-exchange');
  if (/(^|-)NULL(-|$)/.test(n)) out.add('null');
  else if (/RC4/.test(n)) out.add('rc4');
  else if (/DES-CBC3|3DES|DES-EDE/.test(n)) { out.add('3des'); out.add('cbc'); }
  else if (/(^|-)DES(-CBC)?-/.test(n)) { out.add('des'); out.add('cbc'); }
  else if (!/GCM|CCM|CHACHA20|POLY1305/.test(n)) out.add('cbc');
  return sorted(out);
}

/** Weaknesses of an IANA / Go suite name ("TLS_RSA_WITH_AES_128_CBC_SHA"); undefined when it is not one. */
export function ianaSuiteWeaknesses(name: string): CipherWeakness[] | undefined {
  const n = name.trim().toUpperCase();
  if (/^TLS_(AES_(128|256)_(GCM|CCM)|CHACHA20_POLY1305)(_8)?_SHA(256|384)$/.test(n)) return []; // TLS 1.3
  const m = /^(?:TLS|SSL)_([A-Z0-9_]+?)_WITH_([A-Z0-9_]+)$/.exec(n);
  if (!m) return undefined;
  const [, kx, enc] = m;
  const out = new Set<CipherWeakness>();
  if (/EXPORT/.test(kx) || /EXPORT/.test(enc)) out.add('export');
  if (/_ANON/.test(kx)) out.add('anonymous');
  else if (/^(ECDHE|DHE)(_|$)/.test(kx)) { /* forward secret */ }
  else if (/^(DH|ECDH)_/.test(kx)) out.add('static-key-exchange');
  else if (/^RSA(_|$)/.test(kx)) out.add('rsa-key-exchange');
  else if (/^(PSK|SRP)/.test(kx)) { /* pre-shared key / SRP */ }
  else return undefined;
  if (/^NULL/.test(enc)) out.add('null');
  if (/RC4/.test(enc)) out.add('rc4');
  if (/3DES/.test(enc)) out.add('3des');
  else if (/^DES(40)?_/.test(enc)) out.add('des');
  if (/CBC/.test(enc)) out.add('cbc');
  return sorted(out);
}

function aliasKey(t: string): string {
  return t.toUpperCase();
}

/** Categories a (possibly "A+B") alias expression selects; undefined when a part is unknown. */
function exprSelects(expr: string): Cats | undefined {
  let acc: Set<CipherWeakness> | undefined;
  for (const part of expr.split('+').filter(Boolean)) {
    const cats = part.includes('-') || part.toUpperCase().startsWith('TLS_') ? new Set(opensslSuiteWeaknesses(part)) : ALIAS_SELECTS[aliasKey(part)];
    if (!cats) return undefined;
    acc = acc ? new Set([...acc].filter((c) => cats.has(c))) : new Set(cats);
  }
  return acc;
}

function exprCovers(expr: string): Cats {
  let acc: Set<CipherWeakness> | undefined;
  for (const part of expr.split('+').filter(Boolean)) {
    const cats = ALIAS_COVERS[aliasKey(part)] ?? S();
    acc = acc ? new Set([...acc].filter((c) => cats.has(c))) : new Set(cats);
  }
  return acc ?? S();
}

/**
 * Weak suites an OpenSSL cipher string (nginx `ssl_ciphers`) enables. Concrete names are
 * reported individually; aliases with the weakness categories they still select after
 * the exclusions that follow or precede them.
 */
export function opensslCipherWeaknesses(value: string): CipherAnalysis {
  const tokens = value.split(/[\s:,]+/).map((t) => t.trim().replace(/^["']|["']$/g, '')).filter(Boolean);
  const selected = new Map<string, { cats: Set<CipherWeakness>; alias: boolean }>();
  const killed = new Set<CipherWeakness>();
  const killedNames = new Set<string>();
  const unrecognized: string[] = [];
  for (const raw of tokens) {
    if (raw.startsWith('@')) continue; // @STRENGTH, @SECLEVEL=n
    const op = raw[0];
    if (op === '+') continue; // moves already-selected suites to the end; adds nothing
    if (op === '!' || op === '-') {
      const expr = raw.slice(1);
      const isName = !expr.includes('+') && (expr.includes('-') || expr.toUpperCase().startsWith('TLS_'));
      const covers = isName ? S() : exprCovers(expr);
      if (isName) {
        selected.delete(expr.toUpperCase());
        if (op === '!') killedNames.add(expr.toUpperCase());
      }
      for (const [key, s] of selected) {
        if (!s.alias) {
          if ([...s.cats].some((c) => covers.has(c))) selected.delete(key);
        } else for (const c of covers) s.cats.delete(c);
      }
      if (op === '!') for (const c of covers) killed.add(c);
      continue;
    }
    const isName = !raw.includes('+') && (raw.includes('-') || raw.toUpperCase().startsWith('TLS_'));
    if (isName) {
      if (raw.toUpperCase().startsWith('TLS_') && ianaSuiteWeaknesses(raw) === undefined) { unrecognized.push(raw); continue; }
      const key = raw.toUpperCase();
      const cats = opensslSuiteWeaknesses(raw);
      if (killedNames.has(key) || cats.some((c) => killed.has(c))) continue;
      selected.set(key, { cats: new Set(cats), alias: false });
      continue;
    }
    const cats = exprSelects(raw);
    if (!cats) { unrecognized.push(raw); continue; }
    const prev = selected.get(raw)?.cats ?? new Set<CipherWeakness>();
    for (const c of cats) if (!killed.has(c)) prev.add(c);
    selected.set(raw, { cats: prev, alias: true });
  }
  const weak: WeakCipher[] = [];
  for (const [key, s] of selected) {
    if (s.cats.size === 0) continue;
    weak.push(s.alias ? { suite: key, weaknesses: sorted(s.cats), alias: true } : { suite: tokens.find((t) => t.toUpperCase() === key) ?? key, weaknesses: sorted(s.cats) });
  }
  return { weak, unrecognized };
}

/** Weak suites in a Go/IANA suite list (Traefik TLSOption cipherSuites). */
export function goCipherSuiteWeaknesses(suites: unknown[]): CipherAnalysis {
  const weak: WeakCipher[] = [];
  const unrecognized: string[] = [];
  for (const s of suites) {
    if (typeof s !== 'string') { unrecognized.push(JSON.stringify(s) ?? String(s)); continue; }
    const w = ianaSuiteWeaknesses(s);
    if (w === undefined) unrecognized.push(s);
    else if (w.length) weak.push({ suite: s.trim(), weaknesses: w });
  }
  return { weak, unrecognized };
}

/** "AES128-SHA (cbc, rsa-key-exchange)"; aliases read "HIGH (selects cbc, … suites)". */
export function describeWeakCipher(w: WeakCipher): string {
  return w.alias ? `${w.suite} (selects ${w.weaknesses.join(', ')} suites)` : `${w.suite} (${w.weaknesses.join(', ')})`;
}
