// The yaml package's error messages end in ":" and go on with the source lines around the
// problem. What ztaudit quotes of one is its first line, without that colon.
// A document nested deeper than the parser's recursion can follow (20,000 `[`) fails with the
// engine's own "Maximum call stack size exceeded" (a RangeError, in the parser or in reading its
// nodes): said as what it is, a document that nests too deeply, keeping the parser's position.
export function yamlMessage(error: Error): string {
  const first = error.message.split('\n')[0].replace(/:\s*$/, '');
  return first.startsWith('Maximum call stack size exceeded')
    ? `the document nests too deeply to be read (collections within collections, more levels than the parser follows)${first.slice('Maximum call stack size exceeded'.length)}`
    : first;
}

/**
 * Parse options that keep the parser's warnings (a mapping used as a key, as an unrendered
 * `{{ .Values.x }}` parses) from reaching stderr as a multi-line Node process warning: what
 * ztaudit parses is judged by ztaudit, which says so in its own words.
 */
export const YAML_QUIET = { logLevel: 'error' } as const;
