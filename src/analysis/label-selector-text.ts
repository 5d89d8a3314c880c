// A Kubernetes label selector in its text form, as k8s.io/apimachinery/pkg/labels.Parse reads it:
// the form of ingress-nginx's --watch-namespace-selector and Traefik's
// providers.kubernetesCRD.labelSelector.

/** One requirement of a label selector. */
export type LabelRequirement = { key: string; op: 'exists' | '!exists' | 'in' | 'notin' | 'gt' | 'lt'; values: string[] };

// A qualified name and a label value as labels.Parse validates them (both begin and end alphanumeric).
const LABEL_KEY = '[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?';
const LABEL_VALUE = '(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?';
const NOT_EXISTS = new RegExp(`^!\\s*(${LABEL_KEY})$`);
const EXISTS = new RegExp(`^(${LABEL_KEY})$`);
const EQUALS = new RegExp(`^(${LABEL_KEY})\\s*(==|=|!=)\\s*(${LABEL_VALUE})$`);
const SET = new RegExp(`^(${LABEL_KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const COMPARE = new RegExp(`^(${LABEL_KEY})\\s*(>|<)\\s*(-?\\d+)$`);
const VALUE = new RegExp(`^${LABEL_VALUE}$`);

/**
 * The requirements of a selector's text: comma-separated "key", "!key", "key=value",
 * "key==value", "key!=value", "key in (a,b)", "key notin (a,b)", "key>1", "key<1", all of which
 * must hold; blank text is no requirement (selects everything). Undefined for anything else,
 * which this reader does not claim labels.Parse refuses: the selector is then not known.
 */
export function parseLabelSelectorText(raw: string): LabelRequirement[] | undefined {
  if (raw.trim() === '') return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '(') depth++;
    else if (raw[i] === ')' && --depth < 0) return undefined;
    else if (raw[i] === ',' && depth === 0) { parts.push(raw.slice(start, i)); start = i + 1; }
  }
  if (depth !== 0) return undefined;
  parts.push(raw.slice(start));
  const out: LabelRequirement[] = [];
  for (const part of parts.map((p) => p.trim())) {
    let m: RegExpExecArray | null;
    if ((m = NOT_EXISTS.exec(part))) out.push({ key: m[1]!, op: '!exists', values: [] });
    else if ((m = EXISTS.exec(part))) out.push({ key: m[1]!, op: 'exists', values: [] });
    else if ((m = EQUALS.exec(part))) out.push({ key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] });
    else if ((m = SET.exec(part))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      if (!values.every((v) => VALUE.test(v))) return undefined;
      out.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values });
    } else if ((m = COMPARE.exec(part))) out.push({ key: m[1]!, op: m[2] === '>' ? 'gt' : 'lt', values: [m[3]!] });
    else return undefined;
  }
  return out;
}

/** Whether `labels` meet one requirement (labels.Requirement.Matches). */
export function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const v = Object.hasOwn(labels, r.key) ? labels[r.key] : undefined;
  switch (r.op) {
    case 'exists': return v !== undefined;
    case '!exists': return v === undefined;
    case 'in': return v !== undefined && r.values.includes(v);
    case 'notin': return v === undefined || !r.values.includes(v);
    // Requirement.Matches: the label's value must parse as an integer.
    default: {
      if (v === undefined || !/^-?\d+$/.test(v)) return false;
      return r.op === 'gt' ? Number(v) > Number(r.values[0]) : Number(v) < Number(r.values[0]);
    }
  }
}
