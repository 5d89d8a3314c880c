// The yaml package's error messages end in ":" and go on with the source lines around the
// problem. What ztaudit quotes of one is its first line, without that colon.
export function yamlMessage(error: Error): string {
  return error.message.split('\n')[0].replace(/:\s*$/, '');
}

/**
 * Parse options that keep the parser's warnings (a mapping used as a key, as an unrendered
 * `{{ .Values.x }}` parses) from reaching stderr as a multi-line Node process warning: what
 * ztaudit parses is judged by ztaudit, which says so in its own words.
 */
export const YAML_QUIET = { logLevel: 'error' } as const;
