// Kubernetes resource quantities (k8s.io/apimachinery pkg/api/resource quantity.go,
// ParseQuantity): a signed decimal number and at most one suffix, binary (Ki Mi Gi Ti Pi Ei),
// decimal SI (n u m "" k M G T P E) or a decimal exponent (e3, E-2). A JSON or YAML number is
// read as its text, and a string loses surrounding white space first (Quantity.UnmarshalJSON
// parses strings.TrimSpace of it, so the API server stores "512Mi " as 512Mi). Only the sign
// matters here: ParseQuantity rounds a non-zero amount too small to represent up to 1n, so no
// spelling of a non-zero number is zero.

/** What a quantity is, for a judge: zero, positive, negative, or not a quantity the API server would accept. */
export type QuantitySign = { sign: -1 | 0 | 1 } | { malformed: string };

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
// Go's unicode.IsSpace, what strings.TrimSpace trims; JavaScript's trim() differs (it trims
// U+FEFF, which Go keeps, and keeps U+0085, which Go trims). Trimmed by index, not by a
// /\s+$/-style regex, which backtracks quadratically over a long run of inner spaces.
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

function trimGoSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && GO_SPACE.test(s[start])) start++;
  while (end > start && GO_SPACE.test(s[end - 1])) end--;
  return s.slice(start, end);
}

export function quantitySign(value: unknown): QuantitySign {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? { sign: value === 0 ? 0 : value > 0 ? 1 : -1 } : { malformed: 'is not a finite number' };
  }
  if (typeof value !== 'string') return { malformed: `is a ${value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value}, not a quantity` };
  const m = QUANTITY.exec(trimGoSpace(value));
  if (!m) return { malformed: 'is not a Kubernetes quantity (such as 500m, 256Mi, 1.5, 2e3)' };
  if (!/[1-9]/.test(m[2])) return { sign: 0 };
  return { sign: m[1] === '-' ? -1 : 1 };
}
