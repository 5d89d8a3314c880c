// Weak cipher suites in edge configuration: OpenSSL cipher strings (ingress-nginx ssl-ciphers)
// and IANA/Go suite names (Traefik TLSOption cipherSuites). "Weak" = CBC mode, no forward
// secrecy (RSA or static (EC)DH key exchange), anonymous, 3DES, DES, RC4, NULL or EXPORT.
//
// OpenSSL cipher strings mix concrete suite names ("AES128-SHA") with aliases ("HIGH",
// "kRSA", "ECDHE+AESGCM") and exclusions ("!aNULL", "-RC4"). They are evaluated as OpenSSL 3
// does (ssl/ssl_ciph.c ssl_cipher_process_rulestr): against the table of its suites
// (openssl-suites.ts), each alias selecting by the suite attributes of cipher_aliases, "A+B"
// ANDing them, "!" removing for good, "-" removing what is selected so far, "+" only reordering.
// Aliases and names of suites OpenSSL 3 builds usually leave out (3DES, RC4, DES, EXPORT, ...)
// are judged by the weakness categories they select where present. PSK and SRP suites are
// ignored: nginx negotiates them only with extra configuration it does not have.

import { OPENSSL_SUITES, type OpensslSuite } from './openssl-suites.ts';

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

/**
 * For tokens outside the suite table (aliases of suites OpenSSL 3 builds leave out, and "+"
 * expressions naming them): alias -> weakness categories it can select where those suites exist
 * (upper-cased keys; OpenSSL aliases are case-sensitive, but no two differ only in case here).
 */
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

/** For entries outside the suite table: alias -> categories whose every suite it matches (so excluding it removes them all). */
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

type Pred = (s: OpensslSuite) => boolean;
const AES = new Set(['AES', 'AESGCM', 'AESCCM', 'AESCCM8']);
const PSK_KX = new Set(['PSK', 'RSAPSK', 'DHEPSK', 'ECDHEPSK']);

/**
 * OpenSSL 3's cipher-string aliases (ssl/ssl_ciph.c cipher_aliases, case-sensitive) as predicates
 * on the suite table; each one checked against `openssl ciphers -v 'ALIAS:@SECLEVEL=0'` when the
 * table was made.
 */
