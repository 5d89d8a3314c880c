// Text from the cluster (names, labels, messages built from them) printed on a terminal or in
// a plain-text message. A control character could drive the reader's terminal (ESC sequences
// set colours, titles or the clipboard; BEL, backspace and carriage return hide text) and a
// line break could forge whole lines; bidirectional overrides reorder what is shown; and an
// invisible character makes two names read alike ("alice" and "alice" with a zero-width space,
// which no waiver for "alice" matches). Each is written as its \uXXXX escape instead, which
// JSON reads back as the same character.
//
// Invisible is what Unicode gives no glyph of its own: general category Cf (format controls:
// zero-width space and joiners, word joiner, BOM, soft hyphen, bidi marks, invisible operators,
// interlinear annotation, tags) and Default_Ignorable_Code_Point (The Unicode Standard, section
// 5.21 "Ignoring Characters in Processing"; UAX #44, DerivedCoreProperties.txt: those and the
// variation selectors, combining grapheme joiner and Hangul fillers), plus the line and
// paragraph separators U+2028/U+2029, which some renderers break a line on. The lists below are
// Unicode 17's (Node 24's ICU); test/unit/base/plain-text.test.ts holds them to Node's own
// \p{Cf} and \p{Default_Ignorable_Code_Point}, so a Node with a newer Unicode says what to add.
// They are spelt out rather than read from \p{…}: V8 scans a class of a few ranges without the
// `u` flag about ten times faster than \p{…}, and whole reports go through these.
//
// Three of them are also how some text is spelt, and are shown as they act where they do that
// (the approach of Unicode TS #39 and UTS #55 "Source Code Handling", and of browsers showing
// IDNs: joiners are allowed in context). The joiners (U+200C/U+200D) in the contexts RFC 5892
// Appendix A.1/A.2 (CONTEXTJ) allows them in IDNs: either right after a virama (a character of
// Canonical_Combining_Class 9: Indic conjuncts, "क्‍ष"/"क्‌ष"), and a non-joiner also between
// two letters of a cursive, joining script (Arabic, Syriac, N'Ko, Mongolian and the like; the
// RFC's Joining_Type L/D … R/D, approximated by script, transparent marks skipped): Persian needs
// it to spell words ("می‌خواهیم"; The Unicode Standard, section 23.2 "Layout Controls"). Between
// CJK, Armenian or Cherokee letters a joiner changes nothing shown, so "東‍京" would read as
// "東京". A joiner inside an emoji ZWJ sequence (👩‍💻: an Extended_Pictographic character, or one with its skin tone
// or presentation selector, before it and an Extended_Pictographic one after it; UTS #51 section
// 2.3), and a presentation selector VS15/VS16 (U+FE0E/U+FE0F) right after an Extended_Pictographic
// character (❤️) or in a keycap (1️⃣). Anywhere else, next to ASCII, at the start or end of the
// text, they are escaped like the rest; ZWSP, the word joiner, BOM and the others always are.
// Only a match is looked at in context, so text without any of these costs nothing more.
//
// A space other than U+0020 is escaped too: the no-break spaces, the en, em and other typographic
// spaces, the Ogham space mark, the medium mathematical and the ideographic space (general
// category Zs, UnicodeData.txt; all White_Space in PropList.txt, which Go's unicode.IsSpace reads).
// Each is drawn as a gap like a space, so "team\u00a0a" and "team a" read alike; the User and
// Group of an RBAC subject, the name of a Role, ClusterRole or binding (a path segment, not a DNS
// name), annotation values and the free text of messages and custom resources may hold them;
// namespace, label and most object names (RFC 1123, ASCII) cannot. French or Mongolian text that
// spells with one reads as `\u00a0`/`\u202f` then, which stays legible.

/** The invisible characters any text may hold: soft hyphen, zero-width space and joiners, bidi marks and controls, line and paragraph separators, word joiner and invisible operators, BOM; and every space but U+0020 (Zs: no-break, typographic, Ogham, narrow no-break, mathematical and ideographic). */
const INVISIBLE_COMMON = String.raw`\u00a0\u00ad\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff`;
/** The other invisible characters, of scripts and blocks a name rarely holds, astral ones included. */
const INVISIBLE_RARE = new RegExp(String.raw`[\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f-\u1160\u17b4-\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\ufff0-\ufffb\u{110bd}\u{110cd}\u{13430}-\u{1343f}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}]`, 'gu');
/** Text that may hold one of INVISIBLE_RARE (the blocks they are in, the high surrogates of the astral ones): a quick test. */
const MAYBE_RARE = /[\u034f-\u08e2\u115f-\u1160\u17b4-\u180f\u3164\ufe00-\ufe0f\uffa0-\ufffb\ud804\ud80d\ud82f\ud834\udb40-\udb43]/;

