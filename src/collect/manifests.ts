// --manifests DIR: every YAML/JSON file below DIR, multi-document, List kinds flattened
// (typed lists such as PodList too, whose items carry no kind of their own; Lists within Lists, as
// kubectl flattens them; a bare top-level array of objects too; concatenated JSON objects), its
// YAML read as kubectl reads it (src/base/kube-yaml.ts; aliases: src/base/yaml-aliases.ts).
// An object of an audited kind at an apiVersion ztaudit does not read it at (KindSpec.versions,
// olderApiVersions) is skipped like a broken document: `kubectl apply` would refuse it. So is
// one at an older apiVersion that the release --cluster-version (cluster.version) names no
// longer serves (networking.k8s.io/v1beta1 Ingress on v1.22 and later); without a version given,
// every older apiVersion is read.
// A broken document is named by file and line and skipped; the others still load, but the
// run is partial: the kinds the document names count as not read, so the checks that need
// them are not evaluated, and the report says which file and line; when its kind cannot be
// told at all, no kind counts as read (kindsOfBroken, loadManifests).
// An object whose name, namespace, labels or annotations are not strings (an unrendered Helm
// template) is skipped the same way (src/snapshot/shape.ts), and so is a document with a mapping
// used as a key anywhere (`subjects[0].name: {{ .Values.x }}`), and so is an object of an audited kind
// without metadata or a name (nothing could bind to it or tell it apart, and dropping it quietly
// passed its checks), and so is a file or directory below
// DIR that cannot be read (a symlink to nothing, a symlink loop, no permission), whose kind
// cannot be told either. Files are read
// as UTF-8, or UTF-16 with a byte order mark; other bytes are named in a note (src/base/decode-text.ts).
// Documents that are not Kubernetes objects, and kinds ztaudit does not audit, are skipped
// with a note. A file above limits.manifestFileMiB is refused with one line (InputError),
// before it is read: parsing it could exhaust the heap.
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isCollection, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import { InputError } from '../base/errors.ts';
import { AboveLimitError, NoWriterError, readAtMost } from '../base/read-at-most.ts';
import { DEFAULT_MANIFEST_FILE_MIB } from '../config/types.ts';
import { decodeText } from '../base/decode-text.ts';
import { YAML_QUIET, yamlMessage } from '../base/yaml-message.ts';
import { KUBE_YAML } from '../base/kube-yaml.ts';
import { toKubeJS } from '../base/yaml-aliases.ts';
import { clusterNameOf, oneLine } from '../base/plain-text.ts';
import { setMember } from '../base/json-member.ts';
import type { KubeObject, Snapshot, SourceRef } from '../snapshot/types.ts';
import { apiVersionsOf, isAlphaApiVersion, KINDS, kindForManifest, kindOfGroup, olderApiVersionOf, SERVED_KNOWN_FROM, servedAt, servedFrom, type KindKey, type KindSpec } from '../snapshot/kinds.ts';
import { metadataProblem, specProblem, typeName } from '../snapshot/shape.ts';
import { isRollout, snapshotFromObjects } from './from-objects.ts';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** A file below the directory, or what stood for one but cannot be read (named, the run partial). */
interface Listed {
  path: string;
  unreadable?: string;
}

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code ?? (error instanceof Error ? error.message : String(error));

/** The file's real path; the path itself when it cannot be resolved (then reading it says why). */
function realpathOr(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

function listFiles(dir: string): Listed[] {
  const out: Listed[] = [];
  const seen = new Set<string>(); // real paths of directories walked: symlink loops end here
  const walk = (d: string) => {
    const real = realpathSync(d);
    if (seen.has(real)) return;
    seen.add(real);
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (error: unknown) {
      if (d === dir) throw error;
      out.push({ path: d, unreadable: `directory that cannot be read (${codeOf(error)})` });
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const p = join(d, entry.name);
      // Symlinks are followed: a ConfigMap volume mount is nothing but symlinks.
      let what: Dirent | Stats = entry;
      if (entry.isSymbolicLink()) {
        try {
          what = statSync(p);
        } catch (error: unknown) {
          // What the link stood for (a file, or a directory of them) was not read: said, not dropped.
          out.push({ path: p, unreadable: codeOf(error) === 'ELOOP' ? 'symlink loop (ELOOP)' : `symlink to nothing (${codeOf(error)})` });
          continue;
        }
      }
      if (what.isDirectory()) walk(p);
      else if (!MANIFEST_EXT.test(entry.name)) continue;
      else if (what.isFile()) out.push({ path: p });
      // `kubectl apply -f DIR` opens it as any file of the name, and applies whatever it reads.
      // Never opened here: opening a named pipe waits for a writer.
      else out.push({ path: p, unreadable: `${specialFile(what)}, which ztaudit does not open (kubectl apply -f would read from it whatever it is sent)` });
    }
  };
  walk(dir);
  return out;
}

/** What a file that is neither a regular file nor a directory is, as `ls -l` tells them apart. */
function specialFile(f: Dirent | Stats): string {
  if (f.isFIFO()) return 'named pipe (FIFO)';
  if (f.isSocket()) return 'socket';
  if (f.isCharacterDevice()) return 'character device';
  return f.isBlockDevice() ? 'block device' : 'file that is not a regular file';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface BrokenDocument {
  /** file:line */
  where: string;
  why: string;
  /** The snapshot kind its `apiVersion`/`kind` lines name, when they can be read. */
  kind?: KindKey;
  /** A file or directory that could not be read at all (not a document that failed to parse). */
  unread?: true;
}

export interface ParsedManifests {
  objects: KubeObject[];
  notes: string[];
  sources: Record<string, SourceRef>;
  broken: BrokenDocument[];
  /** Where each of `objects` was read, index for index. */
  origins: SourceRef[];
}

/** The audited kind of that group, at any version: what a document that could not be read may hold. */
const kindKeyOf = (apiVersion: string, kind: string) => kindOfGroup(apiVersion, kind)?.key as KindKey | undefined;

/** The offset of the first mapping key that is itself a mapping or list (`{{ x }}` parses as one), if any. */
function collectionKeyOf(doc: Document.Parsed): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isCollection(pair.key)) return undefined;
      at = pair.key.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return at;
}

/** What a skipped document holds, as far as it can be told. */
interface BrokenKinds {
  /** The audited kinds it may hold (more than it does, at worst: that only costs evaluation). */
  keys: KindKey[];
  /** False when something in it may be an object whose kind cannot be read: it may be of any kind. */
  told: boolean;
}

/** Every audited kind of that name, in any group: what a kind whose group cannot be read may be. */
const keysNamed = (kind: string): KindKey[] => KINDS.filter((k) => k.kind === kind).map((k) => k.key);

/** The objects a document's value holds: itself, a List's items (typed lists' items take their kind; nested lists flattened), a bare array's. */
function objectsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return flattenList(value, '').map((i) => i.item);
}

type ListValue = Record<string, unknown> & { kind: string; items: unknown[] };
/** A List (`kind: List`) or a typed list (PodList, apps/v1 DeploymentList) with its items. */
const isList = (v: unknown): v is ListValue => isObject(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);

/** Lists nested deeper than this are not looked into (kubectl has no bound; YAML written by hand nests one or two). */
export const MAX_LIST_DEPTH = 32;

interface ListItem {
  item: unknown;
  /** `items[2].items[0]`: where in the document it is ('' for the document itself). */
  path: string;
  /** A list nested deeper than MAX_LIST_DEPTH, left unread. */
  tooDeep?: true;
}

/**
 * The items of a List, lists within it flattened, in the order kubectl visits them: breadth
 * first, a nested list's items after those of the list that holds it (kubernetes
 * staging/src/k8s.io/cli-runtime/pkg/resource/visitor.go at v1.34.0, FlattenListVisitor.Visit:
 * `itemsToProcess = append(itemsToProcess, currItems...)`). A typed list's items take its kind
 * and apiVersion when they leave them off, as the API's lists do. Not a list: itself.
 * One pass over the items: an alias repeating a subtree is its copies, as kubectl decodes them.
 */
function flattenList(value: unknown, path: string): ListItem[] {
  const out: ListItem[] = [];
  const queue: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  for (let q = 0; q < queue.length; q++) {
    const { value: v, path: at, depth } = queue[q];
    if (!isList(v)) {
      out.push({ item: v, path: at });
      continue;
    }
    if (depth >= MAX_LIST_DEPTH) {
      out.push({ item: v, path: at, tooDeep: true });
      continue;
    }
    // A typed list from the API (PodList, apps/v1 DeploymentList, …) leaves kind and
    // apiVersion off its items: they are the list's, minus "List". A plain `List` names them.
    const itemKind = v.kind === 'List' ? undefined : v.kind.slice(0, -'List'.length);
    const listApiVersion = typeof v.apiVersion === 'string' ? v.apiVersion : undefined;
    v.items.forEach((item: unknown, i: number) => {
      const typed = itemKind && isObject(item) ? { ...item, apiVersion: item.apiVersion ?? listApiVersion, kind: item.kind ?? itemKind } : item;
      queue.push({ value: typed, path: `${at ? `${at}.` : ''}items[${i}]`, depth: depth + 1 });
    });
  }
  return out;
}

