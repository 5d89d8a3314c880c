// The yaml package's error messages end in ":" and go on with the source lines around the
// problem. What ztaudit quotes of one is its first line, without that colon.
export function yamlMessage(error: Error): string {
  return error.message.split('\n')[0].replace(/:\s*$/, '');
}
