// The per-call judges of Linkerd and Consul over the mesh model, for `reach`, intent rules and
// the report: `linkerdFlowVerdict(model, caller, callee)` and `consulFlowVerdict(model, caller,
// callee)`. The callee is found in the model by namespace and workload name; its labels, ports and
// mesh settings come from there; `callee.port` is the pod's (container) port, which is what
// Linkerd Servers and Consul's excluded ports name. Kept apart from the judges so the model can
// index their inputs.
import type { MeshCallee, MeshCaller, MeshFlowVerdict, MeshVerdictKind } from './flow.ts';
import { consulMutualTLSUnknown, type MeshModel } from './model.ts';
import { judgeLinkerd, linkerdIdentity, type LinkerdFlowInput, type LinkerdJudgement } from './linkerd-authz.ts';
import { LINKERD_CONFIG_CONFIGMAP } from './configmaps.ts';
import { consulServicePort, judgeConsulFlow, serviceAccountOf, type ConsulFlowInput } from './consul.ts';
import { LINKERD_POLICIES, linkerdProxyOwnPorts, linkerdRequireIdentityPorts, linkerdSkippedPorts, linkerdSkippedSubnets, portInList } from './linkerd.ts';
import { intersectRanges, parseIp, rangeContains } from '../../base/ip.ts';
import type { PodView } from '../workloads.ts';
import { containerPorts } from './util.ts';

/**
 * Linkerd's answer for `caller` calling `callee` (by namespace and workload name, as `reach` names
 * it). A callee not in the Linkerd mesh gets mesh 'none' (its proxy is not there to refuse).
 */
export function linkerdFlowVerdict(model: MeshModel, caller: MeshCaller, callee: MeshCallee): MeshFlowVerdict {
  const w = (model.workloadsByNamespace.get(callee.namespace) ?? []).find((x) => x.workload.ref.name === callee.name);
  const plaintext = !caller.mtls || !!caller.external;
  if (!w || w.mesh !== 'linkerd' || !w.linkerdPolicy) {
    return { mesh: 'none', verdict: 'allowed', plaintext, reason: `${callee.namespace}/${callee.name} has no linkerd-proxy: Linkerd does not restrict calls to it` };
  }
  const nsAnnotations = model.namespaces.get(callee.namespace)?.annotations ?? {};
  const pod = w.workload.pods[0];
  if (pod && callee.port === linkerdProxyOwnPorts(nsAnnotations, pod, callee.namespace)[0]) return linkerdTapPortVerdict(model, pod, caller, callee);
  const skipped = linkerdSkippedPorts(nsAnnotations, w.workload.pods[0], callee.namespace, undefined, model.linkerd).find((s) => s.direction === 'inbound');
  // Ports linkerd-init skips that no container declares (`undeclared`) bypass the proxy all the same.
  const bypassing = skipped ? [...skipped.ports, ...(skipped.undeclared ?? [])] : [];
  const input: LinkerdFlowInput = {
    skippedInbound: skipped ? { ports: bypassing, source: skipped.source } : undefined,
    requireIdentityInbound: linkerdRequireIdentityPorts(nsAnnotations, w.workload.pods[0], callee.namespace),
    defaultPolicy: w.linkerdPolicy,
    servers: model.linkerd.servers.get(callee.namespace) ?? [],
    labels: w.labels,
    namedPorts: w.workload.pods[0] ? containerPorts(w.workload.pods[0].spec) : [],
    index: model.linkerd.policy,
    clusterNetworks: model.linkerd.clusterNetworks,
  };
  const v = linkerdPolicyVerdict(model, w.linkerdPolicy.unread, input, caller, callee);
  // A port skipped inbound never reaches the proxy, whatever the caller's address.
  if (!skipped || !portInList(bypassing, callee.port)) return pod ? linkerdSubnetBypass(model, pod, nsAnnotations, caller, callee, v) : v;
  // A port skipped only by the chart's proxyInit.ignoreInboundPorts, assumed because the installed
  // value was not read: the install may not skip it, and then the policy decides.
  if (!skipped.assumedDefault) return v;
  const policed = linkerdPolicyVerdict(model, w.linkerdPolicy.unread, { ...input, skippedInbound: undefined }, caller, callee);
  if (policed.verdict === 'allowed') return v;
  return {
    mesh: v.mesh, verdict: 'unknown', plaintext: v.plaintext, ...(policed.notes ? { notes: policed.notes } : {}),
    reason: `the answer turns on the installed proxyInit.ignoreInboundPorts (ConfigMap ${LINKERD_CONFIG_CONFIGMAP.namespace}/${LINKERD_CONFIG_CONFIGMAP.name}): port ${callee.port} skips the linkerd-proxy only by ${skipped.source}; allowed in plaintext if the install skips it too (Linkerd policy does not apply there); ${policed.verdict} if it does not (${policed.reason})`,
  };
}

