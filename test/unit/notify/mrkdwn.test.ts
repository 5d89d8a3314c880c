import { describe, expect, it } from 'vitest';
import { mrkdwnCode, mrkdwnText, truncate } from '../../../src/notify/mrkdwn.ts';

describe('mrkdwn escaping', () => {
  it('escapes the three control characters so mentions and links cannot be forged', () => {
    expect(mrkdwnText('<!channel> <@U123> <https://evil|click> a & b')).toBe('&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|click&gt; a &amp; b');
    expect(mrkdwnCode('<!here>')).toBe('`&lt;!here&gt;`');
  });

  // Each line break shown as its escape, as on the terminal (oneLine), not as a space: "web\nadmin"
  // must not read as "web admin" (docs/hostile-text.md).
  it('keeps a cluster name on one line so it cannot forge extra bullet lines, each break shown as its escape', () => {
    expect(mrkdwnText('mallory\n• No regression')).toBe('mallory\\u000a• No regression');
    expect(mrkdwnText('a\u2028• b\u2029• c\u0085• d\v• e\f• f\r\tg')).toBe('a\\u2028• b\\u2029• c\\u0085• d\\u000b• e\\u000c• f\\u000d\\u0009g');
    expect(mrkdwnCode('prod\u2028The audit completed')).toBe('`prod\\u2028The audit completed`');
  });

  it('neutralises bold, strike, code and word-boundary italics in free text but keeps snake_case', () => {
    expect(mrkdwnText('*bold* ~gone~ `code` _it_ tls_min_version')).toBe('∗bold∗ ∼gone∼ ˋcodeˋ ˍitˍ tls_min_version');
  });

  it('keeps identifiers readable inside a code span that a backtick cannot close', () => {
    expect(mrkdwnCode('a`b*c_d')).toBe('`aˋb*c_d`');
    expect(mrkdwnCode('line\nbreak')).toBe('`line\\u000abreak`');
  });

  it('truncates without leaving half an entity', () => {
    expect(truncate('abc&amp;def', 6)).toBe('abc…');
    expect(truncate('short', 10)).toBe('short');
  });

  it('shows bidirectional overrides and isolates as escapes, so they cannot reorder a name and what follows', () => {
    expect(mrkdwnText('invoice\u202etxt.exe \u2066x\u2069')).toBe('invoice\\u202etxt.exe \\u2066x\\u2069');
    expect(mrkdwnCode('ns\u202a/\u202bname\u202c\u202d\u2067\u2068')).toBe('`ns\\u202a/\\u202bname\\u202c\\u202d\\u2067\\u2068`');
  });

  it('truncates without leaving half of the escape a line break is shown as', () => {
    // mrkdwnText shows a line break as \u000a: a cut through it would leave `\u00` to read as text.
    const text = mrkdwnText(`${'a'.repeat(6)}\nbb`);
    expect(text).toBe(`${'a'.repeat(6)}\\u000abb`);
    for (const max of [8, 9, 10, 11, 12]) expect(truncate(text, max)).toBe(`${'a'.repeat(6)}…`);
    expect(truncate(text, 13)).toBe(`${'a'.repeat(6)}\\u000a…`);
  });

  it('truncates without leaving half an emoji', () => {
    expect(truncate(`${'a'.repeat(8)}😀😀`, 10)).toBe(`${'a'.repeat(8)}…`);
    expect(truncate(`${'a'.repeat(7)}😀😀`, 10)).toBe(`${'a'.repeat(7)}😀…`);
  });
});
