// The per-call judges of Linkerd and Consul over the mesh model, for `reach`, intent rules and
// the report: `linkerdFlowVerdict(model, caller, callee)` and `consulFlowVerdict(model, caller,
// callee)`. The callee is found in the model by namespace and workload name; its labels, ports and
// mesh settings come from there; `callee.port` is the pod's (container) port, which is what
// Linkerd Servers and Consul's excluded ports name. Kept apart from the judges so the model can
// index their inputs.
import type { MeshCallee, MeshCaller, MeshFlowVerdict, MeshVerdictKind } from './flow.ts';
import { consulMutualTLSUnknown, type MeshModel } from './model.ts';
import { judgeLinkerd, type LinkerdFlowInput, type LinkerdJudgement } from './linkerd-authz.ts';
import { LINKERD_CONFIG_CONFIGMAP } from './configmaps.ts';
import { consulServicePort, judgeConsulFlow, serviceAccountOf, type ConsulFlowInput } from './consul.ts';
import { LINKERD_POLICIES, linkerdRequireIdentityPorts, linkerdSkippedPorts, portInList } from './linkerd.ts';
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
  const skipped = linkerdSkippedPorts(nsAnnotations, w.workload.pods[0], callee.namespace, undefined, model.linkerd).find((s) => s.direction === 'inbound');
  const input: LinkerdFlowInput = {
    skippedInbound: skipped ? { ports: skipped.ports, source: skipped.source } : undefined,
    requireIdentityInbound: linkerdRequireIdentityPorts(nsAnnotations, w.workload.pods[0], callee.namespace),
    defaultPolicy: w.linkerdPolicy,
    servers: model.linkerd.servers.get(callee.namespace) ?? [],
    labels: w.labels,
    namedPorts: w.workload.pods[0] ? containerPorts(w.workload.pods[0].spec) : [],
    index: model.linkerd.policy,
  };
  const v = linkerdPolicyVerdict(model, w.linkerdPolicy.unread, input, caller, callee);
  // A port skipped only by the chart's proxyInit.ignoreInboundPorts, assumed because the installed
  // value was not read: the install may not skip it, and then the policy decides.
  if (!skipped?.assumedDefault || !portInList(skipped.ports, callee.port)) return v;
  const policed = linkerdPolicyVerdict(model, w.linkerdPolicy.unread, { ...input, skippedInbound: undefined }, caller, callee);
  if (policed.verdict === 'allowed') return v;
  return {
    mesh: v.mesh, verdict: 'unknown', plaintext: v.plaintext, ...(policed.notes ? { notes: policed.notes } : {}),
    reason: `the answer turns on the installed proxyInit.ignoreInboundPorts (ConfigMap ${LINKERD_CONFIG_CONFIGMAP.namespace}/${LINKERD_CONFIG_CONFIGMAP.name}): port ${callee.port} skips the linkerd-proxy only by ${skipped.source}; allowed in plaintext if the install skips it too (Linkerd policy does not apply there); ${policed.verdict} if it does not (${policed.reason})`,
  };
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