/**
 * The callee's skip-subnets (linkerdSkippedSubnets: linkerd-init's --subnets-to-ignore on a running
 * pod) put a RETURN for each source subnet ahead of the redirect to the proxy (linkerd2-proxy-init
 * pkg/iptables/iptables.go addIncomingTrafficRules, makeIgnoreSubnet `-s <subnet> -j RETURN`,
 * proxy-init/v2.4.9): a connection from an address there reaches the application around the
 * linkerd-proxy, so no Linkerd policy applies and the mesh neither authenticates nor encrypts it.
 * The caller's source addresses decide: an external address asked (`reach --from <IP>`), else its
 * pods' addresses (MeshCaller.podAddresses). Not known, the answer is `v` when going around the
 * proxy would give the same verdict, else 'depends' for an external client (each client's address
 * decides) and 'unknown' for a workload, unless every subnet lies outside Linkerd's cluster
 * networks, which hold the pod network (charts/linkerd-control-plane/values.yaml clusterNetworks).
 */
function linkerdSubnetBypass(model: MeshModel, pod: PodView, nsAnnotations: Record<string, string>, caller: MeshCaller, callee: MeshCallee, v: MeshFlowVerdict): MeshFlowVerdict {
  const subnets = linkerdSkippedSubnets(nsAnnotations, pod, callee.namespace, undefined, model.linkerd);
  if (!subnets || subnets.subnets.length === 0) return v;
  const inSubnet = (a: { family: 4 | 6; value: bigint }) => subnets.subnets.some((x) => rangeContains(x.range, a.family, a.value));
  const addresses = caller.external ? (caller.address ? [caller.address] : undefined) : caller.podAddresses && parsedAddresses(caller.podAddresses);
  const list = subnets.subnets.map((x) => x.text).join(', ');
  const around = (who: string): MeshFlowVerdict => ({
    mesh: 'linkerd', verdict: 'allowed', plaintext: true,
    reason: `${callee.namespace}/${callee.name} lets inbound connections from ${list} around its linkerd-proxy (${subnets.source}), and ${who}: the call reaches port ${callee.port} of the application directly, neither authenticated nor encrypted by the mesh, and no Linkerd policy applies`,
  });
  const callerText = caller.external ? 'the caller' : `the caller's pod`;
  if (addresses) {
    const hits = addresses.filter(inSubnet);
    if (hits.length === 0) return v;
    const texts = shown(hits.map((a) => a.text));
    if (hits.length === addresses.length) return around(`${callerText} address${hits.length > 1 ? 'es' : ''} ${texts} ${hits.length > 1 ? 'lie' : 'lies'} there`);
    const some = around(`${hits.length} of the caller's ${addresses.length} pod addresses (${texts}) ${hits.length > 1 ? 'lie' : 'lies'} there`);
    return { ...some, reason: `${some.reason}; from the others: ${v.verdict} (${v.reason})` };
  }
  const networks = model.linkerd.clusterNetworks;
  if (!caller.external && !('unknown' in networks) && !subnets.subnets.some((x) => intersectRanges([x.range], networks.ranges).length > 0)) return v;
  const doubt = caller.external
    ? `whether the external client's address lies in ${list}, which ${callee.namespace}/${callee.name} lets around its linkerd-proxy (${subnets.source}), is not in the snapshot`
    : `whether ${callerText} addresses lie in ${list}, which ${callee.namespace}/${callee.name} lets around its linkerd-proxy (${subnets.source}), is not known (no status.podIP: manifests, or pods not scheduled)`;
  const other = around('the caller\'s address may lie there');
  if (v.verdict === other.verdict && v.plaintext) return { ...v, notes: [...(v.notes ?? []), `${doubt}; either way: allowed in plaintext`] };
  if (v.verdict === other.verdict) return { ...v, notes: [...(v.notes ?? []), `${doubt}; from there the call arrives in plaintext around the proxy, without mTLS`] };
  return {
    mesh: 'linkerd', verdict: caller.external ? 'depends' : 'unknown', plaintext: false,
    reason: `${doubt}; from there: allowed in plaintext, around the proxy; from elsewhere: ${v.verdict} (${v.reason})`,
  };
}

