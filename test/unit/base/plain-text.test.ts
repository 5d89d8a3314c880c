import { describe, expect, it } from 'vitest';
import { oneLine, VIRAMAS, withoutControls, withoutInvisible } from '../../../src/base/plain-text.ts';

// What a terminal, a chat client or a spreadsheet shows as nothing at all: general category Cf
// and Default_Ignorable_Code_Point (The Unicode Standard, section 5.21 "Ignoring Characters in
// Processing"; UAX #44, DerivedCoreProperties.txt), and U+2028/U+2029, which some renderers
// break a line on. One of each family, with the escape every human-read output shows.
const INVISIBLE: Array<[string, string]> = [
  ['\u00ad', 'soft hyphen'], ['\u034f', 'combining grapheme joiner'], ['\u061c', 'Arabic letter mark'],
  ['\u115f', 'Hangul choseong filler'], ['\u180e', 'Mongolian vowel separator'],
  ['\u200b', 'zero width space'], ['\u200c', 'zero width non-joiner'], ['\u200d', 'zero width joiner'], ['\u200e', 'left-to-right mark'],
  ['\u202e', 'right-to-left override'], ['\u2028', 'line separator'], ['\u2029', 'paragraph separator'],
  ['\u2060', 'word joiner'], ['\u2061', 'function application'], ['\u2064', 'invisible plus'], ['\u2066', 'left-to-right isolate'],
  ['\u206a', 'inhibit symmetric swapping'], ['\u206f', 'nominal digit shapes'], ['\u3164', 'Hangul filler'],
  ['\ufe0f', 'variation selector-16'], ['\ufeff', 'zero width no-break space (BOM)'], ['\ufff9', 'interlinear annotation anchor'], ['\ufffb', 'interlinear annotation terminator'],
  ['\u{e0001}', 'language tag'], ['\u{e0041}', 'tag latin capital letter A'], ['\u{e007f}', 'cancel tag'],
];

// Drawn as a gap like U+0020, so "team\u00a0a" reads "team a": every other character of general
// category Zs (UnicodeData.txt field 2; all White_Space in PropList.txt).
const SPACE_LIKE: Array<[string, string]> = [
  ['\u00a0', 'no-break space'], ['\u1680', 'Ogham space mark'], ['\u2000', 'en quad'], ['\u2003', 'em space'],
  ['\u2007', 'figure space'], ['\u2009', 'thin space'], ['\u200a', 'hair space'], ['\u202f', 'narrow no-break space'],
  ['\u205f', 'medium mathematical space'], ['\u3000', 'ideographic space'],
];

/** The JSON escape of each UTF-16 code unit of `c`. */
const jsonEscape = (c: string) => [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

describe('invisible characters in text shown to a person', () => {
  const cases = INVISIBLE.map(([c, name]) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${name}`, c]);
  it.each(cases)('%s is written as its \\uXXXX escape by oneLine (console, reach), withoutControls (HTML, Markdown) and withoutInvisible (Slack, email, JUnit, SARIF, CSV)', (_, c) => {
    const shown = `alice${jsonEscape(c)}`;
    for (const f of [oneLine, withoutControls, withoutInvisible]) {
      expect(f(`alice${c}`), f.name).toBe(shown);
      // JSON reads the escape back as the same name.
      expect(JSON.parse(`"${f(`alice${c}`)}"`), f.name).toBe(`alice${c}`);
    }
  });

  it.each(SPACE_LIKE.map(([c, name]) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${name}`, c]))('%s is written as its \\uXXXX escape by all three: "team a" and a name spaced with it read apart', (_, c) => {
    for (const f of [oneLine, withoutControls, withoutInvisible]) {
      expect(f(`team${c}a`), f.name).toBe(`team${jsonEscape(c)}a`);
      expect(f('team a'), f.name).toBe('team a');
      expect(JSON.parse(`"${f(`team${c}a`)}"`), f.name).toBe(`team${c}a`);
    }
  });

  it('a tag character (outside the BMP) is one escape per UTF-16 half, never half a character left raw', () => {
    expect(oneLine('x\u{e0041}y')).toBe('x\\udb40\\udc41y');
  });

  it('escapes exactly Node\'s \\p{Cf}, \\p{Default_Ignorable_Code_Point}, \\p{Zs} and U+2028/U+2029 among the printable code points but U+0020: a newer Unicode in Node names what to add', () => {
    const invisible = /^[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zs}\u2028\u2029]$/u;
    const missed: string[] = [];
    const extra: string[] = [];
    for (let cp = 0xa0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      const isEscaped = withoutInvisible(c) !== c;
      if (invisible.test(c) && !isEscaped) missed.push(cp.toString(16));
      if (!invisible.test(c) && isEscaped) extra.push(cp.toString(16));
    }
    expect({ missed, extra }).toEqual({ missed: [], extra: [] });
  });

  it('leaves visible text alone: letters of any script, emoji', () => {
    const visible = 'ü 日本 😀 ❤ \u0928\u094d\u0928 \u0645\u0631\u062d\u0628\u0627 ab';
    for (const f of [oneLine, withoutControls, withoutInvisible]) expect(f(visible), f.name).toBe(visible);
  });

  // A lone surrogate is no character: shown as U+FFFD or nothing, "ab\ud800" would read as "ab".
  it('escapes an isolated surrogate, as JUnit does (docs/hostile-text.md)', () => {
    for (const f of [oneLine, withoutControls, withoutInvisible]) expect(f('ab \ud800 \udc00x 😀'), f.name).toBe('ab \\ud800 \\udc00x 😀');
  });
});

