// Slack mrkdwn escaping for names and text that come from the cluster. Slack requires &, < and
// > to be escaped (otherwise `<!channel>` pings everyone and `<https://x|y>` forges a link).
// Slack has no escape for *bold* _italic_ ~strike~ `code`, so:
// - identifiers (resource names, check ids) go in inline code, where formatting does not
//   apply; a backtick inside one is replaced by a look-alike so it cannot close the span;
// - free text keeps its words but loses the markers' power: asterisk and tilde become
//   look-alikes, and an underscore is replaced only where it could open or close italics.

import { clip, oneLine } from '../base/plain-text.ts';

export function escapeEntities(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A value shown as inline code: `name`. */
export function mrkdwnCode(value: unknown): string {
  const s = oneLine(String(value).replace(/`/g, 'ˋ'));
  return `\`${escapeEntities(s) || ' '}\``;
}

/** Free text with any formatting neutralised. */
export function mrkdwnText(value: unknown): string {
  // One line (oneLine): a line break in a cluster name must not forge extra bullet lines, and is
  // shown as \u000a (CR \u000d, tab \u0009, NEL, U+2028/2029 likewise), as on the terminal, so
  // "web\nadmin" does not read as "web admin". A bidirectional override would reorder the words
  // around it: it is shown as \u202e; a control character (ESC, NUL: a terminal tailing the
  // webhook log runs an ESC sequence) as \u001b, \u0000.
  return escapeEntities(oneLine(String(value)))
    .replace(/\*/g, '∗')
    .replace(/~/g, '∼')
    .replace(/`/g, 'ˋ')
    .replace(/(^|[^\p{L}\p{N}])_|_(?=$|[^\p{L}\p{N}])/gu, (m) => m.replace('_', 'ˍ'));
}

/** Cuts text to Slack's per-field limits without breaking an escape sequence or a character. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = clip(text, max).slice(0, -1);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  // Nor inside the `\u000a` a line break or control is shown as (oneLine): half an escape reads as text.
  return `${cut.replace(/\\(u[0-9a-f]{0,3})?$/, '')}…`;
}

/**
 * Cuts mrkdwn (escaped text and inline code spans) as truncate does, closing an inline code span
 * the cut leaves open: its backtick would otherwise pair with the next one and turn the text
 * after it into code. Every backtick in mrkdwn is a span's (mrkdwnCode and mrkdwnText replace
 * the others), so an odd count is one left open.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = truncate(text, max - 1);
  return (cut.match(/`/g)?.length ?? 0) % 2 === 1 ? `${cut}\`` : cut;
}