const TABLE_ALIASES: Record<string, Pred> = {
  ALL: (s) => s.enc !== 'None',
  COMPLEMENTOFALL: (s) => s.enc === 'None',
  COMPLEMENTOFDEFAULT: (s) => s.notDefault,
  HIGH: (s) => s.high,
  kRSA: (s) => s.kx === 'RSA',
  kEDH: (s) => s.kx === 'DH', kDHE: (s) => s.kx === 'DH', DH: (s) => s.kx === 'DH',
  kEECDH: (s) => s.kx === 'ECDH', kECDHE: (s) => s.kx === 'ECDH', ECDH: (s) => s.kx === 'ECDH',
  kPSK: (s) => s.kx === 'PSK', kRSAPSK: (s) => s.kx === 'RSAPSK', kECDHEPSK: (s) => s.kx === 'ECDHEPSK', kDHEPSK: (s) => s.kx === 'DHEPSK', kSRP: (s) => s.kx === 'SRP',
  aRSA: (s) => s.au === 'RSA', aDSS: (s) => s.au === 'DSS', DSS: (s) => s.au === 'DSS', aNULL: (s) => s.au === 'None',
  aECDSA: (s) => s.au === 'ECDSA', ECDSA: (s) => s.au === 'ECDSA', aPSK: (s) => s.au === 'PSK', aSRP: (s) => s.au === 'SRP',
  EDH: (s) => s.kx === 'DH' && s.au !== 'None', DHE: (s) => s.kx === 'DH' && s.au !== 'None',
  EECDH: (s) => s.kx === 'ECDH' && s.au !== 'None', ECDHE: (s) => s.kx === 'ECDH' && s.au !== 'None',
  NULL: (s) => s.enc === 'None', eNULL: (s) => s.enc === 'None',
  RSA: (s) => s.kx === 'RSA' && s.au === 'RSA',
  ADH: (s) => s.kx === 'DH' && s.au === 'None', AECDH: (s) => s.kx === 'ECDH' && s.au === 'None',
  PSK: (s) => PSK_KX.has(s.kx), SRP: (s) => s.kx === 'SRP',
  AES: (s) => AES.has(s.enc), AES128: (s) => AES.has(s.enc) && s.bits === 128, AES256: (s) => AES.has(s.enc) && s.bits === 256,
  AESGCM: (s) => s.enc === 'AESGCM', AESCCM: (s) => s.enc === 'AESCCM' || s.enc === 'AESCCM8', AESCCM8: (s) => s.enc === 'AESCCM8',
  CAMELLIA: (s) => s.enc === 'Camellia', CAMELLIA128: (s) => s.enc === 'Camellia' && s.bits === 128, CAMELLIA256: (s) => s.enc === 'Camellia' && s.bits === 256,
  CHACHA20: (s) => s.enc === 'CHACHA20/POLY1305',
  ARIA: (s) => s.enc === 'ARIAGCM', ARIAGCM: (s) => s.enc === 'ARIAGCM', ARIA128: (s) => s.enc === 'ARIAGCM' && s.bits === 128, ARIA256: (s) => s.enc === 'ARIAGCM' && s.bits === 256,
  CBC: (s) => s.mac !== 'AEAD' && s.enc !== 'None',
  MD5: (s) => s.mac === 'MD5', SHA1: (s) => s.mac === 'SHA1', SHA: (s) => s.mac === 'SHA1', SHA256: (s) => s.mac === 'SHA256', SHA384: (s) => s.mac === 'SHA384',
  SSLv3: (s) => s.protocol === 'SSLv3', TLSv1: (s) => s.protocol === 'TLSv1', 'TLSv1.0': (s) => s.protocol === 'TLSv1', 'TLSv1.2': (s) => s.protocol === 'TLSv1.2',
};

/** Aliases of suites the table's OpenSSL build leaves out, with what they select in builds that have them. */
const LEGACY_ALIASES = new Set(['MEDIUM', 'LOW', 'EXPORT', 'EXP', 'EXPORT40', 'EXPORT56', 'RC4', '3DES', 'DES', 'SEED', 'IDEA', 'RC2']);