/** C0 controls but line break and tab, DEL, C1 controls, and the common invisible characters. */
const CONTROL = new RegExp(String.raw`[\u0000-\u0008\u000b-\u001f\u007f-\u009f${INVISIBLE_COMMON}]`, 'g');
/** The same and line breaks and tabs: text that must stay on its line. */
const CONTROL_OR_BREAK = new RegExp(String.raw`[\u0000-\u001f\u007f-\u009f${INVISIBLE_COMMON}]`, 'g');
/** The common invisible characters alone (bidirectional controls among them). */
const COMMON_ONLY = new RegExp(`[${INVISIBLE_COMMON}]`, 'g');

/** A character as its JSON escape, `\u` and four hex digits per UTF-16 code unit (a `replace` callback): a tag character is two. */
export const escaped = (c: string) => {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
};

/**
 * Text typed back as an output showed it: each `\uXXXX` (escaped's form) read as its character.
 * Not the inverse of the escaping (a backslash is not escaped), so a caller tries the text as
 * typed first and this only when that matches nothing.
 */
export function unescapeShown(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
/**
 * The characters of Canonical_Combining_Class 9 (Virama), Unicode 17: UnicodeData.txt field 3,
 * e.g. "094D;DEVANAGARI SIGN VIRAMA;Mn;9;…". test/unit/base/plain-text.test.ts holds the list to
 * Node's own normalization, which orders marks by that class.
 */
export const VIRAMAS: ReadonlySet<number> = new Set([
  0x094d, 0x09cd, 0x0a4d, 0x0acd, 0x0b4d, 0x0bcd, 0x0c4d, 0x0ccd, 0x0d3b, 0x0d3c, 0x0d4d, 0x0dca, 0x0e3a, 0x0eba, 0x0f84,
  0x1039, 0x103a, 0x1714, 0x1715, 0x1734, 0x17d2, 0x1a60, 0x1b44, 0x1baa, 0x1bab, 0x1bf2, 0x1bf3, 0x2d7f, 0xa806, 0xa82c,
  0xa8c4, 0xa953, 0xa9c0, 0xaaf6, 0xabed, 0x10a3f, 0x11046, 0x11070, 0x1107f, 0x110b9, 0x11133, 0x11134, 0x111c0, 0x11235,
  0x112ea, 0x1134d, 0x113ce, 0x113cf, 0x113d0, 0x11442, 0x114c2, 0x115bf, 0x1163f, 0x116b6, 0x1172b, 0x11839, 0x1193d,
  0x1193e, 0x119e0, 0x11a34, 0x11a47, 0x11a99, 0x11c3f, 0x11d44, 0x11d45, 0x11d97, 0x11f41, 0x11f42, 0x1612f,
]);
/** A letter of a script whose letters join cursively (RFC 5892 A.1's Joining_Type D/L/R, by script): \p{…} is fine here, it only ever tests a non-joiner's neighbours. */
const JOINING_LETTER = /^(?=\p{L})[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Nko}\p{Script=Mongolian}\p{Script=Mandaic}\p{Script=Manichaean}\p{Script=Psalter_Pahlavi}\p{Script=Phags_Pa}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Sogdian}\p{Script=Old_Uyghur}\p{Script=Chorasmian}]$/u;
/** A non-spacing or enclosing mark: Joining_Type T, which RFC 5892 A.1 lets stand between a letter and the non-joiner. */
const TRANSPARENT = /^[\p{Mn}\p{Me}]$/u;
/** At most this many marks skipped on either side of a non-joiner: a letter carries a few. */
const MAX_MARKS = 4;
const SKIN_TONE = /^[\u{1f3fb}-\u{1f3ff}]$/u;

/** The code point of `s` ending just before index `i` ('' at the start). */
function pointBefore(s: string, i: number): string {
  if (i >= 2 && /[\udc00-\udfff]/.test(s[i - 1]!) && /[\ud800-\udbff]/.test(s[i - 2]!)) return s.slice(i - 2, i);
  return i >= 1 ? s[i - 1]! : '';
}

