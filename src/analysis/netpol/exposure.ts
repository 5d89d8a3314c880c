// Who can reach a workload from far away: from outside the cluster (LoadBalancer/NodePort
// Services, a Service's externalIPs, a container's hostPort, and the routes of edge
// controllers: Ingress, Gateway API, Istio, Traefik, Contour) and from every namespace. A route's backend counts only when the controller's pods can reach
// it under the effective policies. Feeds report.json and `network.exposed-workload`.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { connsOf, emptyConns, formatConns, intersectConns, isEmptyConns, isProtocol, subtractConns, unionConns, type ConnSet, type PortInterval } from './conns.ts';
import { classMatches, externalWays, forwardsAcrossNodes, obj, selectorOf, servicePorts, targetConns } from './service-ports.ts';
import { ALL_V4, ALL_V6, formatRange, intersectRanges, ipToString, parseCidr, parseIp, unmapIpv4, type IpRange } from '../../base/ip.ts';
import { workloadsOf } from '../workloads.ts';
import { nodeAddressIndex, type NodeAddress } from './addresses.ts';
import { hostPortOf } from '../host-ports.ts';
import { buildReachability, egressVerdict, ingressVerdict, isolationOf, REMOTE_NODE_PEER, workloadKey, type PodClass, type ReachModel } from './model.ts';
import { cutFamily, unevaluatedSelecting } from './query.ts';
import { describePolicy, type LayerPolicy } from './layers.ts';
import { coversEveryAddress } from './rules.ts';
import { describeRoute, edgeRoutes, type EdgeController, type EdgeRoute, type EdgeVia } from '../edge/routes.ts';
import { configMapUnread } from '../configmaps.ts';
import { awsLoadBalancerOf } from '../tls/cloud-lb.ts';
import { configMapData, nginxAnnotationBool, nginxBool, nginxControllersFor, NGINX_ANNOTATION_PREFIX } from '../tls/nginx.ts';

/**
 * Ways in that take an address outside the cluster straight to the pods: a LoadBalancer or
 * NodePort Service, a Service's `externalIPs` (kube-proxy forwards traffic to those addresses
 * to the Service, whatever its type), and a container's `hostPort` (the pod's port bound on
 * its node's addresses).
 */
export type DirectVia = 'LoadBalancer' | 'NodePort' | 'externalIPs' | 'hostPort';

export interface ExternalPath {
  via: DirectVia | EdgeVia;
  /** The Service, the route (Ingress, HTTPRoute, VirtualService, IngressRoute, HTTPProxy), or for a hostPort the workload, that carries the traffic. */
  through: ResourceRef;
  /** Target (container) ports the path reaches, e.g. "TCP 8080"; for a hostPort with the node's port ("TCP 80 on the node's TCP 8080"). */
  ports: string;
  /**
   * For a direct way in (DirectVia): whether the effective policies (every enforced API) admit
   * some external address on those ports. For a route: whether the edge controller's pods
   * may connect to the backend on those ports; 'not-evaluated' when its pods were not found
   * (the path is then counted as open).
   */
  allowedByPolicy: boolean | 'not-evaluated';
  /**
   * For a direct way in the policies admit: the outside addresses they admit on those ports
   * ("203.0.113.0/24"), when not every address is (an allowlist narrows who can connect; the
   * path is still a way in from outside).
   */
  admittedFrom?: string[];
  /** For a LoadBalancer way its source ranges narrow (admittedFrom): what does ("Service shop/web loadBalancerSourceRanges"). */
  admittedBy?: string;
  /**
   * For a LoadBalancer way narrowed in one family: the addresses of the other it admits too on a
   * condition the objects do not settle (`when`: "if the cluster is dual-stack" for PreferDualStack,
   * "if the cluster's primary IP family is IPv6" for one whose family was assumed; kube-proxy leaves a family no range
   * names open), and why that is unknown.
   */
  alsoFrom?: { from: string[]; when: string; why: string };
  /**
   * For a way in a node forwards under externalTrafficPolicy Cluster whose clients the policies'
   * ipBlocks narrow: what the ipBlocks admit and why that cannot be confirmed (nodeRewriteDoubt).
   * Under a LoadBalancer's source ranges admittedFrom then names the load balancer's ranges; on
   * a way no load balancer narrows it stays the ipBlocks', unless they admit a Node's own
   * address: then every client may get through and admittedFrom is absent.
   */
  clientsInDoubt?: string;
  /** For a way in that exists only if something the objects do not tell holds: what it is (the path counts as open). */
  inDoubt?: string;
  /** For a way in the policies admit but that no client can use: why (allowedByPolicy is then false). */
  blockedBy?: string;
  /** For a route: "host/path → route → Service ns/name:port". */
  route?: string;
  /** For a route: the controller whose pods carry it. */
  controller?: string;
  /** The connections the network admits on this path (for the mesh layer, analysis/edge/effective-exposure.ts). */
  admitted: ConnSet;
  /** For a route: the controller's workloads (the callers the backend's mesh judges). */
  callers?: ResourceRef[];
  /** For a Gateway API route: why it is not known whether the listener admits it (EdgeRoute.attachmentUnknown). */
  attachmentUnknown?: string;
  /** For a route whose controller dials the backend's pod addresses, not the Service: why (the mesh judges such a call apart). */
  podAddressed?: string;
  /** For an ingress-nginx route whose controller dials the backend's Service (service-upstream "true"): why. */
  serviceUpstream?: string;
  /**
   * For a LoadBalancer/NodePort/externalIPs path under Cilium native routing: the ports admitted
   * because a node that forwards the traffic to another node gives it the remote-node identity,
   * and why ("TCP 8080 only when another node forwards it: …"). Absent when nothing is admitted that way alone.
   */
  forwarded?: string;
}

export interface WorkloadExposure {
  workload: ResourceRef;
  podCount: number;
  external: ExternalPath[];
  /** Ingress admits every pod of every namespace (unisolated, or a rule open to all namespaces). */
  fromAllNamespaces: boolean;
  ingressIsolated: boolean;
}

function validPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** Whether a hostIP binds the port to the node's loopback (127.0.0.0/8, ::1): unreachable from off the node. */
function loopback(hostIP: unknown): boolean {
  const parsed = typeof hostIP === 'string' ? parseIp(hostIP) : undefined;
  const ip = parsed && (unmapIpv4(parsed) ?? parsed);
  return !!ip && (ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n);
}

/**
 * Why a way in the effective policies refuse may be open all the same: policies the model does
 * not evaluate (LayerPolicy.unevaluated) select its pods (`who`), and their Allow may come first
 * (query.ts unevaluatedSelecting). Undefined when none does; the path then stays closed.
 */
