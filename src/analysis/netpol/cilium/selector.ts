// Cilium endpoint selectors: Kubernetes label selectors whose keys may carry a label source
// ("k8s:app", "reserved:host", "any:app"; no source means any), validated as Cilium's
// EndpointSelector.Sanitize does and matched against identity labels source-aware.

import { readLabelSelector } from '../selector.ts';
import { lookupLabel, parseSelectKey, SOURCE_ANY, SOURCE_K8S, SOURCE_RESERVED, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE_LABEL, CLUSTER_LABEL, type IdentityLabels } from './labels.ts';

export type SelectorOp = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  source: string;
  key: string;
  op: SelectorOp;
  values: string[];
  /** Written under matchLabels (Cilium's AddMatch replaces such an entry of the same key). */
  fromMatchLabels?: boolean;
}

export interface CiliumSelector {
  readonly requirements: readonly Requirement[];
  /** No requirement: selects every identity (the wildcard). */
  readonly wildcard: boolean;
  /** Canonical text, e.g. "k8s:io.kubernetes.pod.namespace=shop,any:app=web". */
  readonly text: string;
  matches(labels: IdentityLabels): boolean;
}

const SOURCE = /^[A-Za-z0-9]+$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** pkg/labels IsValidCiliumLabelKey: an optional alphanumeric source, then a Kubernetes label key. */
export function ciliumLabelKeyError(key: string): string | undefined {
  const parts = key.split(':');
  if (parts.length > 2) return `invalid label key "${key}": only one ':' (after the source) is allowed`;
  if (parts.length === 2 && !SOURCE.test(parts[0])) return `invalid label key "${key}": the source before ':' must be alphanumeric`;
  const k = parts[parts.length - 1];
  const slash = k.lastIndexOf('/');
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `invalid label key prefix in "${key}"`;
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) return `invalid label key "${key}"`;
  return undefined;
}

function textOf(reqs: readonly Requirement[]): string {
  return reqs
    .map((r) => {
      const k = `${r.source}:${r.key}`;
      switch (r.op) {
        case 'Exists': return k;
        case 'DoesNotExist': return `!${k}`;
        case 'In': return r.values.length === 1 ? `${k}=${r.values[0]}` : `${k} in (${r.values.join(',')})`;
        case 'NotIn': return `${k} notin (${r.values.join(',')})`;
      }
    })
    .join(',');
}

