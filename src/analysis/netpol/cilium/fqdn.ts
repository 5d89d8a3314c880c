// toFQDNs name matching as Cilium does it (pkg/fqdn/matchpattern, pkg/policy/api/fqdn.go):
// names are compared fully qualified (trailing dot) and lower-cased; `*` matches DNS
// characters within one label, a leading `**.` one or more whole labels, and a lone `*`
// every name.

const DNS_CHARS = '[-a-zA-Z0-9_]';
const MATCH_ALL = /^[*]+[.]?$/;
const PATTERN_CHARS = /^[-a-zA-Z0-9_.*]+$/;
const NAME_CHARS = /^[-a-zA-Z0-9_.]+$/;
const MAX_LENGTH = 255;

function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function anchored(pattern: string): RegExp {
  const p = pattern.trim().toLowerCase();
  if (MATCH_ALL.test(p)) return new RegExp(`(^(${DNS_CHARS}+[.])+$)|(^[.]$)`);
  let re = p.replace(/\./g, '[.]');
  re = re.replace(/^[*]{2,}\[\.\]/, `(${DNS_CHARS}+([.]${DNS_CHARS}+){0,})[.]`);
  re = re.replace(/[*]+/g, `${DNS_CHARS}*`);
  return new RegExp(`^${re}$`);
}

/** What Cilium's sanitisation says about a toFQDNs selector, or undefined when valid. */
export function fqdnPatternError(matchName: string | undefined, matchPattern: string | undefined): string | undefined {
  if (matchName !== undefined && !NAME_CHARS.test(matchName)) return `invalid characters in matchName "${matchName}": only 0-9, a-z, A-Z and ., -, _ are allowed`;
  if (matchPattern !== undefined) {
    if (matchPattern.trim().length > MAX_LENGTH) return `matchPattern must be at most ${MAX_LENGTH} characters`;
    if (!PATTERN_CHARS.test(matchPattern)) return `invalid characters in matchPattern "${matchPattern}": only 0-9, a-z, A-Z and ., -, _ and * are allowed`;
  }
  return undefined;
}

/** The regular expression a toFQDNs selector matches fully qualified, lower-cased names with. */
export function fqdnRegex(matchName: string | undefined, matchPattern: string | undefined): RegExp {
  if (matchName) return anchored(fqdn(matchName));
  const p = matchPattern ?? '';
  return anchored(MATCH_ALL.test(p) ? p : fqdn(p));
}

/** Whether a DNS name (as a client resolves it) is selected. */
export function fqdnMatches(regex: RegExp, name: string): boolean {
  return regex.test(fqdn(name.toLowerCase()));
}