function unevaluatedOpening(ps: ReadonlySet<LayerPolicy>, who: string): string | undefined {
  if (ps.size === 0) return undefined;
  const list = [...ps];
  const names = list.slice(0, 3).map(describePolicy).join(', ') + (list.length > 3 ? ` (and ${list.length - 3} more)` : '');
  return `the policies refuse it, but ${names} ${list.length > 1 ? 'select' : 'selects'} ${who} and ${list.length > 1 ? 'are' : 'is'} not evaluated by ztaudit (${list[0].errors.join('; ')}), and may allow it first`;
}

/**
 * Connections the effective policies admit to `cls` on `target` from some address outside the
 * cluster, and the address ranges admitted (pieces of both families cut at the policies' ranges).
 */
function externalIngress(model: ReachModel, cls: PodClass, target: ConnSet): { conns: ConnSet; from: IpRange[] } {
  const ranges: IpRange[] = [];
  for (const p of cls.ingressPolicies) for (const r of p.ingress ?? []) if (r.peers !== 'any') for (const peer of r.peers) if (peer.kind === 'ipBlock') ranges.push(...peer.ranges);
  let conns = emptyConns();
  const from: IpRange[] = [];
  // Both families cut at the policies' ranges: an IPv6 allowlist admits only its own addresses.
  const probes = [...cutFamily(ranges, 4), ...cutFamily(ranges, 6)];
  for (const piece of probes) {
    const c = intersectConns(target, ingressVerdict(model, { kind: 'ip', family: piece.family, value: piece.lo, text: formatRange(piece) }, { kind: 'class', cls }).conns);
    if (isEmptyConns(c)) continue;
    conns = unionConns(conns, c);
    from.push(piece);
  }
  return { conns, from };
}

/** The legacy form of spec.loadBalancerSourceRanges, read when the field is empty. */
export const LB_SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';
/**
 * The AWS Load Balancer Controller's spec.loadBalancerClass, whose NLBs honour the annotation
 * (kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/,
 * "Access control"). Any other class leaves the annotation to nobody: kube-proxy reads the field
 * alone (kubernetes/kubernetes v1.34.0 pkg/proxy/serviceport.go newBaseServiceInfo) and the cloud providers' service
 * controllers skip a Service with a loadBalancerClass.
 */
const AWS_LBC_NLB_CLASS = 'service.k8s.aws/nlb';
/** The annotation naming a load balancer's security groups (the AWS Load Balancer Controller's NLB, the in-tree provider's Classic Load Balancer). */
const AWS_SECURITY_GROUPS_ANNOTATION = 'service.beta.kubernetes.io/aws-load-balancer-security-groups';

/**
 * The client addresses a LoadBalancer Service's load balancer admits, and what says so, when
 * they narrow it; `invalid` when they cannot be read (the load balancer is then taken as open).
 * The field wins when set, else the annotation, a comma-separated list, else 0.0.0.0/0; each
 * entry trimmed, host bits allowed; one invalid entry fails the whole list
 * (k8s.io/cloud-provider service/helpers GetLoadBalancerSourceRanges, which the AWS and GCE
 * providers program their load balancer's firewall from; the AWS Load Balancer Controller
 * documents both forms, kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/,
 * "Access control"). kube-proxy filters the load balancer's IP by the field alone, per family
 * (kubernetes/kubernetes v1.34.0 pkg/proxy/serviceport.go newBaseServiceInfo): a family of
 * spec.ipFamilies no range names is left open. Node ports and externalIPs are not filtered.
 */
export function loadBalancerSources(snapshot: Snapshot, svc: KubeObject): LoadBalancerSources | { invalid: string } | undefined {
  const name = `Service ${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`;
  const spec = obj(svc.spec);
  const field = Array.isArray(spec.loadBalancerSourceRanges) ? (spec.loadBalancerSourceRanges as unknown[]) : [];
  const ann = svc.metadata?.annotations?.[LB_SOURCE_RANGES_ANNOTATION];
  const cls = spec.loadBalancerClass;
  let entries: unknown[];
  let by: string;
  if (field.length > 0) {
    entries = field;
    by = `${name} loadBalancerSourceRanges`;
  } else {
    if (typeof ann !== 'string' || ann.trim() === '') return undefined;
    if (cls !== undefined && cls !== null && cls !== AWS_LBC_NLB_CLASS) {
      return { invalid: `${name} annotation ${LB_SOURCE_RANGES_ANNOTATION} is not enforced: its spec.loadBalancerClass ${JSON.stringify(cls)} is served by no cloud provider's service controller, and kube-proxy reads only spec.loadBalancerSourceRanges; its LoadBalancer is counted as open to every address` };
    }
    entries = ann.trim().split(',');
    by = `${name} annotation ${LB_SOURCE_RANGES_ANNOTATION}`;
  }
  const customGroups = customSecurityGroups(snapshot, svc, by);
  if (customGroups) return { invalid: customGroups };
  const ranges: IpRange[] = [];
  for (const e of entries) {
    const r = typeof e === 'string' ? parseCidr(e.trim()) : undefined;
    if (!r) return { invalid: `${by}: ${JSON.stringify(e)} is not a CIDR, so the list is refused (the cloud provider does not program it); its LoadBalancer is counted as open to every address` };
    ranges.push(r);
  }
  // The AWS Load Balancer Controller programs the NLB's security group from the ranges as
  // listed: the default 0.0.0.0/0 (and ::/0 when dualstack) only when none is, whatever the
  // Service's IP families, so a family no range names stays closed there.
  if (cls === AWS_LBC_NLB_CLASS) return admittedFromText(ranges) ? { ranges, by } : undefined;
  const families = serviceFamilies(spec, clusterPrimaryFamily(snapshot).family);
  if (families.certain.includes(4) && !ranges.some((r) => r.family === 4)) ranges.push(ALL_V4);
  if (families.certain.includes(6) && !ranges.some((r) => r.family === 6)) ranges.push(ALL_V6);
  if (!admittedFromText(ranges)) return undefined;
  const maybe = families.maybe;
  if (maybe && !ranges.some((r) => r.family === maybe.family)) {
    return { ranges, by, unconfirmed: { range: maybe.family === 4 ? ALL_V4 : ALL_V6, when: 'if the cluster is dual-stack', why: `${name} sets ipFamilyPolicy PreferDualStack without both spec.ipFamilies, so whether it also has an IPv${maybe.family} address (and, no range naming that family, no filter there) depends on whether the cluster is dual-stack, which cannot be confirmed from these objects` } };
  }
  // Taken as IPv4 for want of anything saying otherwise: only IPv4 ranges narrow it then, and on
  // an IPv6 cluster kube-proxy would find no range of the Service's family and filter nothing.
  if (families.assumed && !ranges.some((r) => r.family === 6)) {
    return { ranges, by, unconfirmed: { range: ALL_V6, when: 'if the cluster\'s primary IP family is IPv6', why: `${name} lists neither spec.ipFamilies nor a cluster IP, and the snapshot does not show the cluster's primary IP family (Service default/kubernetes), so the Service was taken as IPv4; the API server gives it the primary family, and kube-proxy filters an IPv6 Service by IPv6 ranges only, of which none is listed` } };
  }
  return { ranges, by };
}

