// The identity fields every analysis reads without looking twice. The API server guarantees
// their types for a live cluster; a manifest does not (an unrendered Helm template's
// `name: {{ .Release.Name }}` parses as a mapping), nor does an edited snapshot file. An object
// whose name, namespace, labels or annotations are of another type would stop the run with a
// TypeError deep in an analysis, or match selectors wrongly (a label `version: 1.0` is a
// number, which kubectl refuses too), so the readers skip or refuse it, naming the key.
// The same for the lists the checks read (specProblem): the API server refuses a mapping where
// the schema has a list (PodSpec.containers is []Container, a binding's subjects []Subject), so
// a checker that reads `containers: {name: c}` as no containers passes a privileged pod, and
// one that reads it as one container judges what the cluster would never run.
import { oneLine } from '../base/plain-text.ts';

/** What a value is, as an error names it (`a mapping`, `a number (1)`). */
export function typeName(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v} (${oneLine(String(v).slice(0, 40))})`;
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
      if (typeof v !== 'string') return `metadata.${key}.${oneLine(k)} is ${typeName(v)}, not a string (quote it)`;
    }
  }
  return null;
}

// What follows runs on every object read (150,000 pods at L): a few type tests per object and
// per container, no allocation unless a problem is named.

type Json = Record<string, unknown>;
const isList = Array.isArray;
const absent = (v: unknown) => v === undefined || v === null;

// Keys are handed in as a constant prefix and field and joined only to name a problem.

/** `v` is absent or a list of mappings; what is wrong with it otherwise. */
function mappingsProblem(v: unknown, prefix: string, key: string): string | null {
  if (absent(v)) return null;
  if (!isList(v)) return `${prefix}${key} is ${typeName(v)}, not a list`;
  for (let i = 0; i < v.length; i++) if (!isMapping(v[i])) return `${prefix}${key}[${i}] is ${typeName(v[i])}, not a mapping`;
  return null;
}

function mappingProblem(v: unknown, prefix: string, key: string): string | null {
  return absent(v) || isMapping(v) ? null : `${prefix}${key} is ${typeName(v)}, not a mapping`;
}

/** `v` is absent or a list of strings (Capabilities.add/drop are []Capability, a string type). */
function stringsProblem(v: unknown, prefix: string, key: string): string | null {
  if (absent(v)) return null;
  if (!isList(v)) return `${prefix}${key} is ${typeName(v)}, not a list`;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return `${prefix}${key}[${i}] is ${typeName(v[i])}, not a string`;
  return null;
}

/**
 * A container's fields the pod-security checks read as lists: its ports (hostPorts) and its
 * capabilities (`drop: ALL`, which the API server refuses, would otherwise read as dropping ALL).
 */
function containerProblem(c: Json, prefix: string): string | null {
  const ports = mappingsProblem(c.ports, prefix, 'ports');
  if (ports) return ports;
  const sc = c.securityContext;
  if (absent(sc)) return null;
  if (!isMapping(sc)) return `${prefix}securityContext is ${typeName(sc)}, not a mapping`;
  const caps = (sc as Json).capabilities;
  const capsProblem = mappingProblem(caps, prefix, 'securityContext.capabilities');
  if (capsProblem || absent(caps)) return capsProblem;
  return stringsProblem((caps as Json).add, prefix, 'securityContext.capabilities.add') ?? stringsProblem((caps as Json).drop, prefix, 'securityContext.capabilities.drop');
}

/** The lists of containers a pod spec holds (Pod v1: containers, initContainers, ephemeralContainers). */
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** What is wrong with a pod spec's lists of containers and volumes and with the securityContexts the pod-security checks read; `prefix` (`spec.`) names it. */
function podSpecProblem(spec: Json, prefix: string): string | null {
  const ctx = mappingProblem(spec.securityContext, prefix, 'securityContext');
  if (ctx) return ctx;
  if (!absent(spec.securityContext)) {
    const sysctls = mappingsProblem((spec.securityContext as Json).sysctls, prefix, 'securityContext.sysctls');
    if (sysctls) return sysctls;
  }
  for (const field of CONTAINER_LISTS) {
    const list = spec[field];
    const problem = mappingsProblem(list, prefix, field);
    if (problem) return problem;
    if (absent(list)) continue;
    const containers = list as Json[];
    for (let i = 0; i < containers.length; i++) {
      const c = containerProblem(containers[i]!, `${prefix}${field}[${i}].`);
      if (c) return c;
    }
  }
  return mappingsProblem(spec.volumes, prefix, 'volumes');
}

/** Where a kind keeps the pod spec its pods run (a Pod: its own spec; a CronJob: its Job's template), and each step's key as a problem names it. */
interface PodSpecAt {
  path: readonly string[];
  names: readonly string[];
  /** The pod spec's key and a dot (`spec.template.spec.`). */
  prefix: string;
}
const podSpecAt = (...path: string[]): PodSpecAt => {
  const names = path.map((_, i) => path.slice(0, i + 1).join('.'));
  return { path, names, prefix: `${names.at(-1)!}.` };
};
const TEMPLATE = podSpecAt('spec', 'template', 'spec');
const POD_SPEC_AT: ReadonlyMap<string, PodSpecAt> = new Map([
  ['pods', podSpecAt('spec')],
  ['replicationcontrollers', TEMPLATE], ['replicasets', TEMPLATE], ['deployments', TEMPLATE],
  ['statefulsets', TEMPLATE], ['daemonsets', TEMPLATE], ['jobs', TEMPLATE],
  ['cronjobs', podSpecAt('spec', 'jobTemplate', 'spec', 'template', 'spec')],
]);

/** PolicyRule's lists (rbac.authorization.k8s.io/v1): each []string. */
const RULE_LISTS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;

function rulesProblem(rules: unknown): string | null {
  const problem = mappingsProblem(rules, '', 'rules');
  if (problem || absent(rules)) return problem;
  const list = rules as Json[];
  for (let i = 0; i < list.length; i++) {
    for (const field of RULE_LISTS) {
      const v = list[i]![field];
      if (absent(v)) continue;
      if (!isList(v)) return `rules[${i}].${field} is ${typeName(v)}, not a list`;
      for (let j = 0; j < v.length; j++) if (typeof v[j] !== 'string') return `rules[${i}].${field}[${j}] is ${typeName(v[j])}, not a string`;
    }
  }
  return null;
}

/**
 * A binding's subjects and roleRef (rbac.authorization.k8s.io/v1): Subject.name is a required
 * string and RoleBinding.roleRef is required (RoleRef.name a string). Read leniently,
 * `name: 5` was "a subject without a name" (its grant unreported) and a binding without roleRef
 * a low finding, where the API server refuses the object
 * (https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/cluster-role-binding-v1/).
 */
function bindingProblem(object: Json): string | null {
  const subjects = mappingsProblem(object.subjects, '', 'subjects');
  if (subjects) return subjects;
  if (!absent(object.subjects)) {
    const list = object.subjects as Json[];
    for (let i = 0; i < list.length; i++) {
      const name = list[i]!.name;
      if (!absent(name) && typeof name !== 'string') return `subjects[${i}].name is ${typeName(name)}, not a string`;
    }
  }
  const ref = object.roleRef;
  if (absent(ref)) return 'roleRef is missing (the API server requires it)';
  if (!isMapping(ref)) return `roleRef is ${typeName(ref)}, not a mapping`;
  if (!absent(ref.name) && typeof ref.name !== 'string') return `roleRef.name is ${typeName(ref.name)}, not a string`;
  return null;
}

/**
 * ConfigMap.data is map[string]string and binaryData map[string][]byte, a base64 string
 * (k8s.io/api core/v1 types.go); the API server refuses `hsts: false` unquoted ("json: cannot
 * unmarshal bool into Go struct field ConfigMap.data of type string"). Read leniently, the value
 * was dropped and its setting judged as absent.
 */
function stringMapProblem(v: unknown, key: string): string | null {
  if (absent(v)) return null;
  if (!isMapping(v)) return `${key} is ${typeName(v)}, not a mapping`;
  for (const k in v) {
    const value = v[k];
    if (typeof value !== 'string') return `${key}.${oneLine(k)} is ${typeName(value)}, not a string (quote it)`;
  }
  return null;
}

/**
 * What is wrong with the lists of `object` (of snapshot kind `kind`, its metadata already
 * admitted by metadataProblem) that the checks read, naming the key
 * (`spec.template.spec.containers is a mapping, not a list`); null when nothing is. The lists are
 * those the API server's schema types as lists: a pod spec's containers, init and ephemeral
 * containers and volumes (with the securityContexts), a Role's rules, a binding's subjects (and
 * its required roleRef), and a ConfigMap's data values (strings). Null counts as absent. A
 * NetworkPolicy is not looked at here: its reader (src/analysis/netpol/policy.ts) names each
 * malformed part and does not apply that policy.
 */
export function specProblem(kind: string, object: Json): string | null {
  const at = POD_SPEC_AT.get(kind);
  if (at) {
    let spec: Json = object;
    for (let i = 0; i < at.path.length; i++) {
      const next = spec[at.path[i]!];
      if (absent(next)) return null;
      if (!isMapping(next)) return `${at.names[i]!} is ${typeName(next)}, not a mapping`;
      spec = next;
    }
    return podSpecProblem(spec, at.prefix);
  }
  switch (kind) {
    case 'roles':
    case 'clusterroles':
      return rulesProblem(object.rules);
    case 'rolebindings':
    case 'clusterrolebindings':
      return bindingProblem(object);
    case 'configmaps':
      return stringMapProblem(object.data, 'data') ?? stringMapProblem(object.binaryData, 'binaryData');
    default:
      return null;
  }
}