function sortReqs(reqs: Requirement[]): Requirement[] {
  return reqs.sort((a, b) => {
    const ka = `${a.source}:${a.key}\u0000${a.op}\u0000${a.values.join(',')}`;
    const kb = `${b.source}:${b.key}\u0000${b.op}\u0000${b.values.join(',')}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

export function makeSelector(requirements: Requirement[]): CiliumSelector {
  const reqs = sortReqs(requirements.map((r) => ({ ...r, values: [...r.values].sort() })));
  const sets = reqs.map((r) => ({ ...r, set: new Set(r.values) }));
  return {
    requirements: reqs,
    wildcard: reqs.length === 0,
    text: reqs.length === 0 ? '{}' : textOf(reqs),
    matches(labels) {
      for (const r of sets) {
        const v = lookupLabel(labels, r.source, r.key);
        switch (r.op) {
          case 'In': if (v === undefined || !r.set.has(v)) return false; break;
          case 'NotIn': if (v !== undefined && r.set.has(v)) return false; break;
          case 'Exists': if (v === undefined) return false; break;
          case 'DoesNotExist': if (v !== undefined) return false; break;
        }
      }
      return true;
    },
  };
}

export const WILDCARD_SELECTOR: CiliumSelector = makeSelector([]);

/** A selector on one reserved label ("reserved:world"). */
export function reservedSelector(name: string): CiliumSelector {
  return makeSelector([{ source: SOURCE_RESERVED, key: name, op: 'Exists', values: [] }]);
}

/**
 * Parses a label selector as Cilium's EndpointSelector does: keys keep their source prefix,
 * keys without one match any source. Returns errors (never throws) for what Cilium refuses.
 */
export function parseCiliumSelector(raw: unknown, where: string): { selector?: CiliumSelector; errors: string[] } {
  if (raw === undefined || raw === null) return { errors: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { errors: [`${where}: not an object`] };
  const errors: string[] = [];
  const reqs: Requirement[] = [];
  const r = raw as Record<string, unknown>;
  for (const q of readLabelSelector(r, where, ciliumLabelKeyError, errors)) {
    reqs.push({ ...parseSelectKey(q.key), op: q.op, values: q.values, ...(q.fromMatchLabels ? { fromMatchLabels: true } : {}) });
  }
  if (errors.length) return { errors };
  return { selector: makeSelector(reqs), errors };
}

function hasKey(s: CiliumSelector, source: string, key: string): boolean {
  return s.requirements.some((r) => r.source === source && r.key === key);
}

/** Whether the selector names the namespace (k8s: or any: io.kubernetes.pod.namespace). */
export function namesNamespace(s: CiliumSelector): boolean {
  return hasKey(s, SOURCE_K8S, POD_NAMESPACE_LABEL) || hasKey(s, SOURCE_ANY, POD_NAMESPACE_LABEL);
}

/** Whether the selector uses a namespace label (io.cilium.k8s.namespace.labels.*). */
export function usesNamespaceLabels(s: CiliumSelector): boolean {
  return s.requirements.some((r) => (r.source === SOURCE_K8S || r.source === SOURCE_ANY) && r.key.startsWith(`${NAMESPACE_LABELS_PREFIX}.`));
}

export function usesReservedLabels(s: CiliumSelector): boolean {
  return s.requirements.some((r) => r.source === SOURCE_RESERVED);
}

/**
 * A peer selector as Cilium scopes it (pkg/k8s/apis/cilium.io/utils getEndpointSelector):
 * reserved-label selectors are kept as written; a selector that names no namespace is
 * confined to the policy's namespace (CiliumNetworkPolicy, unless it selects by namespace
 * labels) or to pods of any namespace (CiliumClusterwideNetworkPolicy, unless the subject
 * selects initializing endpoints); then, unless the selector names a cluster, to the local
 * cluster (policy-default-local-cluster, on by default).
 */
export function scopePeerSelector(s: CiliumSelector, policyNamespace: string | undefined, subjectMatchesInit: boolean, clusterName: string | undefined): CiliumSelector {
  if (usesReservedLabels(s)) return s;
  const reqs = [...s.requirements];
  if (!namesNamespace(s)) {
    if (policyNamespace === undefined) {
      if (!subjectMatchesInit) reqs.push({ source: SOURCE_K8S, key: POD_NAMESPACE_LABEL, op: 'Exists', values: [] });
    } else if (!usesNamespaceLabels(s)) {
      reqs.push({ source: SOURCE_K8S, key: POD_NAMESPACE_LABEL, op: 'In', values: [policyNamespace] });
    }
  }
  if (clusterName !== undefined && !hasKey(s, SOURCE_K8S, CLUSTER_LABEL) && !hasKey(s, SOURCE_ANY, CLUSTER_LABEL)) {
    reqs.push({ source: SOURCE_K8S, key: CLUSTER_LABEL, op: 'In', values: [clusterName] });
  }
  return reqs.length === s.requirements.length ? s : makeSelector(reqs);
}

/**
 * The subject of a CiliumNetworkPolicy always lives in the policy's namespace: Cilium
 * overwrites any namespace match the author wrote (and logs a warning).
 */
export function scopeSubjectSelector(s: CiliumSelector, policyNamespace: string | undefined): { selector: CiliumSelector; overridden?: string[] } {
  if (policyNamespace === undefined) return { selector: s };
  // AddMatch writes matchLabels["k8s:io.kubernetes.pod.namespace"]: it replaces a matchLabels
  // entry with that exact key and leaves every other requirement (any:…, matchExpressions) in place.
  const replaced = (r: Requirement) => r.source === SOURCE_K8S && r.key === POD_NAMESPACE_LABEL && r.fromMatchLabels === true;
  const written = s.requirements.find(replaced);
  const overridden = written && written.values[0] !== policyNamespace ? written.values : undefined;
  const reqs = s.requirements.filter((r) => !replaced(r));
  reqs.push({ source: SOURCE_K8S, key: POD_NAMESPACE_LABEL, op: 'In', values: [policyNamespace], fromMatchLabels: true });
  return { selector: makeSelector(reqs), ...(overridden ? { overridden } : {}) };
}

export function matchesInit(s: CiliumSelector): boolean {
  return hasKey(s, SOURCE_RESERVED, 'init');
}
