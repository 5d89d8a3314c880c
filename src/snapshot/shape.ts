// The identity fields every analysis reads without looking twice. The API server guarantees
// their types for a live cluster; a manifest does not (an unrendered Helm template's
// `name: {{ .Release.Name }}` parses as a mapping), nor does an edited snapshot file. An object
// whose name, namespace, labels or annotations are of another type would stop the run with a
// TypeError deep in an analysis, or match selectors wrongly (a label `version: 1.0` is a
// number, which kubectl refuses too), so the readers skip or refuse it, naming the key.

function typeName(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v} (${String(v).slice(0, 40)})`;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with an object's metadata, naming the key (`metadata.labels.version: …`); null when nothing is. Null values count as absent, as kubectl reads them. */
export function metadataProblem(object: unknown): string | null {
  if (!isMapping(object)) return `is ${typeName(object)}, not an object`;
  const meta = object.metadata;
  if (meta === undefined || meta === null) return null;
  if (!isMapping(meta)) return `metadata is ${typeName(meta)}, not a mapping`;
  for (const key of ['name', 'namespace', 'generateName']) {
    const v = meta[key];
    if (v !== undefined && v !== null && typeof v !== 'string') return `metadata.${key} is ${typeName(v)}, not a string`;
  }
  for (const key of ['labels', 'annotations']) {
    const map = meta[key];
    if (map === undefined || map === null) continue;
    if (!isMapping(map)) return `metadata.${key} is ${typeName(map)}, not a mapping`;
    // for…in, not Object.entries: no array per object on the snapshot's load (every member is
    // the parsed JSON's own, as setMember keeps a "__proto__" key).
    for (const k in map) {
      const v = map[k];
      if (typeof v !== 'string') return `metadata.${key}.${k} is ${typeName(v)}, not a string (quote it)`;
    }
  }
  return null;
}
