// A manifest's YAML read as kubectl and the API server read it: sigs.k8s.io/yaml converts it
// to JSON over goyaml.v2 (kubernetes-sigs/yaml goyaml.v2/resolve.go, now go.yaml.in/yaml/v2),
// which resolves plain scalars by YAML 1.1 rules. Read as YAML 1.2, `privileged: no` was the
// string "no" (a value that is set) and `automountServiceAccountToken: yes` was not true.
// goyaml.v2 keeps as strings what YAML 1.1 would make something else, and so does this: a
// timestamp (decode.go hands it to JSON as the text written), sexagesimal `1:30` (unsupported
// there), and the tags only YAML 1.1 has (!!binary, !!omap, !!pairs, !!set).
import { Schema, type ScalarTag, type Tags } from 'yaml';

const TAG = 'tag:yaml.org,2002:';
/** The YAML 1.1 tags goyaml.v2 resolves the same way: booleans (y/yes/on, n/no/off), nulls, merge keys. */
const KEPT = new Set(['map', 'seq', 'str', 'null', 'bool', 'merge'].map((t) => TAG + t));

// resolve.go's map of special floats, and its yamlStyleFloat.
const SPECIAL: Record<string, number> = {};
for (const [value, forms] of [[Number.NaN, '.nan .NaN .NAN'], [Infinity, '.inf .Inf .INF +.inf +.Inf +.INF'], [-Infinity, '-.inf -.Inf -.INF']] as const) {
  for (const form of forms.split(' ')) SPECIAL[form] = value;
}
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/**
 * What goyaml.v2's resolve() makes of a plain scalar that starts with a digit, a sign or a dot:
 * an integer as Go's strconv.ParseInt(s, 0, 64) reads it once underscores are dropped (0644 is
 * octal; 0o, 0x and 0b prefixes in either case), else a float of yamlStyleFloat's form, else
 * the text itself (`1:30`, `2027-03-31`, `1.2.3`).
 */
function resolveGoNumber(text: string): number | string {
  if (text in SPECIAL) return SPECIAL[text];
  // A leading dot goes to strconv.ParseFloat as written (an underscore only between digits).
  if (text.startsWith('.')) return /^\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?$/.test(text) ? Number(text.replaceAll('_', '')) : text;
  const plain = text.replaceAll('_', '');
  const int = GO_INT.exec(plain);
  if (int) {
    const n = /^0[0-7]+$/.test(int[2]) ? Number.parseInt(int[2], 8) : Number(int[2]);
    return int[1] === '-' ? 0 - n : n; // 0 - 0 is 0, not -0
  }
  return YAML_STYLE_FLOAT.test(plain) ? Number(plain) : text;
}

const goNumber: ScalarTag = { tag: `${TAG}int`, default: true, test: /^[-+.0-9]/, resolve: resolveGoNumber };

/**
 * Parse options for manifests: YAML 1.1 as goyaml.v2 reads it (an explicit `!!int` or `!!float`
 * resolved as a plain scalar is), one schema shared by every document.
 */
export const KUBE_YAML = {
  version: '1.1',
  schema: new Schema({
    schema: 'yaml-1.1',
    resolveKnownTags: false,
    customTags: (tags: Tags): Tags => [...tags.filter((t) => typeof t !== 'string' && KEPT.has(t.tag)), goNumber, { ...goNumber, tag: `${TAG}float`, default: false }],
  }),
} as const;