/** The families of IP addresses ("10.96.0.1"; "None" and the unparseable give none), in order. */
function familiesOf(ips: unknown[]): Array<4 | 6> {
  return ips.flatMap((ip): Array<4 | 6> => {
    const parsed = typeof ip === 'string' ? parseIp(ip.trim()) : undefined;
    return parsed ? [parsed.family] : [];
  });
}

/** The IP families a Service's spec names: spec.ipFamilies, else those of spec.clusterIPs (or spec.clusterIP). */
function specFamilies(spec: Record<string, unknown>): Array<4 | 6> {
  const listed = (Array.isArray(spec.ipFamilies) ? spec.ipFamilies : []).flatMap((f): Array<4 | 6> => (f === 'IPv4' ? [4] : f === 'IPv6' ? [6] : []));
  if (listed.length > 0) return listed;
  return familiesOf(Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0 ? spec.clusterIPs : [spec.clusterIP]);
}

/**
 * The cluster's primary IP family (the family of the first --service-cluster-ip-range), as the
 * Service default/kubernetes shows it: the API server gives it the first address of that range
 * (kubernetes/kubernetes v1.34.0 cmd/kube-apiserver/app/options/completion.go, ServiceIPRange of
 * the primary range; pkg/controlplane/controller/kubernetesservice/controller.go creates it
 * SingleStack at that ClusterIP). Undefined when the snapshot does not hold it (manifests
 * seldom do). Once per snapshot: one pass over the Services.
 */
const clusterPrimaryFamily = memoize((snapshot: Snapshot): { family?: 4 | 6 } => {
  for (const svc of snapshot.resources.services ?? []) {
    if (svc.metadata?.name !== 'kubernetes' || (svc.metadata?.namespace ?? 'default') !== 'default') continue;
    const family = specFamilies(obj(svc.spec))[0];
    return family ? { family } : {};
  }
  return {};
}, ['network', 'tls']);

/**
 * Why a LoadBalancer Service's source ranges cannot be confirmed when its annotation
 * service.beta.kubernetes.io/aws-load-balancer-security-groups names security groups of the
 * user's own (a comma-separated list, empty entries dropped: cloud-provider-aws
 * getSGListFromAnnotation, the AWS Load Balancer Controller's splitCommaSeparatedString), and who
 * provisions its load balancer (awsLoadBalancerOf) leaves those groups as they are:
 * - the AWS Load Balancer Controller builds no managed group from the ranges then ("this
 *   annotation will be ignored if service.beta.kubernetes.io/aws-load-balancer-security-groups
 *   is specified", its annotations page, "Access control"; v3.5.0 pkg/service/model_build_load_balancer.go
 *   buildLoadBalancerSecurityGroups builds the managed group only when the list is empty);
 * - the in-tree AWS cloud provider's Classic Load Balancer attaches those groups instead of one
 *   of its own and writes the range rules only into a group it creates (kubernetes/cloud-provider-aws
 *   v1.36.1 pkg/providers/v1/aws.go buildELBSecurityGroupList returns setupSg false, and
 *   EnsureLoadBalancer adds the ingress rules "if setupSg").
 * Its in-tree Network Load Balancer never reads the annotation for the ranges: they go to the
 * nodes' security groups (updateInstanceSecurityGroupsForNLB), and from v1.35.0 the provider
 * refuses the annotation on an NLB outright (aws_validations.go validateServiceAnnotations), so
 * there the ranges stand. Who the groups admit is no Kubernetes object: undefined when the ranges stand.
 */
function customSecurityGroups(snapshot: Snapshot, svc: KubeObject, by: string): string | undefined {
  const groups = svc.metadata?.annotations?.[AWS_SECURITY_GROUPS_ANNOTATION];
  if (typeof groups !== 'string' || !groups.split(',').some((g) => g.trim() !== '')) return undefined;
  const aws = awsLoadBalancerOf(snapshot, svc);
  const tail = `names the NLB's security groups, and who those admit is not in the cluster; its LoadBalancer is counted as open to every address`;
  if (aws?.by === 'lbc') return `${by} cannot be confirmed: the AWS Load Balancer Controller does not apply them when annotation ${AWS_SECURITY_GROUPS_ANNOTATION} ${tail}`;
  if (aws?.by !== 'in-tree') return undefined;
  if (aws.kind === 'Classic') {
    return aws.undecided
      ? `${by} cannot be confirmed: neither the AWS cloud provider's Classic Load Balancer nor the AWS Load Balancer Controller (which may claim the Service: ${aws.undecided}) applies them when annotation ${AWS_SECURITY_GROUPS_ANNOTATION} ${tail}`
      : `${by} cannot be confirmed: the AWS cloud provider's Classic Load Balancer takes the security groups annotation ${AWS_SECURITY_GROUPS_ANNOTATION} names as they are and writes the ranges into no group but one it creates itself, and who those groups admit is not in the cluster; its LoadBalancer is counted as open to every address`;
  }
  return aws.undecided
    ? `${by} cannot be confirmed: the AWS Load Balancer Controller may claim the Service (${aws.undecided}), and it does not apply them when annotation ${AWS_SECURITY_GROUPS_ANNOTATION} ${tail}`
    : undefined;
}

/**
 * The IP families kube-proxy serves a Service on (it filters each by the ranges of its own
 * family, kubernetes/kubernetes v1.34.0 pkg/proxy/serviceport.go newBaseServiceInfo), as far as
 * the objects tell: RequireDualStack always has both (the API server refuses it on a single-stack
 * cluster and adds the missing family, v1.34.0 pkg/registry/core/service/storage/alloc.go
 * initIPFamilyFields; kubernetes.io/docs/concepts/services-networking/dual-stack/), as does a
 * two-family spec.ipFamilies. PreferDualStack gets both only on a dual-stack cluster: once the
 * API server has stored the Service (spec.clusterIPs set) its spec.ipFamilies says which it got;
 * in manifests the second family is `maybe`. Without spec.ipFamilies the family is that of its
 * cluster IPs (initIPFamilyFields infers spec.ipFamilies from spec.clusterIPs), else the
 * cluster's primary family ("The address family of a Service defaults to the address family of
 * the first service cluster IP range", dual-stack.md; initIPFamilyFields "nil families, gets
 * cluster default"), `primary`; without it IPv4 is `assumed`, as on most clusters.
 */