const SUITE_BY_NAME = new Map(OPENSSL_SUITES.map((s) => [s.name, s]));
const SUITE_B: Array<[string, string[]]> = [
  ['SUITEB128ONLY', ['ECDHE-ECDSA-AES128-GCM-SHA256']],
  ['SUITEB128C2', ['ECDHE-ECDSA-AES256-GCM-SHA384']],
  ['SUITEB128', ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384']],
  ['SUITEB192', ['ECDHE-ECDSA-AES256-GCM-SHA384']],
];
/** OpenSSL 3's DEFAULT, which it expands when a cipher string starts with "DEFAULT" (OSSL_default_cipher_list). */
const OPENSSL_DEFAULT = 'ALL:!COMPLEMENTOFDEFAULT:!eNULL';

/**
 * Whether OpenSSL's security level lets a suite be negotiated (ssl/t1_lib.c
 * ssl_security_default_callback, SSL_SECOP_CIPHER_SUPPORTED): from level 1, no anonymous suite,
 * no MD5 MAC and none weaker than 80, 112, 128, 192 or 256 bits by level; SHA-1 MACs only below
 * level 4 (160 bits); forward-secret key exchange only from level 3.
 */
function secLevelAllows(s: OpensslSuite, level: number): boolean {
  if (level <= 0) return true;
  const minBits = [0, 80, 112, 128, 192, 256][Math.min(level, 5)];
  if (s.bits < minBits || s.au === 'None' || s.mac === 'MD5') return false;
  if (minBits > 160 && s.mac === 'SHA1') return false;
  return level < 3 || s.kx === 'DH' || s.kx === 'ECDH' || s.kx === 'DHEPSK' || s.kx === 'ECDHEPSK';
}

/** The table suites a "+"-joined expression selects (OpenSSL ANDs the masks of its parts); undefined when a part is not a table alias or suite. */
function tableSelects(expr: string): OpensslSuite[] | undefined {
  const preds: Pred[] = [];
  for (const part of expr.split('+')) {
    if (part === '') continue;
    const suite = SUITE_BY_NAME.get(part);
    const pred = suite ? (s: OpensslSuite) => s === suite : TABLE_ALIASES[part];
    if (!pred) return undefined;
    preds.push(pred);
  }
  if (preds.length === 0) return undefined;
  return OPENSSL_SUITES.filter((s) => preds.every((p) => p(s)));
}

function isLegacyExpr(expr: string): boolean {
  return expr.split('+').some((p) => LEGACY_ALIASES.has(p) || (!SUITE_BY_NAME.has(p) && !TABLE_ALIASES[p] && (p.includes('-') || p.toUpperCase().startsWith('TLS_'))));
}

interface CipherStringState {
  tokens: string[];
  /** Table suites enabled, each with the token that enabled it. */
  active: Map<OpensslSuite, string>;
  secLevel: number;
  /** Tokens outside the table, with the categories they still select. */
  selected: Map<string, { cats: Set<CipherWeakness>; alias: boolean }>;
  unrecognized: string[];
}

function evaluateCipherString(value: string): CipherStringState {
  let tokens = value.split(/[\s:,;]+/).map((t) => t.trim().replace(/^["']|["']$/g, '')).filter(Boolean);
  // A string starting with a Suite B keyword is replaced whole by its suites (ssl_ciph.c check_suiteb_cipher_list).
  const suiteB = SUITE_B.find(([k]) => value.trimStart().startsWith(k));
  if (suiteB) tokens = suiteB[1];
  // The token each one came from, which the suites it enables are reported under: the operator wrote DEFAULT, not ALL.
  let from = tokens;
  if (!suiteB && tokens[0] === 'DEFAULT') {
    const expansion = OPENSSL_DEFAULT.split(':');
    from = [...expansion.map(() => 'DEFAULT'), ...tokens.slice(1)];
    tokens = [...expansion, ...tokens.slice(1)];
  }
  // Table suites: which are enabled, which "!" removed for good, and the token that added each.
  const active = new Map<OpensslSuite, string>();
  const killedSuites = new Set<OpensslSuite>();
  // Outside the table: the earlier, category-level model.
  const selected = new Map<string, { cats: Set<CipherWeakness>; alias: boolean }>();
  const killed = new Set<CipherWeakness>();
  const killedNames = new Set<string>();
  const unrecognized: string[] = [];
  let secLevel = 1; // OpenSSL's default security level
  for (const [i, raw] of tokens.entries()) {
    const level = /^@SECLEVEL=(\d)$/.exec(raw);
    if (level) secLevel = Number(level[1]);
    if (raw.startsWith('@')) continue; // @STRENGTH orders only
    const op = raw[0];
    if (op === '+') continue; // moves already-selected suites to the end; adds nothing
    const remove = op === '!' || op === '-';
    const expr = remove ? raw.slice(1) : raw;
    const suites = tableSelects(expr);
    if (suites) {
      for (const s of suites) {
        if (remove) {
          active.delete(s);
          if (op === '!') killedSuites.add(s);
        } else if (!killedSuites.has(s) && !active.has(s)) active.set(s, from[i]);
      }
    }
    if (remove) {
      // Exclusions also apply, by category, to what the table does not model.
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
      if (!suites && !isName && exprSelects(expr) === undefined) unrecognized.push(raw);
      continue;
    }
    if (suites) continue;
    if (!isLegacyExpr(expr)) { unrecognized.push(raw); continue; }
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
  return { tokens, active, secLevel, selected, unrecognized };
}

/** A table suite nginx can negotiate at the security level: not PSK or SRP (they need configuration nginx does not have). */
function negotiable(s: OpensslSuite, secLevel: number): boolean {
  return !PSK_KX.has(s.kx) && s.kx !== 'SRP' && secLevelAllows(s, secLevel);
}

/**
 * The suites of the table (OpenSSL 3, TLS 1.2 and below) an OpenSSL cipher string lets nginx
 * negotiate, in no particular order: what `openssl ciphers -s -tls1_2` lists, TLS 1.3 names aside.
 */
export function opensslEnabledSuites(value: string): string[] {
  const { active, secLevel } = evaluateCipherString(value);
  return [...active.keys()].filter((s) => negotiable(s, secLevel)).map((s) => s.name);
}

/**
 * Weak suites an OpenSSL cipher string (nginx `ssl_ciphers`) enables, evaluated against OpenSSL
 * 3's suites. Concrete names are reported individually, aliases with the weakness categories of
 * the suites they still enable; tokens outside the table (aliases and names of suites OpenSSL 3
 * builds usually leave out) by the categories they select where those suites exist.
 */
export function opensslCipherWeaknesses(value: string): CipherAnalysis {
  const { tokens, active, secLevel, selected, unrecognized } = evaluateCipherString(value);
  const weak: WeakCipher[] = [];
  // Table suites, grouped by the token that enabled them; PSK and SRP suites left aside.
  const byToken = new Map<string, Set<CipherWeakness>>();
  for (const [s, token] of active) {
    if (!negotiable(s, secLevel)) continue;
    const cats = opensslSuiteWeaknesses(s.name);
    if (cats.length === 0) continue;
    const acc = byToken.get(token) ?? new Set<CipherWeakness>();
    for (const c of cats) acc.add(c);
    byToken.set(token, acc);
  }
  for (const [token, cats] of byToken) weak.push(SUITE_BY_NAME.has(token) ? { suite: token, weaknesses: sorted(cats) } : { suite: token, weaknesses: sorted(cats), alias: true });
  for (const [key, s] of selected) {
    if (s.cats.size === 0) continue;
    weak.push(s.alias ? { suite: key, weaknesses: sorted(s.cats), alias: true } : { suite: tokens.find((t) => t.toUpperCase() === key) ?? key, weaknesses: sorted(s.cats) });
  }
  return { weak, unrecognized };
}

/**
 * The names Go's crypto/tls CipherSuites() returns (src/crypto/tls/cipher_suites.go, Go 1.22 on:
 * the RSA key exchange and 3DES suites moved to InsecureCipherSuites()), in its order. Traefik's
 * TLS options default to exactly this list when cipherSuites is not set (traefik/traefik v3
 * pkg/tls/tlsmanager.go DefaultTLSOptions.CipherSuites = getCipherSuites(), applied by
 * Options.SetDefaults, which pkg/provider/kubernetes/crd/kubernetes.go buildTLSOptions calls
 * for every TLSOption): the four ECDHE CBC-SHA suites included.
 */
export const GO_CIPHER_SUITES: readonly string[] = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
];

/**
 * The suites Go before 1.22 also enables by default for a server whose tls.Config names none
 * (GODEBUG tlsrsakex, https://go.dev/doc/godebug#go-122: Go 1.22 "removed cipher suites
 * using RSA key exchange from the default list", for modules whose go.mod says go 1.22 or
 * later): the RSA key exchange suites, the 3DES ones among them. A Traefik release whose go.mod
 * says an older go (before v2.11, traefikDefaultMinTls) serves a TLSOption without cipherSuites
 * with GO_CIPHER_SUITES and these.
 */
export const GO_PRE_122_EXTRA_SUITES: readonly string[] = [
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
];

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
