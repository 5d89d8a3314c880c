// Text files a user hands in (ztaudit.yaml, manifests): UTF-8 with or without a byte order
// mark, or UTF-16 with one (what `>` writes in Windows PowerShell 5, e.g. after
// `kubectl get … -o yaml > file.yaml`). Bytes that are not text in that encoding are not
// replaced silently: the caller learns the line of the first one and says so.
import { isUtf8 } from 'node:buffer';

export interface DecodedText {
  text: string;
  /** The line of the first byte that is not UTF-8 (read as U+FFFD); absent when every byte was. */
  notUtf8Line?: number;
}

export function decodeText(bytes: Buffer): DecodedText {
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : null;
  if (utf16) return { text: new TextDecoder(utf16).decode(bytes) };
  const text = bytes.toString('utf8');
  if (isUtf8(bytes)) return { text };
  // The first replacement character stands where the first bad byte was (a U+FFFD written in
  // the file before it would only move the line reported up).
  const at = text.indexOf('\uFFFD');
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return { text, notUtf8Line: line };
}
