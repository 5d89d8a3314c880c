import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { linkerdPresent, linkerdSkippedPorts, meshModel, type SkippedPorts } from '../../src/analysis/mesh/index.ts';
import { linkerdInboundSkips, linkerdOutboundDefault, linkerdSkippedSubnets, portInList, type LinkerdClusterNetworks, type SkippedSubnets } from '../../src/analysis/mesh/linkerd.ts';
import { intersectRanges } from '../../src/base/ip.ts';
import { containerPorts } from '../../src/analysis/mesh/util.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_REVISION_TAGS_READ } from './lib/istio-mesh-config.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { meshUnseenNamespaces, meshUnseenNote, namespaceKnown } from './lib/unseen-namespaces.ts';

/** A port a Linkerd-meshed workload receives through its proxy: the first such workload, and how many do. */
interface Listener { first: string; count: number }

/**
 * The ports Linkerd-meshed workloads receive through their proxy: declared, and not skipped inbound
 * by the workload itself (linkerdInboundSkips: its skip-inbound-ports annotation, else the installed
 * or assumed proxyInit.ignoreInboundPorts, or the CNI plugin's default). Only there does a caller
 * sending the port around its own proxy lose mTLS the listener would otherwise get; where the
 * listener skips the port inbound the connection is plaintext whatever the caller does, and the
 * listener's own inbound finding says so. One pass over the workloads.
 */
function linkerdListenedPorts(m: ReturnType<typeof meshModel>): Map<number, Listener> {
  const out = new Map<number, Listener>();
  for (const w of m.workloads) {
    const pod = w.workload.pods[0];
    if (w.mesh !== 'linkerd' || !pod) continue;
    const inbound = linkerdInboundSkips(m.namespaces.get(w.namespace)?.annotations ?? {}, pod, w.namespace, w.workload.template, m.linkerd);
    const seen = new Set<number>();
    for (const p of containerPorts(pod.spec)) {
      if (seen.has(p.port) || (inbound && portInList(inbound.ports, p.port))) continue;
      seen.add(p.port);
      const l = out.get(p.port);
      if (l) l.count++;
      else out.set(p.port, { first: refString(w.workload.ref), count: 1 });
    }
  }
  return out;
}

/**
 * The install's proxyInit.ignoreOutboundPorts (linkerdOutboundDefault) as a skipped-ports entry,
 * only the ports a meshed workload receives through its proxy (`listened`), naming one of them:
 * a caller skipping a port nothing meshed listens on, or only listeners that skip it inbound
 * themselves, loses no mTLS.
 */
