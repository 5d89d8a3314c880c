// A pod's Pod Security class: the text of what the checks (./checks.ts) can read of it, so
// pods with equal text get one evaluation. Replicas share one spec object already (the
// snapshot reader interns equal values), but the workloads of one chart differ in fields no
// check reads (the image, the service account, a configMap's name, a checksum annotation):
// at 150k pods the model evaluated ~55k distinct specs that fall in a few dozen classes.
//
// The key is written out whole except for the fields listed below as unread, so a check that
// starts reading a field nobody listed stays correct. Annotations are the exception (their
// keys are open-ended): only those a check reads (isPssAnnotation) are kept.

import { isPssAnnotation } from './checks.ts';

/** Pod spec fields no Pod Security check reads that often differ between alike workloads. */
const UNREAD_SPEC_FIELDS = new Set([
  'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken', 'nodeName', 'nodeSelector', 'affinity',
  'tolerations', 'imagePullSecrets', 'priorityClassName', 'priority', 'schedulerName', 'terminationGracePeriodSeconds',
  'topologySpreadConstraints', 'hostname', 'subdomain', 'dnsConfig', 'dnsPolicy', 'restartPolicy', 'enableServiceLinks',
]);

/** Container fields no Pod Security check reads (ports, probes, lifecycle and securityContext are read). */
const UNREAD_CONTAINER_FIELDS = new Set([
  'image', 'imagePullPolicy', 'command', 'args', 'env', 'envFrom', 'resources', 'resizePolicy', 'volumeMounts',
  'volumeDevices', 'workingDir', 'terminationMessagePath', 'terminationMessagePolicy', 'stdin', 'stdinOnce', 'tty',
]);

const CONTAINER_LISTS = new Set(['initContainers', 'containers', 'ephemeralContainers']);

/**
 * Volume sources the restricted level allows: the checks ask only whether one is set, never
 * what it holds (a configMap's or a claim's name), so its contents are left out. Any other
 * source (hostPath, nfs, ...) is kept whole.
 */
const CONTENT_UNREAD_VOLUME_SOURCES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret']);

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * `v` as unambiguous text: one letter per kind of primitive (so NaN, null and "null" differ),
 * strings quoted, keys in their order. Undefined for values JSON cannot hold (a Date from a
 * YAML timestamp, ...): such a pod gets no shared class.
 * `skip` names the fields of this object to leave out; `inner` writes a member (by its key).
 */
function text(v: unknown, skip?: ReadonlySet<string>, inner?: (key: string, member: unknown) => string | undefined): string | undefined {
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return `d${v}`;
    case 'boolean': return v ? 't' : 'f';
    case 'undefined': return 'u';
    case 'object': break;
    default: return undefined;
  }
  if (v === null) return 'n';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const m = text(v[i]);
      if (m === undefined) return undefined;
      out += `${m},`;
    }
    return `${out}]`;
  }
  if (!isPlainObject(v)) return undefined;
  let out = '{';
  for (const k in v) {
    if (!Object.hasOwn(v, k) || skip?.has(k)) continue;
    const member = (v as Record<string, unknown>)[k];
    const m = inner ? inner(k, member) : text(member);
    if (m === undefined) return undefined;
    out += `${JSON.stringify(k)}:${m},`;
  }
  return `${out}}`;
}

/** A container, or a list of them (a lone value is read as a one-element list), without its unread fields. */
function containersText(v: unknown): string | undefined {
  const one = (c: unknown) => (c !== null && typeof c === 'object' && !Array.isArray(c) ? text(c, UNREAD_CONTAINER_FIELDS) : text(c));
  if (!Array.isArray(v)) return one(v);
  let out = '[';
  for (const c of v) {
    const m = one(c);
    if (m === undefined) return undefined;
    out += `${m},`;
  }
  return `${out}]`;
}

const volumeMember = (key: string, member: unknown): string | undefined =>
  CONTENT_UNREAD_VOLUME_SOURCES.has(key) && member !== null && typeof member === 'object' ? 'o' : text(member);

function volumesText(v: unknown): string | undefined {
  const one = (vol: unknown) => (vol !== null && typeof vol === 'object' && !Array.isArray(vol) ? text(vol, undefined, volumeMember) : text(vol));
  if (!Array.isArray(v)) return one(v);
  let out = '[';
  for (const vol of v) {
    const m = one(vol);
    if (m === undefined) return undefined;
    out += `${m},`;
  }
  return `${out}]`;
}

const specMember = (key: string, member: unknown): string | undefined =>
  CONTAINER_LISTS.has(key) ? containersText(member) : key === 'volumes' ? volumesText(member) : text(member);

/** The class text of a pod spec, or undefined when it cannot be written (the pod is then evaluated on its own). */
export function specClassKey(spec: object): string | undefined {
  return text(spec, UNREAD_SPEC_FIELDS, specMember);
}

/** The class text of a pod's annotations: those a check reads ('' when none), or undefined when unwritable. */
export function annotationsClassKey(annotations: object): string | undefined {
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations) || !isPlainObject(annotations)) return undefined;
  let a = '';
  for (const k in annotations) {
    if (!Object.hasOwn(annotations, k) || !isPssAnnotation(k)) continue;
    const m = text((annotations as Record<string, unknown>)[k]);
    if (m === undefined) return undefined;
    a += `${JSON.stringify(k)}:${m},`;
  }
  return a;
}
