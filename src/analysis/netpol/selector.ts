// Label selectors (metav1.LabelSelector): matchLabels AND matchExpressions, with the
// validation the API server applies, so a malformed selector becomes a finding, not a crash.

export interface Selector {
  /** True for `{}`: matches everything. */
  readonly empty: boolean;
  /** Canonical text, equal for equivalent spellings (used as a cache key and in evidence). */
  readonly key: string;
  matches(labels: Record<string, string>): boolean;
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

const MATCH_ALL: Selector = { empty: true, key: '{}', matches: () => true };

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
  const ml = r.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (typeof ml !== 'object' || Array.isArray(ml)) errors.push(`${where}.matchLabels: not a map`);
    else {
      for (const [k, v] of Object.entries(ml)) {
        const ke = labelKeyError(k);
        if (ke) errors.push(`${where}.matchLabels: ${ke}`);
        if (typeof v !== 'string') errors.push(`${where}.matchLabels.${k}: value is not a string`);
        else {
          const ve = labelValueError(v);
          if (ve) errors.push(`${where}.matchLabels.${k}: ${ve}`);
          reqs.push({ key: k, op: 'In', values: [v] });
        }
      }
    }
  }
  const me = r.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) errors.push(`${where}.matchExpressions: not a list`);
    else {
      me.forEach((e: unknown, i: number) => {
        const at = `${where}.matchExpressions[${i}]`;
        if (!e || typeof e !== 'object') return void errors.push(`${at}: not an object`);
        const { key, operator, values } = e as Record<string, unknown>;
        if (typeof key !== 'string') return void errors.push(`${at}.key: missing`);
        const ke = labelKeyError(key);
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
        reqs.push({ key, op: operator, values: [...(vals as string[])].sort() });
      });
    }
  }
  if (errors.length) return { errors };
  if (reqs.length === 0) return { selector: MATCH_ALL, errors };
  reqs.sort((a, b) => (a.key + a.op).localeCompare(b.key + b.op));
  const key = reqs.map((q) => (q.op === 'Exists' ? q.key : q.op === 'DoesNotExist' ? `!${q.key}` : `${q.key} ${q.op === 'In' ? 'in' : 'notin'} (${q.values.join(',')})`)).join(',');
  const sets = reqs.map((q) => ({ ...q, set: new Set(q.values) }));
  return {
    errors,
    selector: {
      empty: false,
      key,
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
