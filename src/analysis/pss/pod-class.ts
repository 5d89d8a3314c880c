// A pod's Pod Security class: the text of what the checks (./checks.ts) can read of it, so
// pods with equal text get one evaluation. Replicas share one spec object already (the
// snapshot reader interns equal values), but the workloads of one chart differ in fields no
// check reads (the image, the service account, a configMap's name, a checksum annotation):
// at 150k pods the model evaluated ~55k distinct specs that fall in a few dozen classes.
//
// The key is written out whole except for the fields listed below as unread, so a check that
// starts reading a field nobody listed stays correct. Annotations are the exception (their
// keys are open-ended): only those a check reads (isPssAnnotation) are kept.

import type { Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
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

type Member = (key: string, member: unknown) => string | undefined;

/**
 * Writes class keys for one model. The text of each object is kept by identity, per way of
 * writing it: the snapshot reader makes equal subtrees one object, so a chart's workloads
 * share their securityContext, ports and sidecar containers, and each is written once.
 */
export class PodClassKeys {
  private readonly whole = new Map<object, string | undefined>();
  private readonly containers = new Map<object, string | undefined>();
  private readonly volumes = new Map<object, string | undefined>();
  /** Per spec object, its class text: one string per distinct text (`canonical`), so a spec costs a pointer, not its text. */
  private readonly specs = new Map<object, string | undefined>();
  private readonly canonical = new Map<string, string>();

  /**
   * The class text of a pod spec, or undefined when it cannot be written (the pod is then
   * evaluated on its own). Written once per spec object; equal texts are one string, whose hash
   * a Map computes once, so looking a class up by it costs no walk of the text.
   */
  spec(spec: object): string | undefined {
    return this.kept(this.specs, spec, () => {
      const text = this.object(spec, UNREAD_SPEC_FIELDS, this.specMember);
      if (text === undefined) return undefined;
      const seen = this.canonical.get(text);
      if (seen !== undefined) return seen;
      this.canonical.set(text, text);
      return text;
    });
  }

  /** The class text of a pod's annotations: those a check reads ('' when none), or undefined when unwritable. */
  annotations(annotations: object): string | undefined {
    if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations) || !isPlainObject(annotations)) return undefined;
    let a = '';
    for (const k in annotations) {
      if (!Object.hasOwn(annotations, k) || !isPssAnnotation(k)) continue;
      const m = this.text((annotations as Record<string, unknown>)[k]);
      if (m === undefined) return undefined;
      a += `${JSON.stringify(k)}:${m},`;
    }
    return a;
  }

  /**
   * `v` as unambiguous text: one letter per kind of primitive (so NaN, null and "null"
   * differ), strings quoted, keys in their order. Undefined for values JSON cannot hold (a
   * Date from a YAML timestamp, ...): such a pod gets no shared class.
   */
  private text(v: unknown): string | undefined {
    switch (typeof v) {
      case 'string': return JSON.stringify(v);
      case 'number': return `d${v}`;
      case 'boolean': return v ? 't' : 'f';
      case 'undefined': return 'u';
      case 'object': break;
      default: return undefined;
    }
    if (v === null) return 'n';
    return this.kept(this.whole, v, () => (Array.isArray(v) ? this.list(v, (x) => this.text(x)) : this.object(v)));
  }

  private kept(memo: Map<object, string | undefined>, v: object, write: () => string | undefined): string | undefined {
    let t = memo.get(v);
    if (t === undefined && !memo.has(v)) {
      t = write();
      memo.set(v, t);
    }
    return t;
  }

  private list(v: readonly unknown[], item: (x: unknown) => string | undefined): string | undefined {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const m = item(v[i]);
      if (m === undefined) return undefined;
      out += `${m},`;
    }
    return `${out}]`;
  }

  /** A plain object without the fields in `skip`; `member` writes a member (by its key). */
  private object(v: object, skip?: ReadonlySet<string>, member?: Member): string | undefined {
    if (!isPlainObject(v)) return undefined;
    let out = '{';
    for (const k in v) {
      if (!Object.hasOwn(v, k) || skip?.has(k)) continue;
      const x = (v as Record<string, unknown>)[k];
      const m = member ? member(k, x) : this.text(x);
      if (m === undefined) return undefined;
      out += `${JSON.stringify(k)}:${m},`;
    }
    return `${out}}`;
  }

  /** A list of containers or volumes (a lone value is read as a one-element list). */
  private listOf(v: unknown, one: (x: unknown) => string | undefined): string | undefined {
    return Array.isArray(v) ? this.list(v, one) : one(v);
  }

  /** A container without its unread fields. */
  private readonly container = (c: unknown): string | undefined =>
    c !== null && typeof c === 'object' && !Array.isArray(c) ? this.kept(this.containers, c, () => this.object(c, UNREAD_CONTAINER_FIELDS)) : this.text(c);

  private readonly volumeMember: Member = (key, x) =>
    CONTENT_UNREAD_VOLUME_SOURCES.has(key) && x !== null && typeof x === 'object' ? 'o' : this.text(x);

  private readonly volume = (vol: unknown): string | undefined =>
    vol !== null && typeof vol === 'object' && !Array.isArray(vol) ? this.kept(this.volumes, vol, () => this.object(vol, undefined, this.volumeMember)) : this.text(vol);

  private readonly specMember: Member = (key, x) =>
    CONTAINER_LISTS.has(key) ? this.listOf(x, this.container) : key === 'volumes' ? this.listOf(x, this.volume) : this.text(x);
}

/**
 * One PodClassKeys per snapshot, shared by the Pod Security model and the RBAC checks that ask
 * whether a pod exec reaches can reach its node (checks/rbac/lib/named-pods.ts): both write the
 * class of the same pod specs, so each spec is written once. A key is the text of what the
 * checks read, so it stays valid for any later reader of the same (unchanging) objects.
 */
export const podClassKeys: (snapshot: Snapshot) => PodClassKeys = memoize(() => new PodClassKeys(), ['rbac', 'pod-security']);