/** The code point of `s` starting at index `i` ('' at the end). */
function pointAt(s: string, i: number): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** Whether the joiner or presentation selector `c` at index `at` of `text` spells the word or emoji around it. */
function spells(c: string, at: number, text: string): boolean {
  const before = pointBefore(text, at);
  const after = pointAt(text, at + 1);
  if (c === '\ufe0e' || c === '\ufe0f') return PICTOGRAPHIC.test(before) || (c === '\ufe0f' && /^[0-9#*]$/.test(before) && after === '\u20e3');
  if (c === '\u200d' && PICTOGRAPHIC.test(after)) {
    if (PICTOGRAPHIC.test(before) || SKIN_TONE.test(before)) return true;
    if (before === '\ufe0f' && PICTOGRAPHIC.test(pointBefore(text, at - 1))) return true;
  }
  if (c !== '\u200c' && c !== '\u200d') return false;
  if (before !== '' && VIRAMAS.has(before.codePointAt(0)!)) return true;
  return c === '\u200c' && joinsAcross(text, at);
}

/** Whether the non-joiner at index `at` stands between two letters of a joining script, marks skipped (RFC 5892 A.1, second rule). */
function joinsAcross(text: string, at: number): boolean {
  let i = at;
  let before = pointBefore(text, i);
  for (let n = 0; n < MAX_MARKS && TRANSPARENT.test(before); n++) before = pointBefore(text, (i -= before.length));
  if (!JOINING_LETTER.test(before)) return false;
  let j = at + 1;
  let after = pointAt(text, j);
  for (let n = 0; n < MAX_MARKS && TRANSPARENT.test(after); n++) after = pointAt(text, (j += after.length));
  return JOINING_LETTER.test(after);
}

/** A `replace` callback: a joiner or presentation selector that spells its context kept, any other match escaped. */
function escapedOutOfContext(c: string, at: number, text: string): string {
  return (c === '\u200c' || c === '\u200d' || c === '\ufe0e' || c === '\ufe0f') && spells(c, at, text) ? c : escaped(c);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with what `common` matches escaped, then any rare invisible character (joiners and presentation selectors kept where they spell their context). */
function escapeWith(text: string, common: RegExp): string {
  // A lone surrogate (half of a pair, alone) is no character: a terminal or Slack shows it as
  // U+FFFD or drops it, so `prod\ud800` would read as `prod`. Written as its escape, as JUnit does.
  const whole = text.isWellFormed() ? text : text.replace(LONE_SURROGATE, escaped);
  const out = whole.replace(common, escapedOutOfContext);
  return MAYBE_RARE.test(out) ? out.replace(INVISIBLE_RARE, escapedOutOfContext) : out;
}

/** `text` with its invisible and space-like characters escaped: for outputs that escape their own markup but would show these as they act, or not at all (Slack, an email's HTML, report.csv). */
export function withoutInvisible(text: string): string {
  return escapeWith(text, COMMON_ONLY);
}

/** `text` with every control and invisible character but line breaks and tabs escaped (a whole output's lines). */
export function withoutControls(text: string): string {
  return escapeWith(text, CONTROL);
}

/** `text` with every control and invisible character escaped, line breaks and tabs too: one value on one line. */
export function oneLine(text: string): string {
  return escapeWith(text, CONTROL_OR_BREAK);
}

/**
 * A cluster's name as ztaudit keeps and matches it: "café" typed with é (U+00E9) or with e + U+0301
 * is canonically equal text that shows alike (UAX #15, https://www.unicode.org/reports/tr15/), so
 * one cluster, named in Normalization Form C. Runs stored under another spelling keep it; every
 * read groups and matches them by this form.
 */
export function clusterNameOf(name: string): string {
  return name.normalize('NFC');
}

/** Whether two stored cluster names name one cluster (clusterNameOf). */
export function sameCluster(a: string, b: string): boolean {
  return a === b || clusterNameOf(a) === clusterNameOf(b);
}

/** `s` cut to `max` characters ending in "…", never between the two halves of an emoji or other astral character. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = /[\ud800-\udbff]/.test(s[max - 2]!) ? max - 2 : max - 1;
  return `${s.slice(0, end)}…`;
}

/**
 * The most of a name from the cluster (a resource, a subject, a cluster) a message's listed line
 * shows, in characters (clip); a line of free text naming one (a regression reason): MAX_LINE. A
 * name of thousands of characters must not fill a Slack section or an email screen on its own.
 */
export const MAX_NAME = 200;
export const MAX_LINE = MAX_NAME + 100;

/** A table column is padded to its longest cell up to this width: a longer cell overflows its row only. */
export const MAX_COLUMN = 60;