/** A few of many addresses, for a reason: a workload of many pods has as many. */
const shown = (texts: string[]) => (texts.length > 3 ? `${texts.slice(0, 3).join(', ')} and ${texts.length - 3} more` : texts.join(', '));

/**
 * A caller's pod addresses parsed, once per list (MeshCaller.podAddresses is one list per workload
 * and snapshot); undefined when one is no address.
 */
const addressCache = new WeakMap<string[], Array<{ text: string; family: 4 | 6; value: bigint }> | undefined>();
function parsedAddresses(list: string[]): Array<{ text: string; family: 4 | 6; value: bigint }> | undefined {
  if (addressCache.has(list)) return addressCache.get(list);
  const out: Array<{ text: string; family: 4 | 6; value: bigint }> | undefined = [];
  for (const text of list) {
    const ip = parseIp(text);
    if (!ip) { addressCache.set(list, undefined); return undefined; }
    out.push({ text, ...ip });
  }
  addressCache.set(list, out);
  return out;
}

/** The tap controller's ServiceAccount in linkerd-viz (linkerd2 viz/charts/linkerd-viz/templates/tap-rbac.yaml, edge-26.8.3). */
const LINKERD_TAP_SERVICE_ACCOUNT = 'tap';

/**
 * A call to the callee's linkerd-proxy control port (4190, config.linkerd.io/control-port;
 * linkerd2 charts/linkerd-control-plane/values.yaml proxy.ports.control, set as
 * LINKERD2_PROXY_CONTROL_LISTEN_ADDR by charts/partials/templates/_proxy.tpl, stable-2.14.10 and
 * edge-26.8.3). linkerd-init skips it inbound (_proxy-init.tpl), so no Server or default inbound
 * policy applies there: the proxy serves tap on it only when LINKERD2_PROXY_TAP_SVC_NAME is set
 * (linkerd2-proxy linkerd/app/src/env.rs parse_tap_config, release/v2.210.4, the proxy of
 * stable-2.14.10), and then only over mTLS to that identity (linkerd/app/src/tap.rs
 * AcceptPermittedClients). linkerd-viz's tap injector adds that variable when it admits the pod
 * (viz/tap/injector/patch.go, edge-26.8.3): a running pod's proxy says whether it has it; a pod
 * yet to be injected does not, and only a caller running as the tap controller's ServiceAccount
 * may then be let in.
 */
function linkerdTapPortVerdict(model: MeshModel, pod: PodView, caller: MeshCaller, callee: MeshCallee): MeshFlowVerdict {
  const plaintext = !caller.mtls || !!caller.external;
  const base = { mesh: 'linkerd' as const, plaintext, enforcedBy: 'linkerd-proxy of the callee' };
  const id = caller.mtls && !caller.external ? linkerdIdentity(caller.serviceAccount, caller.namespace, model.linkerd.policy.trustDomain) : undefined;
  const who = id ?? (caller.external ? 'an external client' : `plaintext client ${caller.namespace}/${caller.serviceAccount}`);
  const head = `port ${callee.port} is the linkerd-proxy's control (tap) port, where no Server or default inbound policy applies: the proxy serves tap there only over mTLS to the identity its LINKERD2_PROXY_TAP_SVC_NAME names (set by linkerd-viz's tap injector), and nothing without it`;
  const tap = linkerdProxyEnv(pod, 'LINKERD2_PROXY_TAP_SVC_NAME');
  if (tap === null) return { ...base, verdict: 'denied', reason: `${head}; this pod's linkerd-proxy has none, so it serves no tap` };
  if (tap !== undefined) {
    // linkerd-config unread: the caller's identity ends in a trust domain (and control plane
    // namespace) the snapshot does not give, so a name that has the caller's own beginning
    // (linkerdIdentity: <sa>.<ns>.serviceaccount.identity.) may or may not be its identity.
    const unread = model.linkerd.trustDomainUnread;
    const own = id ? `${caller.serviceAccount}.${caller.namespace}.serviceaccount.identity.` : undefined;
    if (unread && own && tap.startsWith(own)) {
      return { ...base, verdict: 'unknown', reason: `${head}; it names ${JSON.stringify(tap)}, which is the caller's identity only if Linkerd's identity trust domain makes it so: ConfigMap ${LINKERD_CONFIG_CONFIGMAP.namespace}/${LINKERD_CONFIG_CONFIGMAP.name} (identityTrustDomain) could not be read (${unread}); with trust domain ${model.linkerd.policy.trustDomain} assumed the caller is ${id}` };
    }
    return id === tap
      ? { ...base, verdict: 'allowed', reason: `${head}; it names ${JSON.stringify(tap)}, the caller's identity` }
      : { ...base, verdict: 'denied', reason: `${head}; it names ${JSON.stringify(tap)}, not ${who}` };
  }
  if (id && caller.serviceAccount === LINKERD_TAP_SERVICE_ACCOUNT) return { ...base, verdict: 'unknown', reason: `${head}; whether the tap injector gives this pod one naming ${id} is decided when the pod is injected` };
  return { ...base, verdict: 'denied', reason: `${head}; ${who} is not linkerd-viz's tap controller` };
}