// `kind: X` / `"kind": "X"` (and apiVersion) anywhere: a block line at any indentation, after
// a list dash, in a flow map, in JSON. Over-marks on purpose (a roleRef's `kind: ClusterRole`,
// a subject's `kind: ServiceAccount`): a kind marked that the document does not hold only costs
// its checks' evaluation, while one missed lets them pass on data that was never read.
const MENTION = /(?<=^|[\s{,-])(["']?)(kind|apiVersion)\1[ \t]*:[ \t]*["']?([\w./-]+)/gm;

/**
 * What a document that failed to parse says it is. A plain object (one top-level `kind:` line):
 * read off its top-level lines; with an apiVersion that cannot be read (`{{ include "…apiVersion" . }}`, as many charts
 * write it), every audited kind of that name, in any group: missing data is not a fix. A List,
 * JSON, or a document with no top-level `kind:` line or more than one: what the parser made of it (`partial`, its
 * best reading of the broken text), each object of it with a kind, and every kind the text
 * names anywhere; not told when an object of it has no kind (cut off before it), or nothing was read.
 */
function kindsOfBroken(source: string, partial?: unknown): BrokenKinds {
  const apiVersion = /^apiVersion:[ \t]*["']?([\w./-]+)["']?[ \t]*(?:#.*)?$/m.exec(source)?.[1];
  // Every top-level `kind:` line: two of them are two objects run together (`cat a.yaml b.yaml`
  // without a `---`), which the parser refuses (duplicate keys) but the API server reads, the
  // last value winning (kubernetes/kubernetes#14791): reading the first alone hid the second.
  const tops = [...source.matchAll(/^kind:[ \t]*["']?([A-Za-z0-9]+)["']?[ \t]*(?:#.*)?$/gm)];
  const kind = tops.length === 1 ? tops[0][1] : undefined;
  if (kind && !kind.endsWith('List')) {
    // Told, even when ztaudit does not audit it: such a document, read, would be skipped too.
    return { keys: apiVersion ? [kindKeyOf(apiVersion, kind)].filter((k) => k !== undefined) : keysNamed(kind), told: true };
  }
  const keys = new Set<KindKey>();
  const objects = partial === undefined || partial === null ? [] : objectsOf(partial);
  let told = objects.length > 0;
  for (const o of objects) {
    // A List left unexpanded (no items read) or an object without a kind may be anything.
    if (!isObject(o) || typeof o.kind !== 'string' || o.kind.endsWith('List')) {
      told = false;
      continue;
    }
    for (const k of typeof o.apiVersion === 'string' ? [kindKeyOf(o.apiVersion, o.kind)] : keysNamed(o.kind)) if (k) keys.add(k);
  }
  const kinds = new Set<string>();
  const apiVersions = new Set<string>();
  for (const m of source.matchAll(MENTION)) (m[2] === 'kind' ? kinds : apiVersions).add(m[3]);
  for (const named of kinds) {
    // A typed list (ClusterRoleBindingList) names its items' kind.
    for (const name of named.endsWith('List') ? [named, named.slice(0, -'List'.length)] : [named]) {
      const paired = [...apiVersions].map((v) => kindKeyOf(v, name)).filter((k) => k !== undefined);
      for (const k of paired.length > 0 ? paired : keysNamed(name)) keys.add(k);
    }
  }
  return { keys: [...keys], told };
}

/** What the parser made of a document it found broken (the yaml library reads on past an error), if anything. */
function bestReadingOf(doc: Document.Parsed): unknown {
  try {
    return toKubeJS(doc);
  } catch {
    return undefined;
  }
}

/** A skipped document, once for each audited kind it may hold, or once with none when its kind could not be told (none when it holds no audited kind). */
function pushBroken(broken: BrokenDocument[], where: string, why: string, { keys, told }: BrokenKinds): void {
  if (!told) broken.push({ where, why });
  for (const kind of new Set(keys)) broken.push({ where, why, kind });
}

/** Said of a skipped document with `{{` in it: what a user most likely handed in, and what to do. */
function helmHint(source: string): string {
  return source.includes('{{') ? ' (an unrendered Helm template? audit the output of `helm template` instead)' : '';
}

/** A file of concatenated JSON objects, as kubectl reads it: [start, end) offsets into its text. */
interface JsonStream {
  /** Each JSON object, then, after one JSON object only, the rest of the file, which kubectl reads as YAML. */
  segments: [number, number][];
  /** What follows two or more JSON objects and is not one (YAML after `---`, an object cut short): kubectl stops there. */
  unread?: [number, number];
}

/**
 * The top-level JSON objects of a text that opens with `{`, found in one pass: kubectl reads
 * such a file as a stream of JSON values (`jq -c '.items[]'` output, `{…}{…}`), not as YAML
 * (k8s.io/apimachinery pkg/util/yaml/decoder.go at v0.34.0: NewYAMLOrJSONDecoder, GuessJSONStream
 * and hasJSONPrefix). When a value is not a JSON object (YAML after `---`, an object cut short),
 * YAMLOrJSONDecoder.Decode reads the rest of the file as YAML if it has read one JSON object, but
 * fails if it has read more ("If we found more than 1 JSON object, then this is an unambiguous
 * JSON stream, and we should not switch to YAML"): kubectl then stops with "error parsing FILE"
 * (cli-runtime pkg/resource/visitor.go at v0.34.0, StreamVisitor.Visit), having read the objects
 * before it. So does this: after one object the rest is one last segment, read as YAML; after more,
 * the rest is `unread`. Undefined for one object or none, or when the first is not JSON (a Helm
 * template's `{{- if … }}`): the text is then read as YAML.
 */
function jsonStream(text: string): JsonStream | undefined {
  const segments: [number, number][] = [];
  const n = text.length;
  const space = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
  let i = 0;
  for (;;) {
    while (i < n && space(text.charCodeAt(i))) i++;
    if (i >= n) break;
    if (text.charCodeAt(i) !== 123 /* { */) {
      segments.push([i, n]);
      break;
    }
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (inString) {
        if (c === 92 /* \ */) j++;
        else if (c === 34 /* " */) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if ((c === 125 || c === 93) && --depth === 0) break;
    }
    if (j >= n) {
      segments.push([i, n]);
      break;
    }
    segments.push([i, j + 1]);
    i = j + 1;
  }
  if (segments.length < 2) return undefined;
  const isJson = ([from, to]: [number, number]) => {
    if (text.charCodeAt(from) !== 123) return false;
    try {
      JSON.parse(text.slice(from, to));
      return true;
    } catch {
      return false;
    }
  };
  // A Helm template opening with `{{- if … }}` opens with `{` too: a stream only when its first
  // value is JSON, else the file is YAML as before.
  if (!isJson(segments[0])) return undefined;
  let json = 1;
  while (json < segments.length && isJson(segments[json])) json++;
  if (json === segments.length) return { segments };
  const rest: [number, number] = [segments[json][0], n];
  return json === 1 ? { segments: [segments[0], rest] } : { segments: segments.slice(0, json), unread: rest };
}

/**
 * Why the API server refuses a port name, as IsValidPortName says it (k8s.io/apimachinery
 * pkg/util/validation/validation.go at v0.34.0: at most 15 characters of a-z, 0-9 and `-`, a letter
 * at least, no `--`, no `-` at either end); an empty one: "port name or number is required".
 */
function portNameProblems(port: string): string[] {
  return port === '' ? ['port name or number is required'] : [
    ...(port.length > 15 ? ['must be no more than 15 characters'] : []),
    ...(!/^[-a-z0-9]+$/.test(port) ? ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'] : []),
    ...(!/[a-z]/.test(port) ? ['must contain at least one letter (a-z)'] : []),
    ...(port.includes('--') ? ['must not contain consecutive hyphens'] : []),
    ...(port.startsWith('-') || port.endsWith('-') ? ['must not begin or end with a hyphen'] : []),
  ];
}

const WOULD_FAIL = 'kubectl apply would fail';

/**
 * What the API server says of a networking.k8s.io/v1 backend's `service.port` other than its
 * name's validity: undefined when the port is a name, for the caller to judge; null when it is a
 * valid number. validateIngressBackend (kubernetes pkg/apis/networking/validation/validation.go at
 * v1.36.3) refuses a port with both a name and a number ("cannot set both port name & port
 * number"), with neither ("port name or number is required": a backend without `port` too), and a
 * number outside 1–65535 (IsValidPortNum, k8s.io/apimachinery pkg/util/validation at v0.36.3: "must
 * be between 1 and 65535, inclusive"). An empty name or a zero number is none. A `name` that is not
 * a string, a `number` that is not an integer, or a `port` that is not a mapping cannot be decoded
 * into ServiceBackendPort (k8s.io/api networking/v1: name string, number int32): the request fails
 * before validation. Read, each routed to a port the cluster would never have.
 */
function servicePortProblem(p: unknown, at: string): string | null | undefined {
  const key = `${at}.service.port`;
  if (p !== undefined && p !== null && !isObject(p)) return `${key} is ${typeName(p)}, not a mapping (the API server cannot decode it): ${WOULD_FAIL}`;
  const { name, number }: Record<string, unknown> = isObject(p) ? p : {};
  if (name !== undefined && name !== null && typeof name !== 'string') return `${key}.name is ${typeName(name)}, not a string (the API server cannot decode it; a port number goes in ${key}.number): ${WOULD_FAIL}`;
  if (number !== undefined && number !== null && !Number.isInteger(number)) return `${key}.number is ${typeName(number)}, not an integer (the API server cannot decode it): ${WOULD_FAIL}`;
  const hasName = typeof name === 'string' && name !== '';
  const hasNumber = typeof number === 'number' && number !== 0;
  if (hasName && hasNumber) return `${key} has both a name and a number (the API server: cannot set both port name & port number): ${WOULD_FAIL}`;
  if (!hasName && !hasNumber) return `${key} has neither a name nor a number (the API server: port name or number is required): ${WOULD_FAIL}`;
  if (hasNumber) return number >= 1 && number <= 65535 ? null : `${key}.number ${number} is not a port number the API server accepts (must be between 1 and 65535, inclusive): ${WOULD_FAIL}`;
  return undefined;
}

/**
 * What the API server says of an Ingress whose backend names a port by a name it refuses; null
 * when there is none. Of networking.k8s.io/v1beta1 or extensions/v1beta1: a servicePort that is a
 * string, a quoted number (`servicePort: "80"`) too: intstr.IntOrString.UnmarshalJSON reads a
 * quoted value as one (k8s.io/apimachinery pkg/util/intstr/intstr.go at v0.34.0), the conversion
 * puts it in service.port.name (ingressV1), and validation refuses it as a port name (kubernetes
 * pkg/apis/networking/validation/validation.go of the releases that served v1beta1 with v1,
 * v1.19 to v1.21, validateIngressBackend: IsValidPortName). Of networking.k8s.io/v1: a
 * `service.port.name` that is not empty, `"80"` included, refused by the same validateIngressBackend
 * (kubernetes pkg/apis/networking/validation/validation.go as at commit 019c5dc5: `hasPortName :=
 * len(backend.Service.Port.Name) > 0` … `validation.IsValidPortName(backend.Service.Port.Name)`).
 * kubectl apply fails with the Ingress invalid: read, it routed to a port named "80". A v1
 * backend's port refused otherwise (both a name and a number, neither, a bad number or type): servicePortProblem.
 */
function ingressPortProblem(o: Record<string, unknown>): string | null {
  const beta = o.apiVersion !== 'networking.k8s.io/v1';
  const check = (b: unknown, at: string): string | null => {
    if (!isObject(b)) return null;
    let port: string;
    if (beta) {
      if (typeof b.servicePort !== 'string') return null;
      port = b.servicePort;
      if (port === '' && !b.serviceName) return null; // no service backend: refused as such, not judged here
    } else {
      if (!isObject(b.service)) return null;
      const v1Port = servicePortProblem(b.service.port, at);
      if (v1Port !== undefined) return v1Port;
      port = (b.service.port as { name: string }).name;
    }
    const why = portNameProblems(port);
    if (why.length === 0) return null;
    return beta
      ? `${at}.servicePort ${JSON.stringify(oneLine(port))} is not a port name the API server accepts (${why.join('; ')}; quoted, a number is a name): kubectl apply would fail`
      : `${at}.service.port.name ${JSON.stringify(oneLine(port))} is not a port name the API server accepts (${why.join('; ')}; a port number goes in service.port.number): kubectl apply would fail`;
  };
  if (!isObject(o.spec)) return null;
  const top = check(beta ? o.spec.backend : o.spec.defaultBackend, beta ? 'spec.backend' : 'spec.defaultBackend');
  if (top) return top;
  if (!Array.isArray(o.spec.rules)) return null;
  for (const [i, rule] of o.spec.rules.entries()) {
    if (!isObject(rule) || !isObject(rule.http) || !Array.isArray(rule.http.paths)) continue;
    for (const [j, p] of rule.http.paths.entries()) {
      const problem = isObject(p) ? check(p.backend, `spec.rules[${i}].http.paths[${j}].backend`) : null;
      if (problem) return problem;
    }
  }
  return null;
}

/**
 * An Ingress of networking.k8s.io/v1beta1 or extensions/v1beta1 (served up to v1.21: the
 * deprecated API migration guide, kubernetes.io/docs/reference/using-api/deprecation-guide/#ingress-v122)
 * in v1's shape, as the API server converts it (kubernetes v1.21.0 pkg/apis/networking/v1beta1/conversion.go
 * and pkg/apis/extensions/v1beta1/conversion.go: spec.backend is spec.defaultBackend; a backend with a
 * serviceName or a servicePort has service.name and service.port.number, or service.port.name
 * for a named port) and defaults it (defaults.go there, SetDefaults_HTTPIngressPath: a path without a
 * pathType is ImplementationSpecific). Read with v1's schema as it was, its backends were lost.
 */
function ingressV1(o: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(o.spec)) return o;
  const backend = (b: unknown): unknown => {
    if (!isObject(b)) return b;
    // v1beta1 has no `service`: the API server drops one as an unknown field.
    const { serviceName, servicePort, service: _unknown, ...rest } = b;
    const name = typeof serviceName === 'string' ? serviceName : '';
    if (name || (typeof servicePort === 'number' && servicePort !== 0) || typeof servicePort === 'string') {
      const port = typeof servicePort === 'string' ? (servicePort ? { name: servicePort } : {}) : typeof servicePort === 'number' && servicePort !== 0 ? { number: servicePort } : {};
      return { ...rest, service: { name, port } };
    }
    return rest;
  };
  const { backend: defaultBackend, defaultBackend: _unknown, ...spec } = o.spec;
  const out: Record<string, unknown> = { ...spec };
  if (defaultBackend !== undefined) out.defaultBackend = backend(defaultBackend);
  if (Array.isArray(spec.rules)) {
    out.rules = spec.rules.map((rule: unknown) => {
      if (!isObject(rule) || !isObject(rule.http) || !Array.isArray(rule.http.paths)) return rule;
      const paths = rule.http.paths.map((p: unknown) => (isObject(p) ? { ...p, pathType: p.pathType ?? 'ImplementationSpecific', backend: backend(p.backend) } : p));
      return { ...rule, http: { ...rule.http, paths } };
    });
  }
  return { ...o, spec: out };
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * A RoleBinding or ClusterRoleBinding of rbac.authorization.k8s.io/v1alpha1 in v1's shape, as the
 * API server defaults and converts it (kubernetes pkg/apis/rbac/v1alpha1/defaults.go, SetDefaults_Subject
 * and SetDefaults_*RoleBinding, as at commit 04791b49; conversion.go,
 * Convert_v1alpha1_Subject_To_rbac_Subject, as at commit 0c178740; the package was removed in v1.23).
 * Its subjects name an `apiVersion`, not an `apiGroup`: a ServiceAccount's group is the core
 * group, a User's and a Group's rbac.authorization.k8s.io, any other kind's the group of its
 * apiVersion; an `apiGroup` written in one is a field v1alpha1 does not have, dropped. The User
 * `*` of v1alpha1 is every authenticated user: the Group system:authenticated. A roleRef without
 * an apiGroup is rbac.authorization.k8s.io's.
 */
function rbacBindingV1(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o };
  if (isObject(o.roleRef) && !o.roleRef.apiGroup) out.roleRef = { ...o.roleRef, apiGroup: RBAC_GROUP };
  if (!Array.isArray(o.subjects)) return out;
  out.subjects = o.subjects.map((s: unknown) => {
    if (!isObject(s)) return s;
    const { apiVersion, apiGroup: _unknown, ...subject } = s;
    let apiGroup: string | undefined;
    if (subject.kind === 'ServiceAccount') apiGroup = '';
    else if (subject.kind === 'User' || subject.kind === 'Group') apiGroup = RBAC_GROUP;
    else if (typeof apiVersion === 'string' && apiVersion.split('/').length <= 2) apiGroup = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    if (subject.kind === 'User' && subject.name === '*') return { ...subject, kind: 'Group', name: 'system:authenticated', apiGroup };
    return apiGroup === undefined ? subject : { ...subject, apiGroup };
  });
  return out;
}

/**
 * The workloads whose API server defaulted their selector, and their own labels when they had
 * none, to their pod template's labels: extensions/v1beta1 DaemonSet, Deployment and ReplicaSet
 * (kubernetes pkg/apis/extensions/v1beta1/defaults.go, SetDefaults_DaemonSet,
 * SetDefaults_Deployment, SetDefaults_ReplicaSet, as at commit 0031cb7a) and apps/v1beta1
 * Deployment and StatefulSet (pkg/apis/apps/v1beta1/defaults.go, as at commit 0613ae50). Not
 * apps/v1beta2 (pkg/apis/apps/v1beta2/defaults.go, as at commit 1f3367f8, defaults no selector:
 * it is required there, as in apps/v1).
 */
const SELECTOR_DEFAULTED = new Set(['extensions/v1beta1 DaemonSet', 'extensions/v1beta1 Deployment', 'extensions/v1beta1 ReplicaSet', 'apps/v1beta1 Deployment', 'apps/v1beta1 StatefulSet']);

/** A workload of SELECTOR_DEFAULTED as its API server defaulted it: a selector matching its template's labels, which it controls its pods by. */
function selectorDefaulted(o: Record<string, unknown>): Record<string, unknown> {
  if (!SELECTOR_DEFAULTED.has(`${o.apiVersion as string} ${o.kind as string}`) || !isObject(o.spec)) return o;
  const labels = isObject(o.spec.template) && isObject(o.spec.template.metadata) ? o.spec.template.metadata.labels : undefined;
  // Labels that are not all strings the API server refuses (map[string]string): nothing to default from.
  if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) return o;
  const out = { ...o };
  if (o.spec.selector === undefined || o.spec.selector === null) out.spec = { ...o.spec, selector: { matchLabels: labels } };
  if (isObject(o.metadata) && (!isObject(o.metadata.labels) || Object.keys(o.metadata.labels).length === 0)) out.metadata = { ...o.metadata, labels };
  return out;
}

/**
 * A MutatingWebhookConfiguration of admissionregistration.k8s.io/v1beta1 as the API server stores
 * it: a webhook without a failurePolicy got v1beta1's default, Ignore (k8s.io/api v0.21.0
 * admissionregistration/v1beta1/types.go MutatingWebhook.FailurePolicy "Defaults to Ignore"),
 * which it keeps when served at v1, whose own default is Fail. Read as v1 without it, an unset
 * policy would read as Fail.
 */
function webhooksV1(o: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(o.webhooks)) return o;
  return { ...o, webhooks: o.webhooks.map((w: unknown) => (isObject(w) && (w.failurePolicy === undefined || w.failurePolicy === null) ? { ...w, failurePolicy: 'Ignore' } : w)) };
}

/** The apiVersion ztaudit reads a kind at first: what the API server serves an older version's objects as. */
const presentApiVersion = (spec: KindSpec) => apiVersionsOf(spec)[0];

/** An object of one of a kind's olderApiVersions, as the API server would serve it at the present version. */
function atPresentVersion(spec: KindSpec, o: Record<string, unknown>): Record<string, unknown> {
  if (!olderApiVersionOf(spec, o.apiVersion as string)) return o;
  const converted = spec.key === 'ingresses' ? ingressV1(o)
    : (spec.key === 'rolebindings' || spec.key === 'clusterrolebindings') && o.apiVersion === `${RBAC_GROUP}/v1alpha1` ? rbacBindingV1(o)
      : spec.key === 'mutatingwebhookconfigurations' ? webhooksV1(o)
        : selectorDefaulted(o);
  return { ...converted, apiVersion: presentApiVersion(spec) };
}

/**
 * A ConfigMap as `kubectl apply -f` leaves it: a `data` or `binaryData` value written `key: null`
 * (or `key:` with nothing after it) is no key at all. The API server would store it as "" (Go's
 * JSON decoder leaves the string at its zero value), as `kubectl create` leaves it, but `kubectl
 * apply` creates the object without it, and its patch's null deletes the key on update (kubectl
 * and kube-apiserver v1.36.3: test/cluster/manifest-configmap-null.test.ts). ingress-nginx reads
 * "" as false and a key left out as its default, so the two differ.
 */
function nullValuesDropped(o: Record<string, unknown>): Record<string, unknown> {
  let out = o;
  for (const key of ['data', 'binaryData']) {
    const map = o[key];
    if (!isObject(map) || !Object.values(map).includes(null)) continue;
    const filled: Record<string, unknown> = {};
    for (const k of Object.keys(map)) if (map[k] !== null) setMember(filled, k, map[k]);
    out = { ...out, [key]: filled };
  }
  return out;
}

/** `namespace/name` of an object, or its name, as far as it has one, on one line. */
function nameOf(o: Record<string, unknown>): string {
  const m = isObject(o.metadata) ? o.metadata : {};
  const name = typeof m.name === 'string' ? m.name : '(no name)';
  return oneLine(typeof m.namespace === 'string' && m.namespace ? `${m.namespace}/${name}` : name);
}

/**
 * Parses one file's text; `label` is how the file is named in notes. `clusterMinor`: the minor
 * version of the cluster the manifests are for (--cluster-version), when given: an object at an
 * older apiVersion that release no longer serves is skipped, as `kubectl apply` to it would fail.
 */
export function parseManifestText(text: string, label: string, clusterMinor?: number): ParsedManifests {
  const objects: KubeObject[] = [];
  const notes: string[] = [];
  const sources: Record<string, SourceRef> = {};
  const broken: BrokenDocument[] = [];
  const origins: SourceRef[] = [];
  const mayHoldTemplate = text.includes('{{');
  /** The alpha apiVersions this file's notes have named (one note per file and apiVersion). */
  const alphaNoted = new Set<string>();
  // YAML writes no alias without a `*`: a file with none skips looking for them.
  const mayHoldAliases = text.includes('*');
  // Line numbers from one index of line starts (a binary search per document): computing them
  // from the start of the file for every document made a 20,000-document file quadratic.
  const lineCounter = new LineCounter();
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  // Blank and comment lines (and a bare `---` marker) before a document's first content line
  // (sticky: no copies of the text); a line may end CR LF (a file saved on Windows).
  const leading = /(?:[ \t\r\n]*(?:#[^\n]*|---[ \t\r]*(?:#[^\n]*)?)?\n)*/y;
  // The parser's message, with the place it names in the file (not in a JSON value read on its own).
  const messageOf = (error: Error, base: number) => {
    const message = yamlMessage(error);
    const pos = (error as { pos?: [number, number] }).pos;
    if (base === 0 || !pos) return message;
    const { line, col } = lineCounter.linePos(base + pos[0]);
    return message.replace(/ at line \d+, column \d+$/, ` at line ${line}, column ${col}`);
  };

  /** One document (or JSON value) of the file: `base` is where its text starts, `end` where the next begins. */
  const read = (doc: Document.Parsed, base: number, end: number, jsonValue?: number) => {
    const start = base + (doc.range?.[0] ?? 0);
    // The document's first content line: where a reader finds it (the parser's own position
    // of the problem, which may be further down, is in its message).
    leading.lastIndex = start;
    leading.exec(text);
    const line = lineOf(leading.lastIndex);
    // Up to the next document: the parser ends a broken one's range at its first error, which
    // left out the `kind:` line of a Helm template opening with `{{- if … }}`.
    const source = () => text.slice(start, end);
    // A JSON value of a stream is named by its number too: several may share a line.
    const where = jsonValue === undefined ? `${label}:${line}` : `${label}:${line}: JSON object ${jsonValue}`;
    if (doc.errors.length > 0) {
      const why = `broken ${jsonValue === undefined ? 'YAML document' : 'JSON object'}: ${messageOf(doc.errors[0], base)}${helmHint(source())}`;
      notes.push(`${where}: skipped a ${why}`);
      pushBroken(broken, where, why, kindsOfBroken(source(), bestReadingOf(doc)));
      return;
    }
    let value: unknown;
    try {
      // Aliases expanded as kubectl's YAML reader expands them, and refused where it refuses them.
      value = toKubeJS(doc, mayHoldAliases);
    } catch (error: unknown) {
      const why = `document that cannot be loaded: ${error instanceof Error ? yamlMessage(error) : String(error)}`;
      notes.push(`${where}: skipped a ${why}`);
      pushBroken(broken, where, why, kindsOfBroken(source()));
      return;
    }
    if (value === null || value === undefined) return;
    // `name: {{ .Values.x }}` outside metadata parses too, as a mapping whose key is a mapping:
    // read as data, a subject's name or a flag would be `[object Object]`. Looked for only in a
    // file with `{{` in it, so other files pay nothing for it.
    // (In metadata, the key that is not a string is named instead, below.)
    // A bare list of objects is looked into too: its items are read like a List's below.
    if (mayHoldTemplate && (Array.isArray(value) || !metadataProblem(value))) {
      const key = collectionKeyOf(doc);
      if (key !== undefined) {
        const why = `document with a mapping used as a key at line ${lineOf(base + key)}${helmHint(source())}`;
        notes.push(`${where}: skipped a ${why}`);
        // Every kind the document holds is not read (a list's items name theirs).
        pushBroken(broken, where, why, kindsOfBroken(source(), value));
        return;
      }
    }
    /** `item`: one of a list's items (not a document of its own). */
    const push = (raw: unknown, at: string, item: boolean) => {
      if (!isObject(raw) || typeof raw.apiVersion !== 'string' || typeof raw.kind !== 'string') {
        notes.push(`${at}: skipped ${item ? 'an item' : 'a document'} that is not a Kubernetes object (needs apiVersion, kind, metadata)`);
        return;
      }
      const spec = kindForManifest(raw.apiVersion, raw.kind);
      if (!spec) {
        // An audited kind at a version no API server serves it at (networking.k8s.io/v2): read as
        // the served one, its rules would be judged as applied. Its kind counts as not read.
        const other = kindOfGroup(raw.apiVersion, raw.kind);
        if (other) {
          const kind = oneLine(raw.kind);
          const apiVersion = oneLine(raw.apiVersion);
          const why = `${kind} ${nameOf(raw)} of apiVersion ${apiVersion}, which ztaudit does not read (it reads ${apiVersionsOf(other).join(', ')}): kubectl apply would fail: no matches for kind "${kind}" in version "${apiVersion}"`;
          notes.push(`${at}: skipped ${why}`);
          broken.push({ where: at, why, kind: other.key as KindKey });
          return;
        }
      }
      // A version the cluster's release does not serve: one it no longer serves
      // (networking.k8s.io/v1beta1 Ingress on v1.22 and later) or not yet (networking.k8s.io/v1
      // Ingress before v1.19). Read, its rules would be judged as applied.
      if (spec && clusterMinor !== undefined && !servedAt(spec, raw.apiVersion, clusterMinor)) {
        const kind = oneLine(raw.kind);
        const apiVersion = oneLine(raw.apiVersion);
        const removedIn = olderApiVersionOf(spec, raw.apiVersion)?.removedIn;
        const served = apiVersionsOf(spec).filter((v) => servedAt(spec, v, clusterMinor) && !isAlphaApiVersion(spec, v));
        const instead = served.length > 0 ? `use ${served.join(' or ')}` : `it serves no ${kind} apiVersion ztaudit reads`;
        const when = removedIn !== undefined && removedIn <= clusterMinor ? `removed in v1.${removedIn}` : `served from v1.${servedFrom(spec, raw.apiVersion)}`;
        const why = `${kind} ${nameOf(raw)} of apiVersion ${apiVersion}, not served by Kubernetes v1.${clusterMinor} (the cluster version given; ${when}, ${instead}): kubectl apply would fail: no matches for kind "${kind}" in version "${apiVersion}"`;
        notes.push(`${at}: skipped ${why}`);
        broken.push({ where: at, why, kind: spec.key as KindKey });
        return;
      }
      // An alpha version (rbac.authorization.k8s.io/v1alpha1, batch/v2alpha1) the release has: its
      // API server serves it only when its --runtime-config turns it on, which manifests do not
      // tell. Read as if on (an admin who turned it on gets its findings), and said once per file
      // and apiVersion: off, kubectl apply fails and those findings do not apply.
      if (spec && clusterMinor !== undefined && isAlphaApiVersion(spec, raw.apiVersion) && !alphaNoted.has(raw.apiVersion)) {
        alphaNoted.add(raw.apiVersion);
        const apiVersion = oneLine(raw.apiVersion);
        notes.push(`${at}: read ${oneLine(raw.kind)} ${nameOf(raw)} of apiVersion ${apiVersion}, an alpha version Kubernetes v1.${clusterMinor} serves only when the API server turns it on (--runtime-config=${apiVersion}=true; off by default, kubectl apply would fail): its findings, and those of this file's other objects of ${apiVersion}, apply only if it is on`);
      }
      const kind = spec?.key as KindKey | undefined;
      const o = spec ? atPresentVersion(spec, kind === 'configmaps' ? nullValuesDropped(raw) : raw) : raw;
      // A kind ztaudit audits without a name cannot be told apart or bound to: it counts as
      // not read, as a broken document does, rather than dropped while its checks pass.
      const problem = metadataProblem(o) ?? (kind && !(isObject(o.metadata) && o.metadata.name) ? (isObject(o.metadata) ? 'metadata has no name' : 'metadata is missing') : null) ?? (kind ? specProblem(kind, o) : null)
        ?? (kind === 'ingresses' ? ingressPortProblem(raw) : null);
      if (problem) {
        // Its kind counts as not read: the checks that need it are not evaluated on a guess.
        const why = `${o.kind} whose ${problem}${helmHint(source())}`;
        notes.push(`${at}: skipped a ${why}`);
        broken.push({ where: at, why, kind });
        return;
      }
      if (!isObject(o.metadata)) {
        notes.push(`${at}: skipped ${item ? 'an item' : 'a document'} that is not a Kubernetes object (needs apiVersion, kind, metadata)`);
        return;
      }
      const obj = o as KubeObject;
      // The API server ignores metadata.namespace on a cluster-scoped object (Helm charts that
      // template `namespace:` onto everything emit it): dropped, so the object is found as itself.
      if (spec && !spec.namespaced && obj.metadata && 'namespace' in obj.metadata) delete obj.metadata.namespace;
      objects.push(obj);
      const ref = { file: label, line };
      origins.push(ref);
      sources[`${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`] = ref;
    };
    if (isList(value)) {
      // Its items share the List's line: each is named by its place in it as well
      // (`items[1].items[0]` in a List within a List).
      for (const { item, path, tooDeep } of flattenList(value, '')) {
        const at = `${where}: ${path}`;
        if (tooDeep) {
          // What it holds cannot be told: no kind counts as read.
          const why = `List nested more than ${MAX_LIST_DEPTH} deep, which ztaudit does not read`;
          notes.push(`${at}: skipped a ${why}`);
          broken.push({ where: at, why });
          continue;
        }
        push(item, at, true);
      }
    } else if (Array.isArray(value) && value.some((v) => isObject(v) && typeof v.apiVersion === 'string' && typeof v.kind === 'string')) {
      // A bare array of objects (`jq '.items'`): kubectl refuses it, but what it holds is read
      // as a List's items would be, so that none of it is silently left out.
      value.forEach((item: unknown, i: number) => push(item, `${where}: [${i}]`, true));
    } else {
      push(value, where, false);
    }
  };

  const stream = text.charCodeAt(text.search(/\S/)) === 123 ? jsonStream(text) : undefined;
  if (!stream) {
    // YAML 1.1, as kubectl reads it (`privileged: no` is false, 0644 is octal), and so merge
    // keys (`<<: *base`) are merged: read as a plain `<<` key, `securityContext: {<<: *privileged}`
    // hid what kubectl would apply.
    const docs = parseAllDocuments(text, { lineCounter, ...KUBE_YAML, ...YAML_QUIET });
    for (const [i, doc] of docs.entries()) read(doc, 0, docs[i + 1]?.range?.[0] ?? text.length);
    return { objects, notes, sources, broken, origins };
  }
  // Concatenated JSON objects: each parsed on its own (one pass over the text to find them, one
  // parse of each), its lines counted in the file.
  lineCounter.addNewLine(0);
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) lineCounter.addNewLine(nl + 1);
  stream.segments.forEach(([from, to], s) => {
    const docs = parseAllDocuments(text.slice(from, to), { ...KUBE_YAML, ...YAML_QUIET });
    const json = text.charCodeAt(from) === 123 ? s + 1 : undefined;
    for (const [i, doc] of docs.entries()) read(doc, from, from + (docs[i + 1]?.range?.[0] ?? to - from), json);
  });
  if (stream.unread) {
    // Not read, as kubectl does not read it: each document of it named, its kinds not read.
    const [from, to] = stream.unread;
    const docs = parseAllDocuments(text.slice(from, to), { ...KUBE_YAML, ...YAML_QUIET });
    for (const [i, doc] of docs.entries()) {
      if (doc.errors.length === 0 && doc.contents === null) continue; // comments alone: nothing lost
      const start = from + (doc.range?.[0] ?? 0);
      leading.lastIndex = start;
      leading.exec(text);
      const where = `${label}:${lineOf(leading.lastIndex)}`;
      const why = `document after JSON object ${stream.segments.length}, which kubectl does not read: after two JSON objects a file may hold only JSON objects (kubectl would fail: error parsing the file); put it in a file of its own`;
      notes.push(`${where}: skipped a ${why}`);
      pushBroken(broken, where, why, kindsOfBroken(text.slice(start, from + (docs[i + 1]?.range?.[0] ?? to - from)), bestReadingOf(doc)));
    }
  }
  return { objects, notes, sources, broken, origins };
}

export interface ManifestLimits {
  /** Largest single file, in MiB. */
  manifestFileMiB: number;
}

const MIB = 1024 * 1024;
export function loadManifestObjects(dirs: string[], cwd = process.cwd(), limits?: ManifestLimits, clusterMinor?: number): ParsedManifests {
  const all: ParsedManifests = { objects: [], notes: [], sources: {}, broken: [], origins: [] };
  // Real paths of the files read: a file reached again (the same directory given twice, one
  // inside another, a symlink to a file already read) is read once, not flagged as each of its
  // objects defined twice.
  const read = new Set<string>();
  for (const dir of dirs) {
    let files: Listed[];
    try {
      files = statSync(dir).isDirectory() ? listFiles(dir) : [{ path: dir }];
    } catch (error: unknown) {
      throw new InputError(`--manifests ${oneLine(dir)}: ${codeOf(error) === 'ENOENT' ? 'no such file or directory' : `cannot be read (${codeOf(error)})`}`);
    }
    for (const { path: file, unreadable } of files) {
      const label = relative(cwd, file) || file;
      const skip = (why: string) => {
        all.notes.push(`${label}: skipped a ${why}`);
        all.broken.push({ where: label, why, unread: true });
      };
      if (unreadable) {
        skip(unreadable);
        continue;
      }
      const real = realpathOr(file);
      if (read.has(real)) continue;
      read.add(real);
      const stat = statSync(file);
      const maxMiB = limits?.manifestFileMiB ?? DEFAULT_MANIFEST_FILE_MIB;
      const tooLarge = (size: string) => new InputError(`--manifests: ${oneLine(label)} is ${size}above the ${maxMiB} MiB limit for one file (limits.manifestFileMiB); split it or raise the limit`);
      if (limits && stat.size > maxMiB * MIB) throw tooLarge(`${(stat.size / MIB).toFixed(1)} MiB, `);
      let bytes: Buffer;
      try {
        // A device or a pipe (/dev/zero, <(…)) tells no size: read up to the limit, and no further.
        bytes = stat.isFile() ? readFileSync(file) : readAtMost(file, maxMiB * MIB);
      } catch (error: unknown) {
        if (error instanceof AboveLimitError) throw tooLarge('');
        skip(error instanceof NoWriterError ? `pipe: ${error.message}` : `file that cannot be read (${codeOf(error)})`);
        continue;
      }
      const { text, notUtf8Line } = decodeText(bytes);
      // Its objects are kept; a name with a byte that is not UTF-8 shows U+FFFD in its place.
      if (notUtf8Line !== undefined) all.notes.push(`${label}:${notUtf8Line}: not UTF-8 text (bytes that are not UTF-8 were read as U+FFFD); save the file as UTF-8`);
      const parsed = parseManifestText(text, label, clusterMinor);
      for (const o of parsed.objects) all.objects.push(o);
      for (const o of parsed.origins) all.origins.push(o);
      all.notes.push(...parsed.notes);
      all.broken.push(...parsed.broken);
      Object.assign(all.sources, parsed.sources);
    }
  }
  return keepLastCopies(all);
}

const at = (ref: SourceRef) => (ref.line === undefined ? ref.file : `${ref.file}:${ref.line}`);

/** Why an update is refused: the field it changes; `unless` when whether it is refused depends on what the manifests do not hold. */
interface Refusal {
  field: string;
  unless?: string;
}

/**
 * Whether two values are one to the API server, as apiequality.Semantic.DeepEqual compares what
 * it decoded (k8s.io/apimachinery third_party/forked/golang/reflect/deep_equal.go: "An empty
 * slice *is* equal to a nil slice for our purposes; same for maps"): null is absent, and an empty
 * list is no list. An empty mapping is not told from an empty struct (`securityContext: {}`, which
 * is not none), so it counts as written: a map the caller knows is one is emptied first. Defaults are
 * not told here: the rules that compare specs bring both copies to their defaults first
 * (fillDefaults, defaultedClaimTemplate) and refuse only what `difference` is sure of.
 */
function alike(a: unknown, b: unknown): boolean {
  if (a === b || (a == null && b == null)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = Array.isArray(a) ? a : a == null ? [] : undefined;
    const y = Array.isArray(b) ? b : b == null ? [] : undefined;
    return x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => alike(v, y[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  for (const k of Object.keys(a)) if (!alike(a[k], b[k])) return false;
  for (const k of Object.keys(b)) if (!Object.hasOwn(a, k) && !alike(undefined, b[k])) return false;
  return true;
}

const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const mapOf = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});

/** `o` with `key` set to `value`, or without it when `value` is undefined (a copy). */
function withKey(o: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...o };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
}

/** Where two mappings first differ (`spec.containers`), down through the mappings both hold, for the warning. */
function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>, at: string): string {
  const key = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().find((k) => !alike(a[k], b[k]));
  if (key === undefined) return at;
  const [x, y] = [a[key], b[key]];
  const path = `${at}.${oneLine(key)}`;
  return isObject(x) && isObject(y) ? firstDifference(x, y, path) : path;
}

/** Whether a value is Go's zero value or none: a non-pointer field written so equals one left out. */
const zeroOrNone = (v: unknown) => v == null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

/** Where two values first differ; `written` when both copies write it (no default fills in a written value), else one copy only (perhaps a default ztaudit does not model). */
interface Difference {
  field: string;
  written: boolean;
}

/**
 * Where `a` and `b` differ, a difference both copies write preferred (it is surely a change); one
 * written in one copy only counts as written only for `sure` keys (fields with no default) holding
 * a value that is not Go's zero value. Quantities (requests, limits) are compared by value by the
 * API server (apiequality.Semantic: resource.Quantity Cmp), so a written difference there is not sure.
 */
function difference(a: unknown, b: unknown, at: string, sure: ReadonlySet<string>, key = ''): Difference | undefined {
  if (alike(a, b)) return undefined;
  const none = (v: unknown) => v == null || (Array.isArray(v) && v.length === 0);
  if (none(a) || none(b)) return { field: at, written: sure.has(key) && !zeroOrNone(none(a) ? b : a) };
  let first: Difference | undefined;
  const pick = (d: Difference | undefined) => {
    if (d && (first === undefined || (d.written && !first.written))) first = d;
  };
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { field: at, written: true };
    a.forEach((v, i) => pick(difference(v, b[i], `${at}[${i}]`, sure, key)));
  } else if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) pick(difference(a[k], b[k], `${at}.${oneLine(k)}`, sure, k));
  } else return { field: at, written: !/\.(requests|limits)\.[^.]+$/.test(at) };
  return first;
}

/**
 * What the API server fills in where an object leaves a field out (kubernetes v1.36.3
 * pkg/apis/core/v1/defaults.go, pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go and
 * the zz_generated.defaults.go beside each, which calls them and holds the `+default` ones), for the
 * fields the immutable-update rules compare. A field is left out when it is absent or null, or,
 * unless it is a `pointer` in Go, Go's zero value ("", 0, {}): the defaulting functions test
 * `== ""`, `== 0` or `== nil`. `value` is the default, `from` decides it from the object holding the
 * field; `fields` and `items` are the defaults of an object, or of each item of a list, it holds.
 */
type FieldDefault =
  | { readonly value: unknown; readonly pointer?: true }
  | { readonly from: (holder: Record<string, unknown>) => unknown }
  | { readonly fields: Defaults }
  | { readonly items: Defaults };
interface Defaults {
  readonly [field: string]: FieldDefault;
}

/** The tag of an image reference, "latest" for none (and no digest), as pkg/util/parsers ParseImageName reads it. */
function imageTag(image: unknown): string {
  const ref = typeof image === 'string' ? image : '';
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const [name, digest] = last.split('@');
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : digest === undefined ? 'latest' : '';
}

/** SetDefaults_HTTPGetAction, for probes and lifecycle hooks. */
const HTTP_GET: Defaults = { path: { value: '/' }, scheme: { value: 'HTTP' } };
/** SetDefaults_ObjectFieldSelector: a downward API field reference reads the object at v1. */
const FIELD_REF: Defaults = { fieldRef: { fields: { apiVersion: { value: 'v1' } } } };
/** SetDefaults_Probe; a gRPC probe's service is "" (GRPCAction.Service `+default=""`, zz_generated.defaults.go). */
const PROBE: Defaults = {
  timeoutSeconds: { value: 1 },
  periodSeconds: { value: 10 },
  successThreshold: { value: 1 },
  failureThreshold: { value: 3 },
  httpGet: { fields: HTTP_GET },
  grpc: { fields: { service: { value: '', pointer: true } } },
};
const HOOK: Defaults = { httpGet: { fields: HTTP_GET } };
/**
 * SetDefaults_Container (imagePullPolicy Always for a `:latest` or untagged image, else
 * IfNotPresent; the termination message's path and policy), a port's protocol TCP
 * (ContainerPort.Protocol `+default="TCP"`), env fieldRef, probes and lifecycle hooks as above;
 * resources is a struct, so `{}` is none.
 */
const CONTAINER: Defaults = {
  imagePullPolicy: { from: (c) => (imageTag(c.image) === 'latest' ? 'Always' : 'IfNotPresent') },
  terminationMessagePath: { value: '/dev/termination-log' },
  terminationMessagePolicy: { value: 'File' },
  resources: { value: {} },
  ports: { items: { protocol: { value: 'TCP' } } },
  env: { items: { valueFrom: { fields: FIELD_REF } } },
  livenessProbe: { fields: PROBE },
  readinessProbe: { fields: PROBE },
  startupProbe: { fields: PROBE },
  lifecycle: { fields: { postStart: { fields: HOOK }, preStop: { fields: HOOK } } },
};
/** SetDefaults_SecretVolumeSource, _ConfigMapVolumeSource, _DownwardAPIVolumeSource, _ProjectedVolumeSource: 0644. */
const MODE = { defaultMode: { value: 0o644, pointer: true } } as const;
/**
 * A volume's sources: their defaultMode; a projected service account token expires in an hour
 * (SetDefaults_ServiceAccountTokenProjection); a hostPath's type is "" (SetDefaults_HostPathVolumeSource);
 * an ephemeral volume's claim template is a Filesystem (SetDefaults_PersistentVolumeClaimSpec).
 */
const VOLUME: Defaults = {
  secret: { fields: MODE },
  configMap: { fields: MODE },
  downwardAPI: { fields: { ...MODE, items: { items: FIELD_REF } } },
  projected: {
    fields: {
      ...MODE,
      sources: { items: { downwardAPI: { fields: { items: { items: FIELD_REF } } }, serviceAccountToken: { fields: { expirationSeconds: { value: 3600, pointer: true } } } } },
    },
  },
  hostPath: { fields: { type: { value: '', pointer: true } } },
  ephemeral: { fields: { volumeClaimTemplate: { fields: { spec: { fields: { volumeMode: { value: 'Filesystem', pointer: true } } } } } } },
};
/** A pod template's spec (SetDefaults_PodSpec), as a Job's or a workload's template holds it. */
const POD_TEMPLATE_SPEC: Defaults = {
  dnsPolicy: { value: 'ClusterFirst' },
  restartPolicy: { value: 'Always' },
  securityContext: { value: {}, pointer: true },
  terminationGracePeriodSeconds: { value: 30, pointer: true },
  schedulerName: { value: 'default-scheduler' },
  containers: { items: CONTAINER },
  initContainers: { items: CONTAINER },
  volumes: { items: VOLUME },
};
/** A Pod's spec: a template's, and enableServiceLinks true, which SetDefaults_Pod gives a Pod only. */
const POD_SPEC: Defaults = { ...POD_TEMPLATE_SPEC, enableServiceLinks: { value: true, pointer: true } };

/** Whether a field is left out, so that the API server gives it its default (FieldDefault). */
const leftOut = (v: unknown, pointer: boolean | undefined) => v == null || (!pointer && zeroOrNone(v));

/**
 * Two copies of an object as the API server compares them after `kubectl apply` sends the later
 * one: a field both leave out alike keeps what the server holds (the first's default, even where
 * the default depends on what the later copy changes); one left out of one copy only, or of both
 * in different ways (absent, null, ""), is its default in that copy (the patch sets or removes it,
 * and defaulting fills it in again). Lists are paired item by item when they are as long.
 */
function fillDefaults(a: Record<string, unknown>, b: Record<string, unknown>, defaults: Defaults): [Record<string, unknown>, Record<string, unknown>] {
  let [x, y] = [a, b];
  for (const [key, d] of Object.entries(defaults)) {
    const [p, q] = [x[key], y[key]];
    if ('fields' in d) {
      if (!isObject(p) || !isObject(q)) continue;
      const [fp, fq] = fillDefaults(p, q, d.fields);
      [x, y] = [withKey(x, key, fp), withKey(y, key, fq)];
    } else if ('items' in d) {
      if (!Array.isArray(p) || !Array.isArray(q) || p.length !== q.length || p.length === 0) continue;
      const pairs = p.map((v, i) => (isObject(v) && isObject(q[i]) ? fillDefaults(v, q[i], d.items) : [v, q[i]]));
      [x, y] = [withKey(x, key, pairs.map((z) => z[0])), withKey(y, key, pairs.map((z) => z[1]))];
    } else if (!alike(p, q)) {
      const pointer = 'value' in d ? d.pointer : undefined;
      const fill = (o: Record<string, unknown>) => ('value' in d ? d.value : d.from(o));
      if (leftOut(p, pointer)) x = withKey(x, key, fill(x));
      if (leftOut(q, pointer)) y = withKey(y, key, fill(y));
    }
  }
  return [x, y];
}

/**
 * Keys that have no default, in a pod spec or a container: one copy writing a value that is not
 * Go's zero value surely changes it. A container's probes, lifecycle and ports and a pod's volumes
 * are nil unless written (their defaults, above, are of what they hold): one added or dropped is
 * refused, as the cluster tests show against the real kube-apiserver.
 */
const POD_SURE = new Set(['securityContext', 'privileged', 'allowPrivilegeEscalation', 'runAsNonRoot', 'runAsUser', 'runAsGroup', 'readOnlyRootFilesystem', 'capabilities', 'add', 'drop', 'seccompProfile', 'appArmorProfile', 'seLinuxOptions', 'procMount', 'hostNetwork', 'hostPID', 'hostIPC', 'hostUsers', 'shareProcessNamespace', 'command', 'args', 'env', 'envFrom', 'volumeMounts', 'workingDir', 'nodeSelector', 'affinity', 'priorityClassName', 'runtimeClassName', 'hostAliases', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'ports', 'volumes']);

/** A pod template's: a Pod's, and enableServiceLinks, which has no default there (SetDefaults_Pod gives a Pod its own). */
const TEMPLATE_SURE = new Set([...POD_SURE, 'enableServiceLinks']);

const NOT_MODELLED = 'the only difference there is a default the API server fills in (ztaudit does not know every default: the copy that leaves it out may equal the one that writes it)';

/** A Refusal for what differs between two specs brought to their defaults (fillDefaults); undefined when nothing does. */
function refusalOf(d: Difference | undefined, why: string): Refusal | undefined {
  if (d === undefined) return undefined;
  return d.written ? { field: `${d.field} (${why})` } : { field: `${d.field} (${why})`, unless: NOT_MODELLED };
}

const POD_UPDATABLE = "an update of a Pod's spec may change only its images, lower activeDeadlineSeconds, add tolerations and remove schedulingGates";

/**
 * What of a Pod's spec `next` changes from `cur` that ValidatePodUpdate refuses (kubernetes
 * v1.36.3 pkg/apis/core/validation/validation.go: "pod updates may not change fields other than"
 * updatablePodSpecFields; "pod updates may not add or remove containers"); undefined when the
 * update is accepted. Each updatable field is set back to `cur`'s, and what else differs is refused.
 */
function podSpecRefusal(curSpec: unknown, nextSpec: unknown, at: string): Refusal | undefined {
  // Defaults first, each copy's from its own images (the image is set back below).
  const [cur, defaulted] = fillDefaults(mapOf(curSpec), mapOf(nextSpec), POD_SPEC);
  let next = defaulted;
  if (alike(cur, next)) return undefined;
  for (const key of ['containers', 'initContainers']) {
    const was = listOf(cur[key]);
    const now = listOf(next[key]);
    if (was.length !== now.length) return { field: `${at}.${key} (a container added or removed: ${POD_UPDATABLE})` };
    next = withKey(next, key, now.length === 0 ? next[key] : now.map((c, i) => (isObject(c) ? withKey(c, 'image', mapOf(was[i]).image) : c)));
  }
  // activeDeadlineSeconds: set where there was none, or lowered; never raised nor removed.
  const deadline = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const [wasDeadline, nowDeadline] = [deadline(cur.activeDeadlineSeconds), deadline(next.activeDeadlineSeconds)];
  if (wasDeadline !== undefined && (nowDeadline === undefined || nowDeadline > wasDeadline)) return { field: `${at}.activeDeadlineSeconds (${nowDeadline === undefined ? 'removed' : 'raised'}: ${POD_UPDATABLE})` };
  next = withKey(next, 'activeDeadlineSeconds', cur.activeDeadlineSeconds);
  // tolerations: each one there stays (its tolerationSeconds may change) — validateOnlyAddedTolerations.
  const tolerations = listOf(next.tolerations);
  const kept = (t: unknown) => tolerations.some((n) => alike(withKey(mapOf(t), 'tolerationSeconds', undefined), withKey(mapOf(n), 'tolerationSeconds', undefined)));
  if (!listOf(cur.tolerations).every(kept)) return { field: `${at}.tolerations (one changed or removed: ${POD_UPDATABLE})` };
  next = withKey(next, 'tolerations', cur.tolerations);
  // schedulingGates: only removed — validateOnlyDeletedSchedulingGates.
  const gates = listOf(cur.schedulingGates);
  if (!listOf(next.schedulingGates).every((g) => gates.some((o) => alike(o, g)))) return { field: `${at}.schedulingGates (one added: ${POD_UPDATABLE})` };
  next = withKey(next, 'schedulingGates', cur.schedulingGates);
  const grace = next.terminationGracePeriodSeconds;
  if (typeof cur.terminationGracePeriodSeconds === 'number' && cur.terminationGracePeriodSeconds < 0 && grace === 1) next = withKey(next, 'terminationGracePeriodSeconds', cur.terminationGracePeriodSeconds);
  let unless: Refusal | undefined;
  if (gates.length > 0) {
    // A gated Pod's nodeSelector may gain keys, and its node affinity change within rules
    // (validateNodeAffinityMutation) ztaudit does not judge: they change no verdict, but a
    // refusal of them would keep the earlier copy.
    const selector = mapOf(cur.nodeSelector);
    const nowSelector = mapOf(next.nodeSelector);
    if (!Object.keys(selector).every((k) => alike(selector[k], nowSelector[k]))) return { field: `${at}.nodeSelector (a key removed or changed: a gated Pod's may only gain keys)` };
    next = withKey(next, 'nodeSelector', cur.nodeSelector);
    const affinity = mapOf(next.affinity);
    if (!alike(mapOf(cur.affinity).nodeAffinity, affinity.nodeAffinity)) {
      unless = { field: `${at}.affinity.nodeAffinity`, unless: "it keeps within the rules for a gated Pod's node affinity (validateNodeAffinityMutation), which ztaudit does not judge" };
      const rest = withKey(affinity, 'nodeAffinity', mapOf(cur.affinity).nodeAffinity);
      next = withKey(next, 'affinity', Object.keys(rest).length === 0 ? undefined : rest);
    }
  }
  return refusalOf(difference(cur, next, at, POD_SURE), POD_UPDATABLE) ?? unless;
}

/**
 * What of a Job's pod template a suspended Job may change, by the Job's status and the release's
 * feature gates (kubernetes v1.36.3 pkg/apis/batch/validation/validation.go validatePodTemplateUpdate
 * and validatePodResourceUpdatesOnly; pkg/registry/batch/job/strategy.go validationOptionsForJob,
 * shouldAllowMutablePodTemplate): labels, annotations, nodeSelector, node affinity, tolerations,
 * schedulingGates and the containers' resources. Removed here, so what differs besides is told apart.
 */
function withoutSuspendedMutable(template: Record<string, unknown>): Record<string, unknown> {
  const meta = withKey(withKey(mapOf(template.metadata), 'labels', undefined), 'annotations', undefined);
  let spec = mapOf(template.spec);
  for (const key of ['nodeSelector', 'tolerations', 'schedulingGates']) spec = withKey(spec, key, undefined);
  const affinity = withKey(mapOf(spec.affinity), 'nodeAffinity', undefined);
  spec = withKey(spec, 'affinity', Object.keys(affinity).length === 0 ? undefined : affinity);
  for (const key of ['containers', 'initContainers']) if (Array.isArray(spec[key])) spec = withKey(spec, key, spec[key].map((c: unknown) => (isObject(c) ? withKey(c, 'resources', undefined) : c)));
  return { ...template, metadata: meta, spec };
}

/**
 * What of a Job's spec `next` changes from `cur` that ValidateJobSpecUpdate refuses (kubernetes
 * v1.36.3 pkg/apis/batch/validation/validation.go): its selector, and its pod template, which
 * only a suspended Job may change, and then only in part (withoutSuspendedMutable) and only as
 * its status allows — not in the manifests, so then it cannot be told.
 */
function jobRefusal(curSpec: Record<string, unknown>, nextSpec: Record<string, unknown>): Refusal | undefined {
  // A selector left out is generated on create unless manualSelector is true (false when left out:
  // pkg/apis/batch/v1/defaults.go SetDefaults_Job), matching the Job's uid, which no manifest holds
  // (pkg/registry/batch/job/strategy.go generateSelector); a later copy that leaves it out too, or
  // writes `{}` (a patch merging nothing into it), keeps it. kubectl replace would send none and be
  // refused (spec.selector: Required value); ztaudit reads manifests as kubectl apply sends them.
  const generatedKept = curSpec.selector == null && isObject(nextSpec.selector) && Object.keys(nextSpec.selector).length === 0;
  if (!alike(curSpec.selector, nextSpec.selector) && !generatedKept) return { field: 'spec.selector' };
  // A manual selector turned off must then be the generated one (validateGeneratedSelector in
  // pkg/apis/batch/validation/validation.go: the template labelled with the Job's uid), which a
  // selector written in a manifest never is.
  if (curSpec.manualSelector === true && nextSpec.manualSelector !== true) return { field: 'spec.manualSelector (a selector not generated by the API server needs manualSelector: true)' };
  const [curTemplate, nextTemplate] = [mapOf(curSpec.template), mapOf(nextSpec.template)];
  const [curPod, nextPod] = fillDefaults(mapOf(curTemplate.spec), mapOf(nextTemplate.spec), POD_TEMPLATE_SPEC);
  const [cur, next] = [{ ...curTemplate, spec: curPod }, { ...nextTemplate, spec: nextPod }];
  if (alike(cur, next)) return undefined;
  const fixed = refusalOf(difference(withoutSuspendedMutable(cur), withoutSuspendedMutable(next), 'spec.template', TEMPLATE_SURE), "a Job's pod template is immutable but for what a suspended Job may change");
  if (fixed) return fixed;
  const field = firstDifference(cur, next, 'spec.template');
  if (curSpec.suspend !== true) return { field: `${field} (a Job's pod template may change only while the Job is suspended)` };
  return { field, unless: 'the Job has not started or has no active pods (its status, not in the manifests) and the release lets a suspended Job change it (feature gates MutableSchedulingDirectivesForSuspendedJobs, MutablePodResourcesForSuspendedJobs)' };
}

/**
 * A StatefulSet's claim template as the API server holds it: its kind and apiVersion, which Helm
 * charts often write, not kept; volumeMode Filesystem and status.phase Pending where left out
 * (kubernetes v1.36.3 pkg/apis/core/v1/defaults.go SetDefaults_PersistentVolumeClaimSpec,
 * SetDefaults_PersistentVolumeClaim). The list is replaced whole by an update, so each copy's own.
 */
function defaultedClaimTemplate(t: unknown): unknown {
  if (!isObject(t)) return t;
  const spec = mapOf(t.spec);
  const status = mapOf(t.status);
  return { ...withKey(withKey(t, 'apiVersion', undefined), 'kind', undefined), spec: { ...spec, volumeMode: spec.volumeMode ?? 'Filesystem' }, status: { ...status, phase: status.phase ?? 'Pending' } };
}

/** A claim template's and a StatefulSet's fields with no default (difference). */
const CLAIM_SURE = new Set(['serviceName', 'volumeClaimTemplates', 'accessModes', 'storageClassName', 'selector', 'dataSource', 'dataSourceRef', 'labels', 'annotations']);

const STATEFULSET_UPDATABLE = "an update of a StatefulSet's spec may change only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds";

/**
 * A field of `kind` the API server refuses to change on update, which `later` changes from
 * `current` (what the cluster holds after `current` was applied); undefined when none is.
 * Only fields that change a verdict, each with its upstream source:
 * - a binding's roleRef: "After you create a binding, you cannot change the Role or ClusterRole
 *   that it refers to. If you try to change a binding's roleRef, you get a validation error"
 *   (kubernetes.io/docs/reference/access-authn-authz/rbac/#clusterrolebinding-example);
 * - an immutable ConfigMap's data, binaryData and immutable itself: "it is not possible to revert
 *   this change nor to mutate the contents of the data or the binaryData field"
 *   (kubernetes.io/docs/concepts/configuration/configmap/#configmap-immutable);
 * - an apps/v1 Deployment's spec.selector: "In API version apps/v1, a Deployment's label selector
 *   is immutable after it gets created" (kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates),
 *   and an apps/v1 ReplicaSet's, DaemonSet's and StatefulSet's (kubernetes v1.36.3
 *   pkg/apis/apps/validation/validation.go: ValidateReplicaSetUpdate and ValidateDaemonSetSpecUpdate
 *   call ValidateImmutableField on it; ValidateStatefulSetUpdate forbids it, and any change to a
 *   StatefulSet's serviceName, podManagementPolicy or volumeClaimTemplates: "updates to statefulset
 *   spec for fields other than 'replicas', 'ordinals', 'template', … are forbidden");
 * - a Pod's spec but for a few fields (podSpecRefusal) and a Job's selector and pod template (jobRefusal);
 * - a Service's primary cluster IP, "may not change once set" unless it is or becomes an
 *   ExternalName (validation.go validateUpgradeDowngradeClusterIPs): a headless Service
 *   (clusterIP: None) stays headless, and which address is whose is read by the network checks.
 *   One left out is kept by the API server (its strategy copies the allocated one), so only two
 *   written out are compared (and the later copy is audited with it: withAllocatedIPs).
 * The whole update is refused, so nothing else of `later` reaches the cluster either.
 */
function immutableChange(kind: KindKey, current: KubeObject, later: KubeObject): Refusal | undefined {
  const c = current as Record<string, unknown>;
  const l = later as Record<string, unknown>;
  const [cs, ls] = [mapOf(c.spec), mapOf(l.spec)];
  switch (kind) {
    case 'rolebindings':
    case 'clusterrolebindings':
      return alike(c.roleRef, l.roleRef) ? undefined : { field: 'roleRef' };
    case 'configmaps': {
      if (c.immutable !== true) return undefined;
      if (l.immutable !== true) return { field: 'immutable (the copy applied first is immutable: true, which cannot be turned off)' };
      // Maps: an empty one is none (alike leaves `{}` apart from absent, as a struct's is).
      const map = (v: unknown) => (isObject(v) && Object.keys(v).length > 0 ? v : undefined);
      if (!alike(map(c.data), map(l.data))) return { field: 'data (the copy applied first is immutable: true)' };
      return alike(map(c.binaryData), map(l.binaryData)) ? undefined : { field: 'binaryData (the copy applied first is immutable: true)' };
    }
    case 'deployments':
    case 'replicasets':
    case 'daemonsets':
    case 'statefulsets': {
      if (current.apiVersion !== 'apps/v1' || later.apiVersion !== 'apps/v1') return undefined;
      if (!alike(cs.selector, ls.selector)) return { field: 'spec.selector' };
      if (kind !== 'statefulsets') return undefined;
      // The rest of a StatefulSet's spec but for what an update may change, podManagementPolicy
      // left out being OrderedReady (pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet).
      const fixed = (spec: Record<string, unknown>) => ({ serviceName: spec.serviceName || undefined, podManagementPolicy: spec.podManagementPolicy || 'OrderedReady', volumeClaimTemplates: listOf(spec.volumeClaimTemplates).map(defaultedClaimTemplate) });
      return refusalOf(difference(fixed(cs), fixed(ls), 'spec', CLAIM_SURE), STATEFULSET_UPDATABLE);
    }
    case 'pods':
      return podSpecRefusal(cs, ls, 'spec');
    case 'jobs':
      return jobRefusal(cs, ls);
    case 'services': {
      if (cs.type === 'ExternalName' || ls.type === 'ExternalName') return undefined;
      const primary = (s: Record<string, unknown>) => {
        const ip = listOf(s.clusterIPs)[0] ?? s.clusterIP;
        return typeof ip === 'string' && ip !== '' ? ip : undefined;
      };
      const [was, now] = [primary(cs), primary(ls)];
      return was !== undefined && now !== undefined && was !== now ? { field: 'spec.clusterIP' } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * A later copy of a Service that leaves out its cluster IP, with the one the cluster already holds
 * (`current`'s, `None` for a headless Service): the API server keeps it when neither is an
 * ExternalName (kubernetes v1.36.3 pkg/registry/core/service/storage/storage.go patchAllocatedValues).
 */
function withAllocatedIPs(current: KubeObject, later: KubeObject): KubeObject {
  const [cs, ls] = [mapOf((current as Record<string, unknown>).spec), mapOf((later as Record<string, unknown>).spec)];
  if (cs.type === 'ExternalName' || ls.type === 'ExternalName') return later;
  let spec = ls;
  if ((ls.clusterIP == null || ls.clusterIP === '') && typeof cs.clusterIP === 'string' && cs.clusterIP !== '') spec = withKey(spec, 'clusterIP', cs.clusterIP);
  if (listOf(ls.clusterIPs).length === 0 && listOf(cs.clusterIPs).length > 0) spec = withKey(spec, 'clusterIPs', cs.clusterIPs);
  return spec === ls ? later : ({ ...later, spec } as KubeObject);
}

/**
 * Whether `kubectl apply -f` surely sends the copy at `first` before the one at `then`: in one
 * file, documents in order (cli-runtime pkg/resource/visitor.go StreamVisitor.Visit, v0.36.0);
 * in one directory, files in lexical (byte) order, as filepath.Walk walks them
 * (ExpandPathsToFileVisitors there; Go's path/filepath: "The files are walked in lexical order").
 * Files in different directories (given apart, or a subdirectory `-f DIR` without `-R` skips)
 * may have been applied either way.
 */
function appliedBefore(first: SourceRef, then: SourceRef): boolean {
  if (first.file === then.file) return true;
  if (dirname(first.file) !== dirname(then.file)) return false;
  return Buffer.compare(Buffer.from(basename(first.file)), Buffer.from(basename(then.file))) < 0;
}

/**
 * One object per API identity (group, kind, namespace, name): what `kubectl apply -f DIR` would
 * leave the cluster with, files in sorted order — the last copy read, unless a later copy changes
 * a field the API server refuses to change (immutableChange): that update is refused and the
 * earlier copy stays. When the order they would be applied in cannot be told (appliedBefore),
 * the kind counts as not read rather than audited on a guess. Auditing the first copy (or both,
 * for bindings and policies) otherwise judged manifests that would never be applied; each
 * duplicate is said once, with every place it was read.
 */
function keepLastCopies(all: ParsedManifests): ParsedManifests {
  const last = new Map<string, number>();
  const copies = new Map<string, number[]>();
  const kindOf = new Map<string, KindKey | undefined>();
  all.objects.forEach((o, i) => {
    const spec = kindForManifest(o.apiVersion ?? '', o.kind ?? '');
    // An Argo Rollout is audited by its template (snapshotFromObjects): one per name, as any kind.
    const rollout = !spec && isRollout(o);
    if (!spec && !rollout) return;
    const id = spec
      ? `${spec.group}/${spec.kind}/${spec.namespaced ? (o.metadata?.namespace || 'default') : ''}/${o.metadata?.name ?? ''}`
      : `argoproj.io/Rollout/${o.metadata?.namespace || 'default'}/${o.metadata?.name ?? ''}`;
    const prev = last.get(id);
    if (prev !== undefined) {
      let list = copies.get(id);
      if (!list) copies.set(id, (list = [prev]));
      list.push(i);
    } else kindOf.set(id, spec?.key as KindKey | undefined);
    last.set(id, i);
  });
  if (copies.size === 0) return all;
  const dropped = new Set<number>();
  for (const [id, list] of copies) {
    const o = all.objects[list[0]];
    const ns = o.metadata?.namespace;
    const kind = kindOf.get(id);
    // Each later copy is an update of what the cluster holds so far (`current`).
    let current = list[0];
    const refused: string[] = [];
    let unsure: string | undefined;
    for (const i of list.slice(1)) {
      const refusal = kind ? immutableChange(kind, all.objects[current], all.objects[i]) : undefined;
      if (refusal === undefined) {
        if (kind === 'services') all.objects[i] = withAllocatedIPs(all.objects[current], all.objects[i]);
        current = i;
        continue;
      }
      const { field, unless } = refusal;
      if (!appliedBefore(all.origins[current], all.origins[i])) {
        unsure ??= `${at(all.origins[i])} and ${at(all.origins[current])} differ in ${field}, which the API server refuses to change on update, and in which order kubectl apply sends them cannot be told (not in one file, nor in one directory read in lexical order): the cluster keeps whichever came first`;
        continue;
      }
      if (unless !== undefined) {
        unsure ??= `${at(all.origins[i])} changes ${field}, which the API server refuses to change on update unless ${unless}: the cluster keeps ${at(all.origins[current])} or ${at(all.origins[i])}`;
        continue;
      }
      refused.push(`${at(all.origins[i])} changes ${field}, which the API server refuses to change on update (kubectl apply -f sends ${at(all.origins[current])} first: files in lexical order, each top to bottom)`);
    }
    const kept = all.origins[current];
    const what = `${o.kind} ${ns ? `${ns}/` : ''}${o.metadata?.name} is defined more than once (${list.map((i) => at(all.origins[i])).join(', ')})`;
    if (unsure !== undefined && kind) {
      // Its kind counts as not read: a verdict on either copy would be a guess.
      const why = `${what}: ${unsure}; so ${kind} count as not read`;
      all.notes.push(why);
      all.broken.push({ where: at(all.origins[list[0]]), why, kind });
    } else if (refused.length > 0) all.notes.push(`${what}: ${refused.join('; ')}; the cluster keeps ${at(kept)}, which is audited`);
    else all.notes.push(`${what}: the last one read, ${at(kept)}, is audited`);
    for (const i of list) if (i !== current) dropped.add(i);
    const k = all.objects[current];
    all.sources[`${k.kind}/${k.metadata?.namespace ?? ''}/${k.metadata?.name ?? ''}`] = kept;
  }
  return { ...all, objects: all.objects.filter((_, i) => !dropped.has(i)), origins: all.origins.filter((_, i) => !dropped.has(i)) };
}

/** The minor version of a cluster version (`v1.25.3` is 25), as --cluster-version and cluster.version write it. */
function minorOf(version: string | undefined): number | undefined {
  const m = version === undefined ? null : /^v?1\.(\d+)/.exec(version.trim());
  return m ? Number(m[1]) : undefined;
}

/** In a manifests dir, workload templates stand in for pods: a broken workload hides pods too. */
const POD_SOURCES = new Set<KindKey>(['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'replicationcontrollers', 'jobs', 'cronjobs', 'pods'] as KindKey[]);

export function loadManifests(dirs: string[], options: { clusterName?: string; clusterVersion?: string; cwd?: string; limits?: ManifestLimits } = {}): Snapshot {
  const clusterMinor = minorOf(options.clusterVersion);
  const { objects, notes, sources, broken } = loadManifestObjects(dirs, options.cwd, options.limits, clusterMinor);
  if (clusterMinor !== undefined && clusterMinor < SERVED_KNOWN_FROM) {
    notes.push(`the cluster version given, v1.${clusterMinor}, is older than v1.${SERVED_KNOWN_FROM}: ztaudit does not know which apiVersions it served, so only those first served after v1.${SERVED_KNOWN_FROM} (networking.k8s.io/v1 Ingress, …) are refused; the others are read as served`);
  }
  // Nothing to audit is not a clean audit: an empty or wrong directory must not score 100.
  if (objects.length === 0) {
    // One line, whatever the file names and the names in them hold (docs/hostile-text.md): a line
    // break in a file name forged a `ztaudit:` line of its own.
    const skipped = broken.length > 0 ? `; ${broken.length} skipped, the first ${oneLine(broken[0].where)}: ${oneLine(broken[0].why)}` : '';
    throw new InputError(`--manifests ${dirs.map(oneLine).join(' ')}: no Kubernetes objects found (YAML or JSON documents with apiVersion, kind and metadata)${skipped}`);
  }
  // Named by absolute, normalised paths, sorted and each once: the same manifests are the same
  // cluster (and history) whichever directory ztaudit was started from and in whatever order
  // the --manifests flags were given (reordered, the diff would start afresh unannounced), and
  // in NFC (clusterNameOf) as --cluster is: a path typed "café" and one a file system hands back
  // decomposed (macOS HFS+ keeps names in NFD) are one cluster.
  const cwd = options.cwd ?? process.cwd();
  const clusterName = options.clusterName ?? clusterNameOf([...new Set(dirs.map((d) => resolve(cwd, d)))].sort().join(','));
  const snapshot = snapshotFromObjects(objects, { ...options, clusterName, notes, sources });
  // A broken document is data that could not be read: the kind it names is not 'ok' (its
  // other objects stay loaded for `reach` and `who-can`, but no check is evaluated on them).
  // One whose kind cannot be told may have been any object (a cut-off List, JSON with its
  // `kind` past the break): no kind counts as read, so no check is evaluated, no area graded,
  // --fail-on exits 1 and the diff carries every finding, rather than a critical finding in it
  // passing or resolving. Each kind then says every broken document, in one detail.
  // A file that could not be read at all (a symlink to nothing, EACCES, a directory that cannot
  // be listed) is such a document: it may hold a ClusterRoleBinding as well as anything else.
  const partial: string[] = [];
  const untold = broken.filter((b) => !b.kind);
  if (untold.length > 0) {
    const [first, ...more] = untold;
    const others = [...new Set(broken.map((b) => b.where))].filter((w) => w !== first.where);
    const also = others.length === 0 ? '' : `; also ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}`;
    const detail = `${first.where}: ${first.why} (its kind could not be told, so no kind counts as read${also})`;
    for (const k of KINDS) snapshot.coverage[k.key] = { status: 'error', detail };
    for (const b of more) partial.push(`${b.where}: ${b.why} (its kind could not be told either)`);
  } else {
    for (const { where, why, kind } of broken) {
      if (!kind) continue;
      for (const key of POD_SOURCES.has(kind) ? [kind, 'pods' as KindKey] : [kind]) {
        const prev = snapshot.coverage[key];
        const detail = prev?.status === 'error' && prev.detail ? `${prev.detail}; ${where}` : `${where}: ${why}`;
        snapshot.coverage[key] = { status: 'error', detail };
      }
    }
  }
  if (partial.length > 0) snapshot.partial = partial;
  return snapshot;
}