function serviceFamilies(spec: Record<string, unknown>, primary: 4 | 6 | undefined): { certain: Array<4 | 6>; maybe?: { family: 4 | 6 }; assumed?: true } {
  const own = specFamilies(spec);
  const first = own[0] ?? primary ?? 4;
  const other: 4 | 6 = first === 4 ? 6 : 4;
  if (spec.ipFamilyPolicy === 'RequireDualStack' || new Set(own).size > 1) return { certain: [4, 6] };
  const stored = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0;
  if (spec.ipFamilyPolicy === 'PreferDualStack' && !stored) return { certain: [first], maybe: { family: other } };
  return own.length === 0 && primary === undefined ? { certain: [first], assumed: true } : { certain: [first] };
}

/**
 * What a LoadBalancer Service's source ranges admit: `unconfirmed` names a family that may be
 * served unfiltered, on what condition ("if the cluster is dual-stack") and why it is not known.
 */
export interface LoadBalancerSources { ranges: IpRange[]; by: string; unconfirmed?: { range: IpRange; when: string; why: string } }

/** Whether a port of the Service has a node port allocated (spec.ports[].nodePort). */
function hasNodePort(svc: KubeObject): boolean {
  const ports = obj(svc.spec).ports;
  return Array.isArray(ports) && ports.some((p) => validPort(obj(p).nodePort));
}

/** Every address of both families. */
const EVERY_ADDRESS: IpRange[] = [ALL_V4, ALL_V6];

/** Ranges merged where they touch, by family then address. */
function mergeRanges(list: readonly IpRange[]): IpRange[] {
  const sorted = [...list].sort((a, b) => a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: IpRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) out[out.length - 1] = { ...last, hi: r.hi };
    } else out.push(r);
  }
  return out;
}

/** "203.0.113.0/24" for a range that is one CIDR block, "a-b" otherwise. */
function rangeText(r: IpRange): string {
  const size = r.hi - r.lo + 1n;
  const bits = r.family === 4 ? 32 : 128;
  const host = size.toString(2).length - 1;
  return size === 1n << BigInt(host) && r.lo % size === 0n ? `${ipToString(r.family, r.lo)}/${bits - host}` : formatRange(r);
}

/**
 * The admitted sources as people read them, when they narrow who can connect: undefined once
 * they cover every address of a family (0.0.0.0/0 alone is no allowlist, as
 * network.allow-all-ingress says).
 */
export function admittedFromText(from: readonly IpRange[]): string[] | undefined {
  const merged = mergeRanges(from);
  if (coversEveryAddress(merged)) return undefined;
  return merged.map(rangeText);
}

/**
 * Whether a pod of every namespace can connect: the class is open to a pod no policy names,
 * or an Allow rule admits any peer, the whole cluster, or every pod of namespaces that
 * together are all namespaces (an Allow-all rule counts even when it is what isolates the pod).
 */
function openToAllNamespaces(model: ReachModel, cls: PodClass, cache: Map<string, boolean>): boolean {
  if (!isEmptyConns(isolationOf(model, cls, 'ingress').openToPods)) return true;
  for (const p of cls.ingressPolicies) {
    for (const r of p.ingress ?? []) {
      if (r.action !== 'Allow') continue;
      if (r.peers === 'any') return true;
      for (const peer of r.peers) {
        if (peer.kind === 'entity' && (peer.entity === 'all' || peer.entity === 'cluster')) return true;
        if (peer.kind !== 'pods' || peer.namespaces.kind !== 'selector' || (peer.pods && !peer.pods.empty) || peer.where || peer.serviceAccounts || peer.serviceAccountNames) continue;
        const sel = peer.namespaces.selector;
        let all = cache.get(sel.key);
        if (all === undefined) {
          // Stops at the first namespace it misses: most selectors name one namespace.
          all = true;
          for (const labels of model.namespaceLabels.values()) if (!sel.matches(labels)) { all = false; break; }
          cache.set(sel.key, all);
        }
        if (all) return true;
      }
    }
  }
  return false;
}

/** An edge controller's pod classes (its workloads, then its label selectors), resolved once per controller. */
function controllerClassesOf(model: ReachModel): (c: EdgeController) => PodClass[] {
  const controllerClasses = new Map<string, PodClass[]>();
  return (c) => {
    const k = JSON.stringify([c.workloads, c.selectors]);
    let found = controllerClasses.get(k);
    if (found) return found;
    const set = new Set<PodClass>();
    for (const ref of c.workloads) for (const cls of model.workloadByKey.get(workloadKey(ref))?.classes ?? []) set.add(cls);
    for (const sel of c.selectors) {
      for (const cls of sel.namespace !== undefined ? model.classesByNamespace.get(sel.namespace) ?? [] : model.classes) if (classMatches(cls, sel.labels)) set.add(cls);
    }
    controllerClasses.set(k, (found = [...set]));
    return found;
  };
}

/** The workloads of a controller's pod classes (the callers a backend's mesh judges). */
function callerRefs(model: ReachModel, ctrl: PodClass[]): ResourceRef[] {
  const keys = new Set<string>();
  for (const c of ctrl) for (const wk of c.workloads) keys.add(wk);
  return [...keys].flatMap((k) => { const n = model.workloadByKey.get(k); return n ? [n.ref] : []; });
}

/** The pod classes a route's backend Service selects; undefined for a Service without a selector (no path). */
function backendClasses(model: ReachModel, svc: KubeObject, r: EdgeRoute): PodClass[] | undefined {
  const sel = selectorOf(svc);
  if (!sel) return undefined;
  return (model.classesByNamespace.get(r.backend.namespace) ?? []).filter((cls) => classMatches(cls, sel));
}

/**
 * The Services the routes name as backends, by "namespace/name" (the later of two Services with
 * one key wins). Only a Service whose namespace can begin one of those keys (its text up to a
 * "/") has its key made: one string per Service of the cluster was 50,000 keys at L for the
 * 2,000 routes' backends.
 */
export function backendServices(services: readonly KubeObject[], routes: readonly EdgeRoute[]): Map<string, KubeObject> {
  const wanted = new Set<string>();
  const namespaces = new Set<string>();
  for (const r of routes) {
    const key = `${r.backend.namespace}/${r.backend.name}`;
    wanted.add(key);
    for (let at = key.indexOf('/'); at >= 0; at = key.indexOf('/', at + 1)) namespaces.add(key.slice(0, at));
  }
  const out = new Map<string, KubeObject>();
  for (const svc of services) {
    const ns = svc.metadata?.namespace ?? 'default';
    if (!namespaces.has(ns)) continue;
    const key = `${ns}/${svc.metadata?.name ?? ''}`;
    if (wanted.has(key)) out.set(key, svc);
  }
  return out;
}

