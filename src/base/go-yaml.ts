// YAML text a Go controller reads out of a ConfigMap through sigs.k8s.io/yaml (YAMLToJSON,
// Unmarshal: istiod's mesh config, Linkerd's linkerd-config), read as it reads it: goyaml.v2's
// YAML 1.1 (KUBE_YAML), decoded by goyaml.v2's non-strict Unmarshal, whose setMapIndex stores
// each key as it comes, so a key written twice is no error and its last occurrence wins
// (kubernetes-sigs/yaml v1.4.0 goyaml.v2/decode.go setMapIndex; v1.6.0 imports the same decoder
// as go.yaml.in/yaml/v2). Only the strict decoders (UnmarshalStrict, YAMLToJSONStrict) refuse it.
// sigs.k8s.io/yaml.Unmarshal into a Go struct goes on through encoding/json, which matches a
// key to a field case-insensitively ("Decoding is case-insensitive", kubernetes-sigs/yaml
// v1.6.0 yaml.go Unmarshal): `struct` gives that view (goStruct).
import { parse } from 'yaml';
import { KUBE_YAML } from './kube-yaml.ts';
import { YAML_QUIET } from './yaml-message.ts';

export interface GoYamlOptions {
  /** Mappings read as sigs.k8s.io/yaml.Unmarshal reads them into a struct's fields (goStruct). */
  struct?: boolean;
}

/** `text` as a Go controller's YAML decoder reads it; throws the yaml package's error for text it cannot read. */
export function parseGoYaml(text: string, { struct = false }: GoYamlOptions = {}): unknown {
  const value: unknown = parse(text, { ...KUBE_YAML, ...YAML_QUIET, uniqueKeys: false });
  return struct ? goStruct(value) : value;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A key as encoding/json folds it to match a field name (go1.21+ src/encoding/json/fold.go
 * appendFoldedName/foldRune): ASCII letters upper-cased, and a rune to the smallest of its
 * simple case-fold orbit, which takes the Kelvin sign to K, long s to S and dotless ı to I;
 * no other rune folds to an ASCII letter, and the field names read here are ASCII.
 */
export function goFoldName(key: string): string {
  return key.replace(/[a-z\u0131\u017f\u212a]/g, (c) => (c === '\u0131' ? 'I' : c === '\u017f' ? 'S' : c === '\u212a' ? 'K' : c.toUpperCase()));
}

/**
 * A decoded mapping as sigs.k8s.io/yaml.Unmarshal reads it into a Go struct: a property is the
 * value of every key that folds to its name (goFoldName), taken in the order YAMLToJSON's
 * json.Marshal writes the keys (sorted), as encoding/json decodes them one after another into
 * the same field: the last value wins, a null leaves the field as it was, and two mappings
 * both fill the nested struct. For struct fields only: a Go map's keys are matched exactly.
 */
export function goStruct(value: unknown): unknown {
  return isMapping(value) ? structView([value]) : value;
}

function structView(layers: Array<Record<string, unknown>>): Record<string, unknown> {
  let fields: Map<string, unknown> | undefined;
  return new Proxy(layers[layers.length - 1]!, {
    get(target, prop) {
      if (typeof prop !== 'string') return Reflect.get(target, prop);
      fields ??= foldedFields(layers);
      return fields.get(goFoldName(prop));
    },
  });
}

function foldedFields(layers: Array<Record<string, unknown>>): Map<string, unknown> {
  const groups = new Map<string, unknown[]>();
  for (const layer of layers) {
    for (const key of Object.keys(layer).sort()) {
      const folded = goFoldName(key);
      let list = groups.get(folded);
      if (!list) groups.set(folded, (list = []));
      list.push(layer[key]);
    }
  }
  const out = new Map<string, unknown>();
  for (const [folded, values] of groups) {
    let value: unknown;
    let mappings: Array<Record<string, unknown>> = [];
    for (const v of values) {
      if (v === null) { if (value === undefined) value = null; continue; }
      if (isMapping(v)) { mappings = isMapping(value) ? [...mappings, v] : [v]; value = v; } else { mappings = []; value = v; }
    }
    out.set(folded, mappings.length > 0 ? structView(mappings) : value);
  }
  return out;
}
