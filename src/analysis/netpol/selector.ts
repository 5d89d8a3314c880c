// Label selectors (metav1.LabelSelector): matchLabels AND matchExpressions, with the
// validation the API server applies, so a malformed selector becomes a finding, not a crash.

export interface Selector {
  /** True for `{}`: matches everything. */
  readonly empty: boolean;
  /** Canonical text, equal for equivalent spellings (used as a cache key and in evidence). */
  readonly key: string;
  matches(labels: Record<string, string>): boolean;
  /**
   * A label every matching set carries, with one of these values (the selector's first `In`
   * requirement), so callers can look candidates up in a label index instead of testing all.
   */
  readonly required?: { key: string; values: readonly string[] };
  /** The label keys it reads; undefined when not known (a selector of another API). */
  readonly keys?: readonly string[];
}

interface Requirement {
  key: string;
  op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `invalid label key prefix in "${key}"`;
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) return `invalid label key "${key}"`;
  return undefined;
}

export function labelValueError(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) return `invalid label value "${value}"`;
  return undefined;
}

const MATCH_ALL: Selector = { empty: true, key: '{}', matches: () => true, keys: [] };

/** One requirement of a LabelSelector as written, after its shape and text were validated. */
export interface WrittenRequirement {
  key: string;
  op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
  /** From matchLabels (one value, op In) rather than matchExpressions. */
  fromMatchLabels: boolean;
}

/**
 * Reads a LabelSelector's matchLabels and matchExpressions (Kubernetes' shape, shared by
 * NetworkPolicy and Cilium), pushing one error per malformed part; `keyError` judges a label
 * key by the API's own rules. Only well-formed requirements are returned.
 */
export function readLabelSelector(r: Record<string, unknown>, where: string, keyError: (key: string) => string | undefined, errors: string[]): WrittenRequirement[] {
  const out: WrittenRequirement[] = [];
  const ml = r.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (typeof ml !== 'object' || Array.isArray(ml)) errors.push(`${where}.matchLabels: not a map`);
    else {
      for (const [k, v] of Object.entries(ml)) {
        const ke = keyError(k);
        if (ke) errors.push(`${where}.matchLabels: ${ke}`);
        if (typeof v !== 'string') {
          errors.push(`${where}.matchLabels.${k}: value is not a string`);
          continue;
        }
        const ve = labelValueError(v);
        if (ve) errors.push(`${where}.matchLabels.${k}: ${ve}`);
        out.push({ key: k, op: 'In', values: [v], fromMatchLabels: true });
      }
    }
  }
  const me = r.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) errors.push(`${where}.matchExpressions: not a list`);
    else {
      me.forEach((e: unknown, i: number) => {
        const at = `${where}.matchExpressions[${i}]`;
        if (!e || typeof e !== 'object' || Array.isArray(e)) return void errors.push(`${at}: not an object`);
        const { key, operator, values } = e as Record<string, unknown>;
        if (typeof key !== 'string') return void errors.push(`${at}.key: missing`);
        const ke = keyError(key);
        if (ke) errors.push(`${at}: ${ke}`);
        const vals = values === undefined || values === null ? [] : values;
        if (!Array.isArray(vals) || vals.some((v) => typeof v !== 'string')) return void errors.push(`${at}.values: not a list of strings`);
        for (const v of vals as string[]) {
          const ve = labelValueError(v);
          if (ve) errors.push(`${at}.values: ${ve}`);
        }
        if (operator === 'In' || operator === 'NotIn') {
          if (vals.length === 0) errors.push(`${at}: operator ${operator} needs at least one value`);
        } else if (operator === 'Exists' || operator === 'DoesNotExist') {
          if (vals.length > 0) errors.push(`${at}: operator ${operator} takes no values`);
        } else {
          return void errors.push(`${at}.operator: "${String(operator)}" is not In, NotIn, Exists or DoesNotExist`);
        }
        out.push({ key, op: operator, values: vals as string[], fromMatchLabels: false });
      });
    }
  }
  return out;
}

/**
 * Parses a selector. `undefined`/`null` input yields `undefined` (the caller decides what a
 * missing selector means); anything malformed yields errors.
 */
export function parseSelector(raw: unknown, where: string): { selector?: Selector; errors: string[] } {
  if (raw === undefined || raw === null) return { errors: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { errors: [`${where}: not an object`] };
  const errors: string[] = [];
  const reqs: Requirement[] = [];
  const r = raw as Record<string, unknown>;
  for (const q of readLabelSelector(r, where, labelKeyError, errors)) {
    reqs.push({ key: q.key, op: q.op, values: q.fromMatchLabels ? q.values : [...q.values].sort() });
  }
  if (errors.length) return { errors };
  if (reqs.length === 0) return { selector: MATCH_ALL, errors };
  reqs.sort((a, b) => (a.key + a.op).localeCompare(b.key + b.op));
  const key = reqs.map((q) => (q.op === 'Exists' ? q.key : q.op === 'DoesNotExist' ? `!${q.key}` : `${q.key} ${q.op === 'In' ? 'in' : 'notin'} (${q.values.join(',')})`)).join(',');
  const sets = reqs.map((q) => ({ ...q, set: new Set(q.values) }));
  const firstIn = reqs.find((q) => q.op === 'In');
  return {
    errors,
    selector: {
      empty: false,
      key,
      keys: [...new Set(reqs.map((q) => q.key))],
      ...(firstIn ? { required: { key: firstIn.key, values: firstIn.values } } : {}),
      matches(labels) {
        for (const q of sets) {
          const has = Object.prototype.hasOwnProperty.call(labels, q.key);
          switch (q.op) {
            case 'In': if (!has || !q.set.has(labels[q.key])) return false; break;
            case 'NotIn': if (has && q.set.has(labels[q.key])) return false; break;
            case 'Exists': if (!has) return false; break;
            case 'DoesNotExist': if (has) return false; break;
          }
        }
        return true;
      },
    },
  };
}

export const matchAllSelector = MATCH_ALL;