/**
 * The Nodes' InternalIP and ExternalIP addresses (status.addresses,
 * kubernetes.io/docs/reference/node/node-status/#addresses), each family sorted by address so
 * that a range is searched in O(log Nodes); or why they are not known (the Nodes not read, none
 * in the snapshot, or none with such an address).
 */
function nodeAddresses(snapshot: Snapshot): { sorted: Record<4 | 6, NodeAddress[]> } | { why: string } {
  const index = nodeAddressIndex(snapshot);
  if ('why' in index) return index;
  const sorted: Record<4 | 6, NodeAddress[]> = { 4: [], 6: [] };
  for (const a of index.all) if (a.type === 'InternalIP' || a.type === 'ExternalIP') sorted[a.family].push(a);
  if (!sorted[4].length && !sorted[6].length) return { why: (snapshot.resources.nodes ?? []).length ? 'no Node in the snapshot shows an InternalIP or ExternalIP' : 'the snapshot holds no Node' };
  for (const f of [4, 6] as const) sorted[f].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { sorted };
}

/** The first of `sorted` (one family, by address) that lies in `r`: a binary search for the lowest at or above r.lo. */
function firstWithin(sorted: readonly NodeAddress[], r: IpRange): NodeAddress | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.value < r.lo) lo = mid + 1;
    else hi = mid;
  }
  const a = sorted[lo];
  return a && a.value <= r.hi ? a : undefined;
}

/**
 * Why ipBlocks that admit only `from` may not be judging the client of a path a node forwards
 * under externalTrafficPolicy Cluster, shared by every such path (NodePort, externalIPs, a
 * LoadBalancer, narrowed by its source ranges or not). "Packets sent to Services with
 * Type=NodePort are source NAT'd by default" and so are a LoadBalancer's
 * (kubernetes.io/docs/tutorials/services/source-ip/), and "it is not defined whether [source
 * rewriting] happens before or after NetworkPolicy processing"
 * (kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors):
 * the ipBlocks may be judging a node's address instead. When they admit a Node's own
 * InternalIP or ExternalIP, every client (`clients`) may get through: `node` names it.
 */
function nodeRewriteDoubt(nodes: ReturnType<typeof nodeAddresses>, from: readonly IpRange[], clients: string): { text: string; node?: string } {
  const base = 'under externalTrafficPolicy Cluster a node may rewrite the client address to its own before NetworkPolicy judges it, so the ipBlocks may be judging node addresses';
  if ('why' in nodes) return { text: `${base}; ${nodes.why}, so whether they admit a node's own address, and with it ${clients}, is not known` };
  for (const r of mergeRanges(from)) {
    const a = firstWithin(nodes.sorted[r.family], r);
    if (a) {
      const node = `Node ${a.node}'s ${a.type} ${ipToString(a.family, a.value)}`;
      return { text: `${base}, and they admit ${node}: ${clients} may get through`, node };
    }
  }
  return { text: `${base}; they admit no Node's InternalIP or ExternalIP` };
}