function outboundDefaultSkips(def: ReturnType<typeof linkerdOutboundDefault>, listened: Map<number, Listener>): SkippedPorts | undefined {
  if (!def) return undefined;
  const hit = [...listened].filter(([port]) => portInList(def.ports, port)).sort((a, b) => a[0] - b[0]);
  if (hit.length === 0) return undefined;
  const where = hit.map(([port, l]) => `${l.first}${l.count > 1 ? ` and ${l.count - 1} other meshed workload${l.count > 2 ? 's' : ''}` : ''} receive${l.count > 1 ? '' : 's'} ${port} through ${l.count > 1 ? 'their' : 'its'} linkerd-proxy (no inbound skip of ${l.count > 1 ? 'theirs' : 'its own'} covers it), so a call to it around this caller's proxy loses mTLS it would otherwise get`).join(', ');
  return { direction: 'outbound', ports: hit.map(([port]) => String(port)), invalid: [], source: `${def.source}; ${where}`, ...(def.assumed ? { assumedDefault: true as const } : { installedDefault: true as const }) };
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/**
 * What linkerd-init leaves out of a skip list (parseProxyInitPorts): the entries it logs and
 * ignores, and an outbound list of which it reads nothing, where linkerd2-proxy-init
 * (pkg/iptables/iptables.go makeMultiportDestinations, proxy-init/v2.4.9) still writes one rule
 * with an empty --dports list.
 */
function unreadNote(s: SkippedPorts): string[] {
  const n = s.invalid.length;
  const out: string[] = [];
  if (n > 0) out.push(`${s.direction} ${plural(n, 'entry', 'entries')} ${s.invalid.map((e) => JSON.stringify(e)).join(', ')} (${s.source}) ${plural(n, 'is', 'are')} not a port or range linkerd-init reads (no space trimmed): it logs and ignores ${plural(n, 'it', 'them')}, so ${plural(n, 'it skips', 'they skip')} nothing`);
  if (s.noneRead) out.push(`linkerd-init reads no entry of that outbound list, so it runs iptables with an empty --dports list; iptables is expected to refuse it, failing linkerd-init so that the pods do not start, which ztaudit cannot confirm`);
  return out;
}

/**
 * Inbound annotation entries only a trim makes ports: linkerd-init sends them through the proxy,
 * but the destination controller reads the annotation trimmed (linkerd2 pkg/util/parsing.go
 * GetPortRanges, controller/api/destination endpoint_translator.go, stable-2.14.10 and
 * edge-26.8.3) and gives callers no TLS identity for them, so meshed callers connect without mTLS.
 */
function spacedNote(s: SkippedPorts): string {
  const n = s.spaced!.length;
  return `inbound ${s.spaced!.join(', ')} (${s.source}, written with spaces) ${plural(n, 'reaches', 'reach')} the linkerd-proxy, as linkerd-init does not read ${plural(n, 'that entry', 'those entries')}, but the destination controller trims the spaces and gives callers no mesh identity for ${plural(n, 'it', 'them')}: meshed callers send ${plural(n, 'it', 'them')} without mTLS`;
}

/**
 * Inbound connections from config.linkerd.io/skip-subnets (or proxyInit.skipSubnets) sources
 * bypass the proxy on every port (linkerdSkippedSubnets), naming those subnets that overlap
 * Linkerd's clusterNetworks, which the chart says "should include the pod and service networks"
 * (linkerd2 charts/linkerd-control-plane/values.yaml): then meshed pods and Services there reach
 * the workload in plaintext too.
 */
function subnetsBypass(s: SkippedSubnets, networks: LinkerdClusterNetworks): string {
  const texts = s.subnets.map((x) => x.text);
  const head = `inbound connections from ${texts.join(', ')} bypass the linkerd-proxy on every port (${s.source}): they reach the application neither authenticated nor encrypted by the mesh, and no Linkerd policy applies to them`;
  if ('unknown' in networks) return `${head}; whether ${plural(texts.length, 'it overlaps', 'they overlap')} the cluster's networks is not known (${networks.unknown})`;
  const inside = s.subnets.filter((x) => intersectRanges([x.range], networks.ranges).length > 0).map((x) => x.text);
  if (inside.length === 0) return `${head}; ${plural(texts.length, 'it lies', 'they lie')} outside Linkerd's cluster networks (${networks.source})`;
  return `${head}; ${inside.join(', ')} ${plural(inside.length, 'overlaps', 'overlap')} Linkerd's cluster networks (${networks.source}), meant to hold the pod and Service networks: meshed pods there reach it without mTLS as well`;
}

/** Entries of a skip-subnets list linkerd-init cannot read: it exits before writing any rule (linkerdSkippedSubnets). */
function invalidSubnetsNote(s: SkippedSubnets): string[] {
  const n = s.invalid.length;
  return n === 0 ? [] : [`${plural(n, 'entry', 'entries')} ${s.invalid.map((e) => JSON.stringify(e)).join(', ')} of ${s.source} ${plural(n, 'is', 'are')} not a CIDR linkerd-init reads: it exits with an error before writing any rule, so new pods do not start (no subnet is skipped)`];
}

export const linkerdSkipPorts: Check = {
  id: 'mtls.linkerd-skip-ports',
  area: 'mtls',
  title: 'Linkerd-meshed workloads send and receive every port through the proxy',
  protectsAgainst: 'Linkerd-meshed pods whose skip-inbound/outbound-ports annotations, or the install\'s proxyInit.ignoreInboundPorts/ignoreOutboundPorts (on a running pod: the lists its linkerd-init was given), route traffic around the proxy, so those ports carry no mTLS; whose skip-subnets annotation, or the install\'s proxyInit.skipSubnets, lets inbound connections from those source subnets reach every port around the proxy, without mTLS or Linkerd policy; and skip-inbound-ports entries written with spaces, which linkerd-init ignores but the destination controller reads, so meshed callers reach those ports through the proxy without mTLS',
  severity: 'medium',
  controls: MESH_ENCRYPTION,
  remediation: 'Remove config.linkerd.io/skip-inbound-ports / skip-outbound-ports / skip-subnets from the pod template and namespace, and ports the workloads need meshed from the install\'s proxyInit.ignoreInboundPorts / ignoreOutboundPorts, and subnets from proxyInit.skipSubnets (Helm values; an annotation, even empty, replaces them for one workload); for protocols the proxy cannot detect (server-speaks-first, e.g. MySQL, SMTP) mark the ports opaque with config.linkerd.io/opaque-ports instead, which keeps mTLS. Write the lists without spaces ("3306,4000-4100"): linkerd-init ignores an entry with one. Restart the pods afterwards.',
  needs: ['namespaces', 'pods'],
  readsWhen: [...meshPresenceReads('linkerd'), ISTIO_REVISION_TAGS_READ],
  appliesTo: linkerdPresent,
  appliesWhen: 'when Linkerd is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the workloads there were not judged'),
  unjudgedNamespaces: meshUnseenNamespaces,
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    const listened = linkerdListenedPorts(m);
    for (const w of m.workloads) {
      if (w.mesh !== 'linkerd' || !namespaceKnown(w)) continue;
      const ref = w.workload.ref;
      const nsAnnotations = m.namespaces.get(w.namespace)?.annotations ?? {};
      const found = linkerdSkippedPorts(nsAnnotations, w.workload.pods[0], w.namespace, w.workload.template, m.linkerd);
      const byDefault = outboundDefaultSkips(linkerdOutboundDefault(nsAnnotations, w.workload.pods[0], w.namespace, m.linkerd), listened);
      if (byDefault) found.push(byDefault);
      // Entries linkerd-init does not read skip nothing (parseProxyInitPorts): said, not failed.
      const skipped = found.filter((s) => s.ports.length + (s.spaced?.length ?? 0) > 0);
      const subnets = linkerdSkippedSubnets(nsAnnotations, w.workload.pods[0], w.namespace, w.workload.template, m.linkerd);
      const pending = [...found, ...(subnets ? [subnets] : [])].filter((s) => s.pending).map((s) => `${s.pending!.source} says ${JSON.stringify(s.pending!.value)}`);
      const note = pending.length > 0 ? ` (${pending.join('; ')}: the running pods were injected without it and pick it up when restarted)` : '';
      const unread = [...found.flatMap((s) => unreadNote(s)), ...(subnets ? invalidSubnetsNote(subnets) : [])];
      const unreadText = unread.length > 0 ? `; ${unread.join('; ')}` : '';
      const evidence: Record<string, unknown> = { podCount: w.workload.podCount };
      for (const s of found) {
        if (s.ports.length + s.invalid.length === 0 && !s.spaced) continue;
        evidence[s.direction] = {
          ports: s.ports, source: s.source,
          ...(s.invalid.length ? { invalidEntries: s.invalid } : {}),
          ...(s.spaced ? { trimmedByDestination: s.spaced } : {}),
          ...(s.noneRead ? { noEntryRead: true } : {}),
          ...(s.assumedDefault ? { assumedDefault: true } : {}), ...(s.installedDefault ? { installedDefault: true } : {}),
        };
      }
      if (subnets && subnets.subnets.length + subnets.invalid.length > 0) {
        evidence.inboundSubnets = { subnets: subnets.subnets.map((x) => x.text), source: subnets.source, ...(subnets.invalid.length ? { invalidEntries: subnets.invalid } : {}) };
      }
      if (pending.length) evidence.pendingOnRestart = pending;
      const bySubnet = subnets && subnets.subnets.length > 0 ? [subnetsBypass(subnets, m.linkerd.clusterNetworks)] : [];
      if (skipped.length === 0 && bySubnet.length === 0) {
        out.push({ status: 'pass', resource: ref, message: `${refString(ref)}: no ports bypass the linkerd-proxy${unreadText}${note}.`, evidence });
        continue;
      }
      const bypass = skipped.filter((s) => s.ports.length > 0);
      const parts = bypass.map((s) => `${s.direction} ${s.ports.join(', ')}`);
      const spaced = skipped.flatMap((s) => (s.spaced ? [s] : [])).map((s) => spacedNote(s));
      const said = [
        ...(bypass.length > 0 ? [`${parts.join('; ')} bypass the linkerd-proxy (${bypass.map((s) => s.source).join(', ')}): traffic on these ports is neither authenticated nor encrypted by the mesh`] : []),
        ...spaced,
        ...bySubnet,
      ];
      out.push({
        status: 'fail',
        resource: ref,
        message: `${refString(ref)}: ${said.join('; ')}${unreadText}${note}.`,
        evidence,
      });
    }
    return out;
  },
};