/**
 * The value of an environment variable of the pod's linkerd-proxy container (a native sidecar
 * among the init containers too): null when the container lacks it, undefined without the container.
 */
function linkerdProxyEnv(pod: PodView, name: string): string | null | undefined {
  const all = [...(Array.isArray(pod.spec.containers) ? pod.spec.containers : []), ...(Array.isArray(pod.spec.initContainers) ? pod.spec.initContainers : [])] as Array<{ name?: unknown; env?: unknown }>;
  const proxy = all.find((c) => c?.name === 'linkerd-proxy');
  if (!proxy) return undefined;
  const env = (Array.isArray(proxy.env) ? proxy.env : []) as Array<{ name?: unknown; value?: unknown }>;
  const hit = env.find((e) => e?.name === name);
  return typeof hit?.value === 'string' && hit.value !== '' ? hit.value : null;
}

/**
 * judgeLinkerd's verdict with its guards: an unread trust domain (linkerdTrustDomainGuard) and an
 * unread cluster default inbound policy (`unread`, EffectivePolicy.unread).
 */
function linkerdPolicyVerdict(model: MeshModel, unread: 'forbidden' | 'error' | undefined, input: LinkerdFlowInput, caller: MeshCaller, callee: MeshCallee): MeshFlowVerdict {
  const judged = judgeLinkerd(input, caller, callee);
  const v = linkerdTrustDomainGuard(model, judged);
  // A Server covering the port (or a skipped port) decides without the default inbound policy.
  if (!unread || v.verdict === 'unknown' || !judged.underDefault) return v;
  // The cluster default decided and could not be read: the answer is known only when every value
  // it may hold gives the same one (the default's own verdict per value, not the whole judge again).
  return agreeOrUnknown(v, LINKERD_POLICIES.map((policy) => ({ value: policy, verdict: judged.underDefault!(policy) })), `Linkerd's cluster default inbound policy (proxy.defaultInboundPolicy), which ConfigMap linkerd/linkerd-config holds and could not be read (${unread}); mesh.linkerdDefaultInboundPolicy in the config can state it`);
}

/**
 * A refusal of a meshed caller decided by a Server's authorizations, one of which writes
 * identities out (LinkerdJudgement.literalIdentities), while the trust domain they end in is
 * unread (MeshModel linkerd.trustDomainUnread): they may admit the caller. A plaintext or outside
 * caller has no mesh identity for them to match.
 */
function linkerdTrustDomainGuard(model: MeshModel, judged: LinkerdJudgement): MeshFlowVerdict {
  const v = judged.verdict;
  const why = model.linkerd.trustDomainUnread;
  if (!why || !judged.literalIdentities || v.plaintext || !v.policy || v.verdict === 'allowed' || v.verdict === 'unknown') return v;
  return {
    mesh: v.mesh, verdict: 'unknown', plaintext: v.plaintext, ...(v.enforcedBy ? { enforcedBy: v.enforcedBy } : {}), ...(v.notes ? { notes: v.notes } : {}),
    reason: `ConfigMap ${LINKERD_CONFIG_CONFIGMAP.namespace}/${LINKERD_CONFIG_CONFIGMAP.name} (identityTrustDomain) could not be read (${why}), and ${judged.literalIdentities} names identities in a trust domain: whether they match the caller is unknown; with trust domain ${model.linkerd.policy.trustDomain} assumed: ${v.verdict} (${v.reason})`,
  };
}

