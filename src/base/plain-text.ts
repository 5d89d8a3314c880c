// Text from the cluster (names, labels, messages built from them) printed on a terminal or in
// a plain-text message. A control character could drive the reader's terminal (ESC sequences
// set colours, titles or the clipboard; BEL, backspace and carriage return hide text) and a
// line break could forge whole lines; bidirectional overrides reorder what is shown. Each is
// written as its \uXXXX escape instead, which JSON reads back as the same character.

/** C0 controls but line break and tab, DEL, C1 controls, bidirectional embeddings, overrides and isolates. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** The same and line breaks and tabs: text that must stay on its line. */
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One UTF-16 code unit as its JSON escape, `\u` and four hex digits (a `replace` callback). */
export const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Bidirectional embeddings, overrides and isolates alone: they reorder what is shown around them. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/** `text` with its bidirectional controls escaped: for outputs that escape their own markup but would show these as they act (Slack, an email's HTML). */
export function withoutBidi(text: string): string {
  return text.replace(BIDI, escaped);
}

/** `text` with every control character but line breaks and tabs escaped (a whole output's lines). */
export function withoutControls(text: string): string {
  return text.replace(CONTROL, escaped);
}

/** `text` with every control character escaped, line breaks and tabs too: one value on one line. */
export function oneLine(text: string): string {
  return text.replace(CONTROL_OR_BREAK, escaped);
}

/** `s` cut to `max` characters ending in "…", never between the two halves of an emoji or other astral character. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = /[\ud800-\udbff]/.test(s[max - 2]!) ? max - 2 : max - 1;
  return `${s.slice(0, end)}…`;
}

/** A table column is padded to its longest cell up to this width: a longer cell overflows its row only. */
export const MAX_COLUMN = 60;