/** Workloads reachable from outside the cluster or from every namespace, sorted by namespace/name. */
export const networkExposure = memoize((snapshot: Snapshot): WorkloadExposure[] => {
  const model = buildReachability(snapshot);
  const byWorkload = new Map<string, WorkloadExposure>();
  const entry = (key: string): WorkloadExposure | undefined => {
    const node = model.workloadByKey.get(key);
    if (!node) return undefined;
    let e = byWorkload.get(key);
    if (!e) {
      e = { workload: node.ref, podCount: node.podCount, external: [], fromAllNamespaces: false, ingressIsolated: node.classes.some((c) => !c.hostNetwork && isolationOf(model, c, 'ingress').isolated) };
      byWorkload.set(key, e);
    }
    return e;
  };

  const services = snapshot.resources.services ?? [];
  const routes = edgeRoutes(snapshot).routes;
  const svcByName = backendServices(services, routes);
  // Read only when a path a node forwards is narrowed by ipBlocks.
  let nodesRead: ReturnType<typeof nodeAddresses> | undefined;
  const nodes = () => (nodesRead ??= nodeAddresses(snapshot));

  const addPath = (svc: KubeObject, via: 'LoadBalancer' | 'NodePort' | 'externalIPs', through: ResourceRef, onlyPort?: { number?: unknown; name?: unknown }) => {
    const sel = selectorOf(svc);
    const ns = svc.metadata?.namespace ?? 'default';
    const ports = servicePorts(svc);
    if (!sel) return;
    // Cilium native routing: what a node forwards to a pod on another node carries the remote-node identity (REMOTE_NODE_PEER).
    const forwarded = model.ciliumNativeRouting && forwardsAcrossNodes(svc);
    const perWorkload = new Map<string, { conns: ConnSet; allowed: ConnSet; forwarded: ConnSet; from: IpRange[] }>();
    const unevaluated = new Map<string, Set<LayerPolicy>>();
    for (const cls of model.classesByNamespace.get(ns) ?? []) {
      if (!classMatches(cls, sel)) continue;
      for (const u of cls.hostNetwork ? [] : unevaluatedSelecting(model, cls, 'ingress')) for (const wk of cls.workloads) { const set = unevaluated.get(wk) ?? new Set(); set.add(u); unevaluated.set(wk, set); }
      const target = targetConns(cls, ports, onlyPort);
      // NetworkPolicy on a hostNetwork pod is implementation-defined and mostly ignored
      // (kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods): no policy vouches for it.
      const outside = cls.hostNetwork ? { conns: target, from: EVERY_ADDRESS } : externalIngress(model, cls, target);
      const direct = outside.conns;
      const viaNode = forwarded && !cls.hostNetwork ? subtractConns(intersectConns(target, ingressVerdict(model, REMOTE_NODE_PEER, { kind: 'class', cls }).conns), direct) : emptyConns();
      // What a node forwards arrives from any address.
      const from = isEmptyConns(viaNode) ? outside.from : EVERY_ADDRESS;
      for (const wk of cls.workloads) {
        const cur = perWorkload.get(wk) ?? { conns: emptyConns(), allowed: emptyConns(), forwarded: emptyConns(), from: [] };
        perWorkload.set(wk, { conns: unionConns(cur.conns, target), allowed: unionConns(cur.allowed, unionConns(direct, viaNode)), forwarded: unionConns(cur.forwarded, viaNode), from: [...cur.from, ...from] });
      }
    }
    // The load balancer drops other clients before any node or policy sees them, forwarded or not.
    const lb = via === 'LoadBalancer' ? loadBalancerSources(snapshot, svc) : undefined;
    const narrowed = lb && 'ranges' in lb ? lb : undefined;
    for (const [wk, { conns, allowed: admittedConns, forwarded: viaNode, from }] of perWorkload) {
      const e = entry(wk);
      if (!e) continue;
      const outside = subtractConns(admittedConns, viaNode);
      const both = narrowed ? intersectRanges(mergeRanges(from), mergeRanges(narrowed.ranges)) : from;
      // The family a PreferDualStack Service may also be served on, unfiltered, as far as the policies admit it.
      const maybe = narrowed?.unconfirmed ? intersectRanges(mergeRanges(from), [narrowed.unconfirmed.range]) : [];
      const maybeText = admittedFromText(maybe) ?? [`every IPv${maybe[0]?.family ?? 6} address`];
      let allowed = admittedConns;
      let inDoubt: string | undefined;
      let blockedBy: string | undefined;
      if (narrowed && both.length === 0 && !isEmptyConns(allowed)) {
        const ranges = admittedFromText(narrowed.ranges)!.join(', ');
        if (maybe.length > 0) {
          inDoubt = narrowed.unconfirmed!.why;
        } else if (forwardsAcrossNodes(svc)) {
          // Under externalTrafficPolicy Cluster the ipBlocks may judge a node's address, not the client's (nodeRewriteDoubt).
          inDoubt = `its load balancer admits ${ranges} only (${narrowed.by}) and the NetworkPolicy ipBlocks admit none of those clients, but ${nodeRewriteDoubt(nodes(), from, 'every client the load balancer admits').text}`;
        } else {
          // externalTrafficPolicy Local keeps the client's address
          // (kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip):
          // the policies judge the clients the load balancer lets through, and admit none of them.
          blockedBy = `its load balancer admits ${ranges} only (${narrowed.by}) and the NetworkPolicy ipBlocks admit none of those clients (externalTrafficPolicy Local keeps the client address)`;
          allowed = emptyConns();
        }
      }
      let admittedFrom = isEmptyConns(allowed) ? undefined : narrowed && both.length === 0 ? (maybe.length > 0 ? maybeText : undefined) : admittedFromText(both);
      let admittedBy = narrowed && admittedFrom ? (admittedFromText(from) ? `NetworkPolicy ipBlocks and ${narrowed.by}` : narrowed.by) : undefined;
      // The ipBlocks admit only some of the clients the load balancer lets through. Under
      // externalTrafficPolicy Cluster they may be judging a node's address instead (as above), so
      // those they admit are not known to be the ones that get through: the clients are the
      // load balancer's, and what the ipBlocks would admit of them is said to be in doubt.
      let clientsInDoubt: string | undefined;
      const lbText = narrowed && admittedFromText(narrowed.ranges);
      if (narrowed && lbText && admittedFrom && both.length > 0 && admittedFromText(from) && forwardsAcrossNodes(svc) && admittedFrom.join(', ') !== lbText.join(', ')) {
        clientsInDoubt = `the NetworkPolicy ipBlocks admit only ${admittedFrom.join(', ')} of those clients, but ${nodeRewriteDoubt(nodes(), from, 'every client the load balancer admits').text}`;
        admittedFrom = lbText;
        admittedBy = narrowed.by;
      } else if (!narrowed && admittedFrom && forwardsAcrossNodes(svc)) {
        // The same doubt on a path no load balancer narrows (a NodePort, externalIPs, a
        // LoadBalancer without source ranges): the ipBlocks alone narrow it, and when they admit
        // a Node's own address every client may get through, so the path is named as open to all.
        const doubt = nodeRewriteDoubt(nodes(), from, 'every client');
        clientsInDoubt = `the NetworkPolicy ipBlocks admit only ${admittedFrom.join(', ')}, but ${doubt.text}`;
        if (doubt.node) admittedFrom = undefined;
      }
      const alsoFrom = !isEmptyConns(allowed) && both.length > 0 && maybe.length > 0 ? { from: maybeText, when: narrowed!.unconfirmed!.when, why: narrowed!.unconfirmed!.why } : undefined;
      const opening = isEmptyConns(allowed) ? unevaluatedOpening(unevaluated.get(wk) ?? new Set(), 'its pods') : undefined;
      if (opening) {
        // Refused only by the policies the model evaluates: open, in doubt, on every port the way leads to.
        allowed = conns;
        inDoubt = opening;
        blockedBy = undefined;
      }
      e.external.push({
        via,
        through,
        ports: isEmptyConns(conns) ? 'none resolved' : formatConns(conns),
        allowedByPolicy: !isEmptyConns(allowed),
        admitted: allowed,
        ...(admittedFrom ? { admittedFrom } : {}),
        ...(admittedBy ? { admittedBy } : {}),
        ...(alsoFrom ? { alsoFrom } : {}),
        ...(clientsInDoubt ? { clientsInDoubt } : {}),
        ...(inDoubt ? { inDoubt } : {}),
        ...(blockedBy ? { blockedBy } : {}),
        ...(isEmptyConns(viaNode) ? {} : { forwarded: `${formatConns(viaNode)} ${isEmptyConns(outside) ? 'only ' : ''}when another node forwards it: under Cilium native routing it arrives with the remote-node identity, which the policies admit (externalTrafficPolicy is not Local)` }),
      });
    }
  };

  for (const svc of services) {
    const through = { kind: 'Service', namespace: svc.metadata?.namespace ?? 'default', name: svc.metadata?.name ?? '' };
    for (const via of externalWays(svc)) {
      addPath(svc, via, through);
      // Source ranges filter the load balancer's address only: the node ports it is given
      // (unless allocateLoadBalancerNodePorts is false and none is left allocated from before,
      // https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-nodeport-allocation)
      // admit any client, so once the load balancer is narrowed they are a way in of their own.
      if (via === 'LoadBalancer' && (obj(svc.spec).allocateLoadBalancerNodePorts !== false || hasNodePort(svc))) {
        const lb = loadBalancerSources(snapshot, svc);
        if (lb && 'ranges' in lb) addPath(svc, 'NodePort', through);
      }
    }
  }

  // ContainerPort.hostPort (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports)
  // binds the container port on the node: the node's addresses lead to the pod's port, which
  // the pod's ingress policies judge as they judge a NodePort's traffic. A host-network pod
  // listens on the node's addresses itself: its hostPort is the container port when unset or 0
  // (hostPortOf; manifests usually omit it), and a hostIP binds nothing there, since the
  // process picks its own address in the node's network namespace. For any other pod a hostIP
  // on loopback ("What host IP to bind the external port to") is not reachable from off the node.
  for (const w of workloadsOf(snapshot)) {
    const ports: PortInterval[] = [];
    const onNode = new Set<string>();
    // A pod adds only what its spec says: replicas sharing one spec object (the snapshot reader
    // makes equal values one object) add nothing new, so each spec is read once per workload
    // (150,000 pods, 55,000 specs at L).
    const specsSeen = new Set<unknown>();
    for (const pod of w.pods) {
      if (specsSeen.has(pod.spec)) continue;
      specsSeen.add(pod.spec);
      const hostNetwork = pod.spec?.hostNetwork === true;
      for (const list of [pod.spec?.containers, pod.spec?.initContainers]) {
        if (!Array.isArray(list)) continue;
        for (const c of list) {
          for (const raw of Array.isArray(obj(c).ports) ? (obj(c).ports as unknown[]) : []) {
            const p = obj(raw);
            const proto = p.protocol === undefined ? 'TCP' : p.protocol;
            const hostPort = hostPortOf(p, hostNetwork);
            if (!isProtocol(proto) || !validPort(hostPort) || !validPort(p.containerPort) || (!hostNetwork && loopback(p.hostIP))) continue;
            ports.push([proto, p.containerPort, p.containerPort]);
            onNode.add(`${proto} ${p.containerPort} on the node's ${proto} ${hostPort}${hostNetwork ? ', as a host-network pod' : ''}`);
          }
        }
      }
    }
    const target = connsOf(ports);
    if (isEmptyConns(target)) continue;
    // Looked up only now: most workloads have no hostPort, and the key is a string per workload.
    const node = model.workloadByKey.get(workloadKey(w.ref));
    if (!node) continue;
    let allowed = emptyConns();
    const from: IpRange[] = [];
    const unevaluated = new Set<LayerPolicy>();
    // A hostNetwork pod's policies are not to be relied on (as for the Services above).
    for (const cls of node.classes) {
      const outside = cls.hostNetwork ? { conns: target, from: EVERY_ADDRESS } : externalIngress(model, cls, target);
      allowed = unionConns(allowed, outside.conns);
      from.push(...outside.from);
      for (const u of cls.hostNetwork ? [] : unevaluatedSelecting(model, cls, 'ingress')) unevaluated.add(u);
    }
    const admittedFrom = isEmptyConns(allowed) ? undefined : admittedFromText(from);
    const inDoubt = isEmptyConns(allowed) ? unevaluatedOpening(unevaluated, 'its pods') : undefined;
    if (inDoubt) allowed = target;
    entry(node.key)?.external.push({ via: 'hostPort', through: w.ref, ports: [...onNode].join(', '), allowedByPolicy: !isEmptyConns(allowed), admitted: allowed, ...(admittedFrom ? { admittedFrom } : {}), ...(inDoubt ? { inDoubt } : {}) });
  }

  const classesOf = controllerClassesOf(model);
  const seenRoute = new Set<string>();
  const addRoute = (r: EdgeRoute) => {
    const svc = svcByName.get(`${r.backend.namespace}/${r.backend.name}`);
    const backend = svc && backendClasses(model, svc, r);
    if (!svc || !backend) return;
    const ports = servicePorts(svc);
    const ctrl = classesOf(r.controller);
    const perWorkload = new Map<string, { conns: ConnSet; allowed: ConnSet; unevaluated: Set<LayerPolicy> }>();
    const ctrlUnevaluated = new Set<LayerPolicy>();
    for (const c of ctrl) for (const u of unevaluatedSelecting(model, c, 'egress')) ctrlUnevaluated.add(u);
    for (const cls of backend) {
      const target = targetConns(cls, ports, r.backend.port);
      let allowed = emptyConns();
      for (const c of ctrl) {
        const src = { kind: 'class', cls: c } as const;
        const dst = { kind: 'class', cls } as const;
        const e = intersectConns(target, egressVerdict(model, src, dst).conns);
        if (isEmptyConns(e)) continue;
        allowed = unionConns(allowed, cls.hostNetwork ? e : intersectConns(e, ingressVerdict(model, src, dst).conns));
      }
      const own = cls.hostNetwork ? [] : unevaluatedSelecting(model, cls, 'ingress');
      for (const wk of cls.workloads) {
        const cur = perWorkload.get(wk) ?? { conns: emptyConns(), allowed: emptyConns(), unevaluated: new Set<LayerPolicy>() };
        for (const u of ctrlUnevaluated) cur.unevaluated.add(u);
        for (const u of own) cur.unevaluated.add(u);
        perWorkload.set(wk, { conns: unionConns(cur.conns, target), allowed: unionConns(cur.allowed, allowed), unevaluated: cur.unevaluated });
      }
    }
    const route = describeRoute(r);
    for (const [wk, { conns, allowed: refusedOrNot, unevaluated }] of perWorkload) {
      const inDoubt = ctrl.length > 0 && isEmptyConns(refusedOrNot) ? unevaluatedOpening(unevaluated, `the pods of ${r.controller.label} or of the backend`) : undefined;
      const allowed = inDoubt ? conns : refusedOrNot;
      if (seenRoute.has(`${wk}\u0000${route}`)) continue;
      seenRoute.add(`${wk}\u0000${route}`);
      const e = entry(wk);
      if (!e) continue;
      e.external.push({
        via: r.via,
        through: r.route,
        ports: isEmptyConns(conns) ? 'none resolved' : formatConns(conns),
        allowedByPolicy: ctrl.length === 0 ? 'not-evaluated' : !isEmptyConns(allowed),
        route,
        controller: r.controller.label,
        admitted: ctrl.length === 0 ? conns : allowed,
        ...(inDoubt ? { inDoubt } : {}),
        callers: callerRefs(model, ctrl),
        ...(r.attachmentUnknown ? { attachmentUnknown: r.attachmentUnknown } : {}),
        ...nginxUpstream(snapshot, r),
      });
    }
  };
  for (const r of routes) addRoute(r);

  const cache = new Map<string, boolean>();
  for (const node of model.workloads) {
    if (!node.classes.some((c) => openToAllNamespaces(model, c, cache))) continue;
    const e = entry(node.key);
    if (e) e.fromAllNamespaces = true;
  }
  const key = (w: WorkloadExposure) => `${w.workload.namespace ?? ''}/${w.workload.name}/${w.workload.kind}`;
  return [...byWorkload.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}, ['network', 'tls']);

/** How an ingress-nginx controller dials one backend of its Ingresses: why it dials the pod addresses, why the Service (both when its Ingresses differ). */
export interface NginxDialing { pods?: string; service?: string }

/**
 * Every (ingress-nginx controller workload, backend workload) pair its Ingresses route, with how
 * the controller dials it (nginxUpstream), as the exposure view resolves the route's ends but
 * without its network verdicts: built once, per route × its backend's classes, so `reach` and the
 * effective matrix look a pair up instead of walking the routes per flow or per row.
 */
const nginxDialings = memoize((snapshot: Snapshot): Map<string, NginxDialing> => {
  const out = new Map<string, NginxDialing>();
  const routes = edgeRoutes(snapshot).routes.filter((r) => r.controller.family === 'ingress-nginx' && r.route.kind === 'Ingress');
  if (routes.length === 0) return out;
  const model = buildReachability(snapshot);
  const svcByName = backendServices(snapshot.resources.services ?? [], routes);
  const classesOf = controllerClassesOf(model);
  for (const r of routes) {
    const svc = svcByName.get(`${r.backend.namespace}/${r.backend.name}`);
    const backend = svc && backendClasses(model, svc, r);
    if (!backend) continue;
    const { podAddressed, serviceUpstream } = nginxUpstream(snapshot, r);
    const callers = callerRefs(model, classesOf(r.controller)).map(workloadKey);
    const targets = new Set<string>();
    for (const cls of backend) for (const wk of cls.workloads) if (model.workloadByKey.has(wk)) targets.add(wk);
    for (const to of targets) {
      for (const from of callers) {
        const key = `${from}\u0000${to}`;
        const d = out.get(key) ?? {};
        if (podAddressed && !d.pods) d.pods = podAddressed;
        if (serviceUpstream && !d.service) d.service = serviceUpstream;
        out.set(key, d);
      }
    }
  }
  return out;
}, ['network', 'tls']);

/** How `from` dials `to` when it is an ingress-nginx controller and `to` a backend of its Ingresses (network.exposed-workload's reading); {} otherwise. */
export function nginxDialing(snapshot: Snapshot, from: ResourceRef, to: ResourceRef): NginxDialing {
  const all = nginxDialings(snapshot);
  return all.size === 0 ? {} : all.get(`${workloadKey(from)}\u0000${workloadKey(to)}`) ?? {};
}

/**
 * ingress-nginx puts the Service's endpoints (pod address and port) in its upstreams unless
 * service-upstream is on: the Ingress's annotation under the controller's prefix
 * (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#service-upstream),
 * else the controller's ConfigMap key, default "false", which "can be overwritten by an annotation"
 * (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#service-upstream).
 * When the controllers serving the Ingress disagree, the one that dials pods is named.
 */
function nginxUpstream(snapshot: Snapshot, r: EdgeRoute): { podAddressed?: string; serviceUpstream?: string } {
  if (r.controller.family !== 'ingress-nginx' || r.route.kind !== 'Ingress') return {};
  const ing = `Ingress ${r.route.namespace}/${r.route.name}`;
  const svc = `Service ${r.backend.namespace}/${r.backend.name}`;
  const controllers = nginxControllersFor(snapshot, r.object);
  const settings = (controllers.length > 0 ? controllers : [undefined]).map((c) => {
    const prefix = c?.annotationPrefix ?? NGINX_ANNOTATION_PREFIX;
    const v = r.object.metadata?.annotations?.[`${prefix}service-upstream`];
    const ann = v === undefined ? undefined : nginxAnnotationBool(v);
    if (ann !== undefined) return { on: ann, why: `${ing} sets ${prefix}service-upstream "${ann}"` };
    // Its --configmap not known (from a Secret, a ConfigMap not read): the ConfigMap may turn it on; the default stands, the more open answer, said so.
    if (c?.configMapUnknown !== undefined) return { on: false, why: `the ConfigMap of ingress-nginx controller ${c.ref.namespace}/${c.ref.name} is not known (${c.configMapUnknown}): service-upstream taken as its default "false"` };
    const cv = c?.configMap ? configMapData(snapshot, c.configMap)?.['service-upstream'] : undefined;
    const cfg = cv === undefined ? undefined : nginxBool(cv);
    // Refused, the ConfigMap may turn it on: the default stands, the more open answer, said so.
    const unread = c?.configMap && cv === undefined ? configMapUnread(snapshot, c.configMap) : undefined;
    if (c?.configMap && unread) return { on: false, why: `ConfigMap ${c.configMap.namespace}/${c.configMap.name} could not be read (${unread}): service-upstream taken as its default "false"` };
    if (c?.configMap && cfg !== undefined) return { on: cfg, why: `ConfigMap ${c.configMap.namespace}/${c.configMap.name} sets service-upstream "${cfg}" and ${ing} does not override it` };
    return { on: false, why: `${ing} sets no ${prefix}service-upstream "true"` };
  });
  const pods = settings.find((s) => !s.on);
  if (pods) return { podAddressed: `ingress-nginx dials the endpoints' pod addresses, not ${svc} (${pods.why})` };
  return { serviceUpstream: `ingress-nginx dials ${svc}, not the endpoints' pod addresses (${settings[0]!.why})` };
}

/**
 * What the exposure view could not follow: routes that lead nowhere, and routes whose edge
 * controller's pods were not found (their backends are counted as exposed), one line each.
 */
export const exposureNotes = memoize((snapshot: Snapshot): string[] => {
  const model = buildReachability(snapshot);
  const { routes, notes } = edgeRoutes(snapshot);
  const out = [...notes];
  for (const svc of snapshot.resources.services ?? []) {
    if (obj(svc.spec).type !== 'LoadBalancer') continue;
    const lb = loadBalancerSources(snapshot, svc);
    if (lb && 'invalid' in lb) out.push(lb.invalid);
  }
  const missing = new Map<string, Set<string>>();
  // Whether a controller's pods exist, once per controller: routes share a handful of them, and
  // a selector without a namespace is tested against every pod class.
  const foundBy = new Map<string, boolean>();
  for (const r of routes) {
    const c = r.controller;
    const key = JSON.stringify([c.workloads.map(workloadKey), c.selectors]);
    let found = foundBy.get(key);
    if (found === undefined) {
      found = c.workloads.some((ref) => model.workloadByKey.has(workloadKey(ref)))
        || c.selectors.some((sel) => (sel.namespace !== undefined ? model.classesByNamespace.get(sel.namespace) ?? [] : model.classes).some((cls) => classMatches(cls, sel.labels)));
      foundBy.set(key, found);
    }
    if (found) continue;
    const l = missing.get(r.controller.label) ?? new Set<string>();
    l.add(`${r.route.kind} ${r.route.namespace}/${r.route.name}`);
    missing.set(r.controller.label, l);
  }
  for (const [label, objs] of missing) out.push(`${[...objs].join(', ')}: the pods of ${label} were not found; their backends are counted as exposed without checking NetworkPolicy`);
  return out;
}, ['network', 'tls']);