// Joiners and emoji presentation selectors are how some text is spelt (The Unicode Standard,
// section 23.2 "Layout Controls": ZWNJ spells Persian words, ZWJ/ZWNJ choose Indic conjunct
// forms; UTS #51 section 2.3: emoji ZWJ sequences, section 1.4.3: emoji presentation
// sequences), so they are shown as they act there, and escaped anywhere else (Unicode TS #39 /
// UTS #55: allowed in context only).
describe('joiners and presentation selectors in the text they spell', () => {
  const all = [oneLine, withoutControls, withoutInvisible];

  it.each([
    ['a Persian word with its ZWNJ', 'می\u200cخواهیم'],
    ['a Persian cluster name', 'خوشه\u200cها-prod'],
    ['a Devanagari conjunct with ZWJ (half form)', 'क्\u200dष'],
    ['a Devanagari conjunct with ZWNJ (explicit virama)', 'क्\u200cष'],
    ['an emoji ZWJ sequence', '👩\u200d💻'],
    ['an emoji with its presentation selector', '❤\ufe0f'],
    ['a ZWJ sequence with a presentation selector inside', '👨\u200d❤\ufe0f\u200d👨'],
    ['a ZWJ sequence with a skin tone', '🧑🏽\u200d🚀'],
    ['a keycap', '1\ufe0f\u20e3'],
    ['a waiver reason mixing them', 'می\u200cخواهیم — 👩\u200d💻 ❤\ufe0f done'],
    ['an Arabic ZWNJ after a letter with its vowel mark (RFC 5892 A.1: Joining_Type T skipped)', '\u0628\u0650\u200c\u0628'],
    ['a Malayalam chillu spelt with ZWJ after the virama', '\u0d28\u0d4d\u200d'],
  ])('%s is shown unchanged', (_, text) => {
    for (const f of all) expect(f(text), f.name).toBe(text);
  });

  it.each([
    ['alice\u200b', 'alice\\u200b'],
    ['alice\u200d', 'alice\\u200d'],
    ['\u200calice', '\\u200calice'],
    ['al\u200dice', 'al\\u200dice'],
    ['\u200dمی', '\\u200dمی'],
    ['می\u200c', 'می\\u200c'],
    ['می\u200c x', 'می\\u200c x'],
    ['\u0645\u200b\u0645', '\u0645\\u200b\u0645'],
    ['\u0645\u2060\u0645', '\u0645\\u2060\u0645'],
    ['\u0645\u200c\u200c\u0645', '\u0645\\u200c\\u200c\u0645'],
    ['caf\u00e9\u200c\u00fc', 'caf\u00e9\\u200c\u00fc'],
    ['\u0430\u200d\u0431', '\u0430\\u200d\u0431'],
    ['alice\ufe0f', 'alice\\ufe0f'],
    ['\ufe0f\u2764', '\\ufe0f\u2764'],
    ['\u200d👩', '\\u200d👩'],
    ['a\ufe0f\u200d👩', 'a\\ufe0f\\u200d👩'],
    ['👩\u200cx', '👩\\u200cx'],
    // RFC 5892 Appendix A.1/A.2: a joiner only after a virama, a non-joiner also between joining
    // letters. In CJK, Armenian or Cherokee it changes nothing shown: "東\u200d京-prod" would read as "東京-prod".
    ['東\u200d京-prod', '東\\u200d京-prod'],
    ['東\u200c京', '東\\u200c京'],
    ['\u0585\u200d\u057d', '\u0585\\u200d\u057d'],
    ['\u13aa\u200d\u13a1', '\u13aa\\u200d\u13a1'],
    ['\u0645\u200d\u0645', '\u0645\\u200d\u0645'],
    ['\u0915\u200c\u0937', '\u0915\\u200c\u0937'],
  ])('%j is escaped where it spells nothing: next to ASCII, Latin, Cyrillic, CJK or another invisible character, a joiner after no virama, or at an end', (text, shown) => {
    for (const f of all) expect(f(text), f.name).toBe(shown);
  });
});

// RFC 5892 Appendix A.1/A.2 name the virama by Canonical_Combining_Class 9 (UnicodeData.txt field
// 3). JavaScript has no \p{…} for it, but canonical ordering (UAX #15) sorts marks by that class:
// a mark of class 9 stays in place on either side of U+094D (class 9) and moves after U+093C
// (class 7). Every code point Node's Unicode puts there is in VIRAMAS, and nothing else.
describe('VIRAMAS', () => {
  it('is every character of Canonical_Combining_Class 9 in Node\'s Unicode', () => {
    const virama = '\u094d';
    const nukta = '\u093c';
    const found: number[] = [];
    for (let cp = 0x300; cp < 0x20000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const m = String.fromCodePoint(cp);
      if (m.normalize('NFD') !== m) continue;
      if ((m + virama).normalize('NFD') === m + virama && (virama + m).normalize('NFD') === virama + m && (m + nukta).normalize('NFD') === nukta + m) found.push(cp);
    }
    expect(found.map((cp) => cp.toString(16))).toEqual([...VIRAMAS].map((cp) => cp.toString(16)));
  });
});
