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
  // The byte order mark is no part of the text (TextDecoder drops UTF-16's): kubectl reads a file
  // through unicode.BOMOverride, which drops a leading UTF-8 one too (kubernetes v1.34.0
  // staging/src/k8s.io/cli-runtime/pkg/resource/visitor.go, FileVisitor.Visit). Kept, it hid a
  // stream of JSON objects, which is told by its leading `{`.
  if (utf16) return { text: new TextDecoder(utf16).decode(bytes) };
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = bytes.toString('utf8', bom ? 3 : 0);
  if (isUtf8(bytes)) return { text };
  // The first replacement character stands where the first bad byte was (a U+FFFD written in
  // the file before it would only move the line reported up).
  const at = text.indexOf('\uFFFD');
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return { text, notUtf8Line: line };
}