/**
 * `assumed` when the verdicts under every value of an unread setting agree; else 'unknown',
 * naming the setting and what each value would decide.
 */
function agreeOrUnknown(assumed: MeshFlowVerdict, alternatives: Array<{ value: string; verdict: MeshVerdictKind }>, setting: string, assumedAs = 'the default'): MeshFlowVerdict {
  if (alternatives.every((a) => a.verdict === assumed.verdict)) return assumed;
  const groups = new Map<MeshVerdictKind, string[]>();
  for (const a of alternatives) groups.set(a.verdict, [...(groups.get(a.verdict) ?? []), a.value]);
  const each = [...groups].map(([verdict, values]) => `${verdict} if it is ${values.join(' or ')}`).join('; ');
  return {
    mesh: assumed.mesh, verdict: 'unknown', plaintext: assumed.plaintext, ...(assumed.enforcedBy ? { enforcedBy: assumed.enforcedBy } : {}), ...(assumed.notes ? { notes: assumed.notes } : {}),
    reason: `the answer turns on ${setting}: ${each} (with ${assumedAs} assumed: ${assumed.reason})`,
  };
}

/**
 * Consul's answer for `caller` calling `callee`. Service names come from the model (annotation,
 * selecting Service, else the service account name); a callee outside the Consul mesh gets 'none'.
 */
export function consulFlowVerdict(model: MeshModel, caller: MeshCaller, callee: MeshCallee): MeshFlowVerdict {
  const w = (model.workloadsByNamespace.get(callee.namespace) ?? []).find((x) => x.workload.ref.name === callee.name);
  if (!w || w.mesh !== 'consul') {
    return { mesh: 'none', verdict: 'allowed', plaintext: !caller.mtls || !!caller.external, reason: `${callee.namespace}/${callee.name} has no Consul dataplane: Consul does not restrict calls to it` };
  }
  const callerW = (model.workloadsByNamespace.get(caller.namespace) ?? []).find((x) =>
    x.mesh === 'consul' && serviceAccountOf(x.workload.pods[0]) === caller.serviceAccount && Object.entries(x.labels).every(([k, v]) => caller.labels[k] === v));
  const mtls = model.consul.mutualTLS.modeOf(w.consulService ?? callee.serviceAccount, callee.namespace);
  const input: ConsulFlowInput = {
    calleeAnnotations: w.annotations,
    calleeTransparentProxy: w.consulTransparentProxy,
    index: model.consul.intentions,
    defaultIntention: model.consul.defaultIntention,
    callerService: callerW?.consulService ?? caller.serviceAccount,
    calleeService: w.consulService ?? callee.serviceAccount,
    calleeMutualTLS: mtls,
    calleeServicePort: consulServicePort(w.annotations, containerPorts(w.workload.pods[0]?.spec ?? {})),
  };
  let v = judgeConsulFlow(input, caller, callee);
  // The callee's mTLS mode decides only for callers without a mesh identity, the default
  // intention only for those with one: each unknown is weighed with the other as read.
  const modeUnknown = consulMutualTLSUnknown(model, w);
  if (modeUnknown && v.verdict !== 'unknown') {
    const alternatives = (['strict', 'permissive'] as const).map((mode) => ({ value: mode, verdict: judgeConsulFlow({ ...input, calleeMutualTLS: { ...mtls, mode } }, caller, callee).verdict }));
    v = agreeOrUnknown(v, alternatives, `the mTLS mode (mutualTLSMode) of ${callee.namespace}/${callee.name}, unknown: ${modeUnknown}`, mtls.source);
  }
  const d = model.consul.defaultIntention;
  if (!d.unread || v.verdict === 'unknown') return v;
  const cms = d.unreadConfigMaps ?? [];
  const alternatives = (['allow', 'deny'] as const).map((action) => ({ value: action, verdict: judgeConsulFlow({ ...input, defaultIntention: { ...d, action } }, caller, callee).verdict }));
  return agreeOrUnknown(v, alternatives, `Consul's default intention (ACL default_policy, default_intention_policy), which ${cms.length > 1 ? `ConfigMaps ${cms.join(' and ')} hold` : `ConfigMap ${cms.join('')} may set`} and could not be read (${d.unread})`);
}
