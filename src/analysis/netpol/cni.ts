// Which CNI plugin runs, judged from the DaemonSets/Deployments that install it (names and
// images in every namespace), and whether it enforces NetworkPolicy at all.

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { podTemplateOf } from '../workloads.ts';

export interface CniPlugin {
  name: string;
  enforces: boolean;
  /** The object it was recognised by, "DaemonSet kube-system/kube-flannel-ds". */
  seenIn: string;
}

export interface CniDetection {
  plugins: CniPlugin[];
  /** 'enforcing' when any enforcing plugin runs; 'not-enforcing' when only non-enforcing ones do. */
  verdict: 'enforcing' | 'not-enforcing' | 'unknown';
}

// Order matters: canal bundles flannel with calico's policy engine, so it is recognised first.
const PLUGINS: Array<{ name: string; enforces: boolean; pattern: RegExp }> = [
  { name: 'canal', enforces: true, pattern: /\bcanal\b/ },
  { name: 'calico', enforces: true, pattern: /calico|tigera/ },
  { name: 'cilium', enforces: true, pattern: /cilium|\banetd\b/ },
  { name: 'weave', enforces: true, pattern: /weave-net|weaveworks\/weave/ },
  { name: 'antrea', enforces: true, pattern: /antrea/ },
  { name: 'kube-router', enforces: true, pattern: /kube-router/ },
  { name: 'azure-npm', enforces: true, pattern: /azure-npm/ },
  { name: 'kube-network-policies', enforces: true, pattern: /kube-network-policies/ },
  { name: 'flannel', enforces: false, pattern: /flannel/ },
  { name: 'kindnet', enforces: false, pattern: /kindnet/ },
];

function textsOf(o: KubeObject): string[] {
  const out = [o.metadata?.name ?? ''];
  const spec = podTemplateOf(o)?.spec as { containers?: unknown; initContainers?: unknown } | undefined;
  for (const list of [spec?.containers, spec?.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) if (c && typeof (c as { image?: unknown }).image === 'string') out.push((c as { image: string }).image);
  }
  return out.map((t) => t.toLowerCase());
}

export function detectCni(snapshot: Snapshot): CniDetection {
  const plugins: CniPlugin[] = [];
  const seen = new Set<string>();
  for (const key of ['daemonsets', 'deployments'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      const texts = textsOf(o);
      const hit = PLUGINS.find((p) => texts.some((t) => p.pattern.test(t)));
      if (!hit || seen.has(hit.name)) continue;
      seen.add(hit.name);
      plugins.push({ name: hit.name, enforces: hit.enforces, seenIn: `${o.kind ?? key} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}` });
    }
  }
  const verdict = plugins.some((p) => p.enforces) ? 'enforcing' : plugins.length ? 'not-enforcing' : 'unknown';
  return { plugins, verdict };
}
