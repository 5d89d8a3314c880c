// Prints the inputs of the kube-yaml conformance set: YAML documents, one JSON string a line.
// The verdicts are then added by sigs.k8s.io/yaml's YAMLToJSON (see README.md in this directory).
// Usage: node test/conformance/kube-yaml/generate.ts > inputs.jsonl

// Plain scalars goyaml.v2's resolve() could take for a boolean, null, integer, float or timestamp,
// each case and prefix form, and near misses that stay strings.
const SCALARS = [
  // booleans and nulls, in every case form resolve.go lists, and mixed case that is not one
  'y', 'Y', 'yes', 'Yes', 'YES', 'yEs', 'on', 'On', 'ON', 'oN', 'true', 'True', 'TRUE', 'tRue',
  'n', 'N', 'no', 'No', 'NO', 'nO', 'off', 'Off', 'OFF', 'oFF', 'false', 'False', 'FALSE', 'fALSE',
  '~', 'null', 'Null', 'NULL', 'nULL', 'yess', 'onn', 'y2', 'ok', 'o', 't', 'f',
  // integers: a leading 0 is octal; prefixes in either case; signs; underscores
  '0', '-0', '00', '0644', '0755', '0_644', '-0644', '+0644', '0o644', '0O644', '-0o17', '0o8',
  '0x1F', '0X1F', '+0x10', '0x_1F', '0x1F_', '0x', '0xG', '0b101', '0B101', '-0b101', '0b1_0', '0b', '0b2',
  '1', '+12', '-12', '1_000', '1__0', '1_', '_1', '-_1', '+_1', '09', '089', '0789', '08080',
  '9007199254740993', '9223372036854775807',
  // floats
  '1.5', '0.5', '-0.5', '1.', '0.', '.5', '+.5', '-.5', '.5e3', '.5E+3', '.5_0', '._5', '.5_', '.',
  '+.', '-.', '1e3', '1E3', '1e-3', '1_e3', '1e1_0', '1e', 'e5', '.e5', '1_000.5', '1.2.3', '10.0.0.1',
  'Inf', 'infinity', 'NaN', 'nan',
  // sexagesimal (YAML 1.1) and timestamps: strings to goyaml.v2
  '1:30', '1:30.5', '12:60', '190:20:30', '2027-03-31', '2027-3-1', '2027-03-31T10:00:00Z',
  '2001-12-14 21:59:43.10', '2001-12-14t21:59:43.10-05:00',
  // quantities, versions and other things written unquoted in manifests
  '500m', '3Gi', '1e3Mi', 'v1.2', '1.30', '8080', '"yes"', "'no'", '"0644"', '!!str yes', '!!str 0644',
  '!!bool yes', '!!int 12', '!!float 1', '!!timestamp 2001-01-01',
];

const DOCS = [
  ...SCALARS.map((s) => `v: ${s}\n`),
  // in a flow sequence, as keys, and in the places the reviewer's manifest wrote them
  'v: [yes, no, on, off, 0644, 1:30]\n',
  'on: a\nNo: b\n0644: c\n2027-03-31: d\n',
  'spec:\n  automountServiceAccountToken: yes\n  hostNetwork: no\n  securityContext: {runAsNonRoot: yes}\n  containers:\n  - name: c\n    securityContext: {privileged: no, readOnlyRootFilesystem: yes}\n  volumes:\n  - name: v\n    configMap: {name: x, defaultMode: 0644}\n',
];

for (const d of DOCS) console.log(JSON.stringify(d));
