// Bidirectional embeddings, overrides and isolates in a name from the cluster would reorder
// what a reader sees around them (a finding for group "oncall\u202e" shows its line reversed
// in a browser, a PDF viewer or a Markdown preview). The reports that show text write each as
// its \uXXXX escape, as the terminal does (src/base/plain-text.ts); report.json keeps the data
// exact.
import { escaped } from '../base/plain-text.ts';

const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every bidirectional control written as its visible `\uXXXX` escape. */
export function showBidi(text: string): string {
  return text.replace(BIDI_CONTROL, escaped);
}
