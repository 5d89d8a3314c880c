import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { consulPresent, istioPresent, meshModel, type MeshModel } from '../../src/analysis/mesh/index.ts';
import { selectorMatches } from '../../src/analysis/mesh/istio.ts';
import { consulMutualTLSApplies, quotedEntryValue, serviceAccountOf, syncedConditionText } from '../../src/analysis/mesh/consul.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ } from './lib/istio-mesh-config.ts';
import { istioGatewayPod } from '../../src/analysis/mesh/flow-verdict.ts';
import { CONSUL_MUTUAL_TLS_READ, CONSUL_SERVICE_NAMES_READ } from './lib/mesh-config-reads.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { workloadMembers } from './lib/members.ts';
import { meshUnseenNote, namespaceKnown, withheldInUnseen } from './lib/unseen-namespaces.ts';

const RELAXED = new Set(['PERMISSIVE', 'DISABLE']);

// Within a scope the oldest PeerAuthentication wins ("If there are more than one ... the oldest
// one is used", https://istio.io/latest/docs/reference/config/security/peer_authentication/):
// a shadowed namespace policy is left to mtls.invalid-peerauthentication, and a workload policy
// that an older one overrides on every workload it selects relaxes nothing today, so it passes,
// saying it has no effect and which policy decides instead.

const judged = withheldInUnseen((ctx) => {
  const m = meshModel(ctx.snapshot, ctx.config);
  const out: Verdict[] = [];
  if (m.istio.present) out.push(...istioVerdicts(m));
  if (m.consul.present) out.push(...consulVerdicts(m));
  return out;
});

export const permissiveOverride: Check = {
  id: 'mtls.permissive-override',
  area: 'mtls',
  title: 'No PeerAuthentication (namespace, workload or port) or Consul config entry relaxes mTLS',
  protectsAgainst: 'Istio PeerAuthentications that let plaintext in (PERMISSIVE or DISABLE) for a namespace, workload or port, and Consul ServiceDefaults or ProxyDefaults in permissive mTLS mode, whose sidecars pass plaintext to the service without applying intentions, or whose mutualTLSMode Consul never applied or has not confirmed (a value it refuses, an entry not synced, an update that failed), so the mode is not the one they read as',
  severity: 'high',
  controls: MESH_ENCRYPTION,
  remediation: 'Istio: set the PeerAuthentication (or the port entry in portLevelMtls) to STRICT, or remove it so the mesh-wide STRICT policy applies. Consul: set `mutualTLSMode: strict` in the ServiceDefaults (or ProxyDefaults global), or remove the setting (strict is the default), then set `allowEnablingPermissiveMutualTLS: false` in the Mesh entry; fix a mutualTLSMode other than `strict` or `permissive`, and for an entry (or the Mesh entry) whose Synced condition is False, or Unknown with a reason, fix what its reason and message name (`kubectl describe servicedefaults NAME -n NS`). Enrol the plaintext clients in the mesh first.',
  needs: ['namespaces', 'pods'],
  reads: ['istio.peerauthentications'],
  readsWhen: [...meshPresenceReads('istio', 'consul'), ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ, CONSUL_MUTUAL_TLS_READ, CONSUL_SERVICE_NAMES_READ],
  appliesTo: (ctx) => istioPresent(ctx) || consulPresent(ctx),
  appliesWhen: 'when Istio or Consul service mesh is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the workloads there were not counted among those a policy decides for, nor the policies there judged', judged.unjudgedNamespaces(ctx)),
  // A policy in such a namespace decides for workloads whose mesh is unknown: not judged.
  unjudgedNamespaces: judged.unjudgedNamespaces,
  judgesEachWorkload: true,
  evaluate: judged.evaluate,
};

function istioVerdicts(m: MeshModel): Verdict[] {
  const idx = m.istio.policies;
  const out: Verdict[] = [];
  // Which workloads each policy decides for (indexed once: no policies x workloads scan).
  const bySource = new Map<string, typeof m.workloads>();
  const add = (key: string, w: (typeof m.workloads)[number]) => {
    const list = bySource.get(key);
    if (list) list.push(w);
    else bySource.set(key, [w]);
  };
  // An Istio gateway's listeners are built from its Gateway servers, which PeerAuthentication does
  // not reach (flow-verdict.ts istioGatewayCallee): a policy lets no plaintext into one.
  for (const w of m.workloads) {
    if (w.mesh !== 'istio' || !w.istio || !namespaceKnown(w) || istioGatewayPod(w)) continue;
    const { namespace, workload } = w.istio.sources;
    if (namespace) add(`namespace/${namespace.namespace}/${namespace.name}`, w);
    if (workload) add(`workload/${workload.namespace}/${workload.name}`, w);
  }
  // Each revision's istiod reads its own root namespace (meshConfig.rootNamespace of ConfigMap
  // istio-<rev>, https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/): a
  // selector-less policy there is mesh-wide for that revision's workloads (mesh-not-strict judges
  // it), and namespace-wide for another revision's. The workloads' sources come from their own
  // revision's index, so a policy is judged in the scope it has for the workloads it decides for.
  const otherRoots = new Set<string>();
  for (const w of m.workloads) if (w.mesh === 'istio' && w.istioRoot && w.istioRoot.namespace !== idx.rootNamespace) otherRoots.add(w.istioRoot.namespace);
  for (const pa of idx.all) {
    if (pa.selectsNothing || idx.shadowedBy.has(pa)) continue; // other checks
    let scope = pa.scope;
    if (scope === 'mesh' && bySource.has(`namespace/${pa.namespace}/${pa.name}`)) scope = 'namespace';
    else if (scope === 'ignored-root-selector' && bySource.has(`workload/${pa.namespace}/${pa.name}`)) scope = 'workload';
    else if (otherRoots.has(pa.namespace) && !bySource.has(`${scope}/${pa.namespace}/${pa.name}`)) continue; // mesh-wide, or ignored, for the revision rooted there
    if (scope === 'mesh' || scope === 'ignored-root-selector') continue; // other checks
    const affected = bySource.get(`${scope}/${pa.namespace}/${pa.name}`) ?? [];
    // The mesh-wide mode the affected workloads' own revision sets.
    const meshOf = affected[0] ? m.istio.policiesFor(affected[0].namespace, affected[0].labels).mesh : idx.mesh;
    const inherited = meshOf && meshOf.mode !== 'UNSET' ? meshOf.mode : 'PERMISSIVE';
    const evidence: Record<string, unknown> = {
      scope,
      mode: pa.mode,
      inheritedFromMesh: inherited,
      affectedWorkloads: affected.length,
      sampleWorkloads: affected.slice(0, 10).map((w) => refString(w.workload.ref)),
    };
    if (pa.selector) evidence.selector = pa.selector;
    // A namespace whose only meshed workloads are gateways: the policy governs none of them.
    if (scope === 'namespace' && affected.length === 0) {
      const gateways = (m.workloadsByNamespace.get(pa.namespace) ?? []).filter((w) => w.mesh === 'istio' && namespaceKnown(w) && istioGatewayPod(w)).map((w) => refString(w.workload.ref));
      if (gateways.length > 0) {
        out.push({ status: 'pass', resource: pa.ref, detailKey: 'mode', message: `PeerAuthentication ${pa.namespace}/${pa.name} (${pa.mode}) has no effect: the only meshed workloads in namespace ${pa.namespace} are Istio gateways (${gateways.slice(0, 10).join(', ')}${gateways.length > 10 ? ', …' : ''}), whose listeners their Gateway servers' tls.mode decides, not PeerAuthentication.`, evidence: { ...evidence, gatewaysOnly: gateways.slice(0, 10) } });
        continue;
      }
    }
    if (scope === 'workload' && affected.length === 0) {
      const matched = (m.workloadsByNamespace.get(pa.namespace) ?? []).filter((w) => w.mesh === 'istio' && w.istio && namespaceKnown(w) && pa.selector && selectorMatches(pa.selector, w.labels));
      const selected = matched.filter((w) => !istioGatewayPod(w));
      const winners = [...new Set(selected.map((w) => w.istio!.sources.workload).filter((r) => r !== undefined).map((r) => `${r.namespace}/${r.name}`))].sort();
      if (selected.length > 0 && winners.length > 0) {
        out.push({ status: 'pass', resource: pa.ref, detailKey: 'mode', message: `PeerAuthentication ${pa.namespace}/${pa.name} (${pa.mode}) has no effect: the older ${winners.join(', ')} decide${winners.length === 1 ? 's' : ''} for every workload it selects (the oldest wins).`, evidence: { ...evidence, overriddenBy: winners } });
        continue;
      }
      // Only gateways selected: it has no effect, reported as an overridden policy is.
      if (selected.length === 0 && matched.length > 0) {
        const gateways = matched.slice(0, 10).map((w) => refString(w.workload.ref));
        out.push({ status: 'pass', resource: pa.ref, detailKey: 'mode', message: `PeerAuthentication ${pa.namespace}/${pa.name} (${pa.mode}) has no effect: it selects only Istio gateways (${gateways.join(', ')}${matched.length > 10 ? ', …' : ''}), whose listeners their Gateway servers' tls.mode decides, not PeerAuthentication.`, evidence: { ...evidence, gatewaysOnly: gateways } });
        continue;
      }
    }
    const fails: Verdict[] = [];
    if (RELAXED.has(pa.mode)) {
      fails.push({
        status: 'fail',
        resource: pa.ref,
        detailKey: 'mode',
        severity: pa.mode === 'DISABLE' ? 'high' : 'medium',
        message: `${scope === 'namespace' ? `Namespace ${pa.namespace}` : `Workloads selected by ${JSON.stringify(pa.selector)}`} set mTLS to ${pa.mode}: ${pa.mode === 'DISABLE' ? 'plaintext only' : 'plaintext accepted alongside mTLS'} (mesh default ${inherited}).`,
        evidence,
        extent: { unit: 'workloads', members: workloadMembers(affected.map((w) => w.workload.ref)) },
      });
    }
    for (const [port, mode] of pa.ports) {
      const effective = mode === 'UNSET' ? null : mode;
      if (effective && RELAXED.has(effective)) {
        fails.push({
          status: 'fail',
          resource: pa.ref,
          detailKey: `port/${port}`,
          severity: effective === 'DISABLE' ? 'high' : 'medium',
          message: `Port ${port} of workloads selected by ${JSON.stringify(pa.selector)} is set to ${effective}: plaintext ${effective === 'DISABLE' ? 'only' : 'accepted'} on that port.`,
          evidence: { ...evidence, port, portMode: effective },
          extent: { unit: 'workloads', members: workloadMembers(affected.map((w) => w.workload.ref)) },
        });
      }
    }
    if (fails.length) out.push(...fails);
    else out.push({ status: 'pass', resource: pa.ref, detailKey: 'mode', message: `PeerAuthentication ${pa.namespace}/${pa.name} does not relax mTLS (${pa.mode}).`, evidence });
  }
  return out;
}

/** Cluster text as it is when it reads as a name, else quoted (a connect-service annotation may hold anything). */
const shown = (name: string) => (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) ? name : JSON.stringify(name));
const SAMPLE = 10;

// Consul: the ServiceDefaults of a service, else the ProxyDefaults "global", sets its mutualTLSMode
// (strict when neither does). "Intentions are not enforced and encryption is not enabled for
// non-mTLS connections" in permissive mode, and Consul lets an entry enable it only while the Mesh
// entry sets allowEnablingPermissiveMutualTLS, keeping those it already holds when the flag is
// turned off (https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode);
// the model (indexConsulMutualTLS) decides which entries are in effect. A permissive entry in
// effect is high where meshed workloads take plaintext through it (no intention stands in the
// way, unlike an Istio AuthorizationPolicy), medium where none does yet; one Consul does not apply
// is low: nothing is open today, but the entry says to open the service. A strict entry Consul
// does not hold (Synced=False), or one whose mutualTLSMode Consul does not accept, fails too: the
// mode it reads as is not the one applied; medium where plaintext is let in today, else low. An
// entry Consul has not confirmed (its last update failed, Consul holds one of that name the
// controller did not write over, or the Mesh entry that decides cannot be shown) fails saying the
// mode in effect is unknown, as reach does.
function consulVerdicts(m: MeshModel): Verdict[] {
  const tls = m.consul.mutualTLS;
  // Which Consul workloads (and services) each entry decides the mode of, Consul's default ('')
  // included, and the workloads of each service: one pass over the workloads. A workload without
  // the transparent proxy takes no plaintext through the entry (the mode applies only with it on,
  // consulMutualTLSApplies: the reading details.mtls and reach use); it is counted apart.
  // `unconfirmed`: the entry Consul has not confirmed that leaves the workload's mode unknown (reach
  // answers unknown for it), named apart from those the mode is known for.
  type Member = { ref: string; service: string; namespace: string; unconfirmed?: string };
  type Group = { workloads: Member[]; services: Set<string>; noTproxy: string[] };
  const decided = new Map<string, Group>();
  const byService = new Map<string, Group>();
  const add = (map: Map<string, Group>, key: string, member: Member, applies: boolean) => {
    let g = map.get(key);
    if (!g) map.set(key, (g = { workloads: [], services: new Set(), noTproxy: [] }));
    if (!applies) {
      g.noTproxy.push(member.ref);
      return;
    }
    g.workloads.push(member);
    g.services.add(member.service);
  };
  for (const w of m.workloads) {
    if (w.mesh !== 'consul' || !namespaceKnown(w)) continue;
    const service = w.consulService ?? serviceAccountOf(w.workload.pods[0]);
    const mode = tls.modeOf(service, w.namespace);
    const unconfirmed = mode.updateFailed?.entry ?? mode.meshUnknown?.entry;
    const member = { ref: refString(w.workload.ref), service, namespace: w.namespace, ...(unconfirmed ? { unconfirmed } : {}) };
    const applies = consulMutualTLSApplies(w.consulTransparentProxy);
    add(decided, mode.resource ? refString(mode.resource) : '', member, applies);
    add(byService, service, member, applies);
  }
  const { allowed, mesh: meshRef, unknown: meshUnknown } = tls.meshAllows;
  const meshName = meshRef ? `Mesh ${meshRef.namespace}/${meshRef.name}` : undefined;
  const mesh = allowed === undefined ? `whether ${meshName} sets allowEnablingPermissiveMutualTLS: true is unknown`
    : `${meshName ?? 'no Mesh entry'} ${allowed ? 'sets' : meshName ? 'does not set' : 'sets'} allowEnablingPermissiveMutualTLS: true`;
  const out: Verdict[] = [];
  for (const e of tls.entries) {
    const entry = `${e.ref.kind} ${e.ref.namespace}/${e.ref.name}`;
    // An entry Consul does not apply decides nothing: those it would decide are the workloads of
    // its service (ServiceDefaults), or those left to Consul's default (ProxyDefaults global).
    const d = e.inEffect ? decided.get(refString(e.ref)) : e.ref.kind === 'ServiceDefaults' ? byService.get(e.ref.name) : decided.get('');
    const services = e.ref.kind === 'ServiceDefaults' ? [e.ref.name] : [...(d?.services ?? [])].sort();
    const workloads = (d?.workloads ?? []).map((w) => w.ref);
    const noTproxy = d?.noTproxy ?? [];
    // Written, but which mode Consul applies cannot be shown: inEffect null (unknown).
    const unconfirmed = !!(e.updateFailed || e.meshUnknown || e.heldByConsul);
    const evidence: Record<string, unknown> = {
      mutualTLSMode: e.mode === 'invalid' ? e.value : e.mode,
      inEffect: unconfirmed ? null : e.inEffect,
      meshAllowsPermissive: allowed ?? null,
      mesh: meshName ?? null,
      services: services.slice(0, SAMPLE),
      affectedWorkloads: workloads.length,
      sampleWorkloads: workloads.slice(0, SAMPLE),
    };
    if (noTproxy.length > 0) evidence.withoutTransparentProxy = noTproxy.slice(0, SAMPLE);
    if (e.problem) evidence.notInEffect = e.problem;
    if (e.synced) evidence.synced = e.synced;
    if (e.updateFailed) evidence.synced = { status: 'Unknown', ...e.updateFailed };
    if (e.meshUnknown) evidence.meshUnknown = meshUnknown;
    if (e.mode === 'strict' && e.inEffect && !e.updateFailed) {
      out.push({ status: 'pass', resource: e.ref, detailKey: 'mode', message: `${entry} does not relax mTLS (mutualTLSMode ${e.mode}).`, evidence });
      continue;
    }
    const what = e.ref.kind === 'ServiceDefaults'
      ? `Consul service ${shown(e.ref.name)}`
      : `every Consul service without a mutualTLSMode of its own in ServiceDefaults${services.length ? ` (${services.slice(0, SAMPLE).map(shown).join(', ')}${services.length > SAMPLE ? ', …' : ''})` : ''}`;
    const list = (refs: string[]) => `${refs.slice(0, SAMPLE).join(', ')}${refs.length > SAMPLE ? ', …' : ''}`;
    const apart = noTproxy.length > 0 ? `${noTproxy.length} workload(s) without the transparent proxy, where mutualTLSMode does not apply: ${list(noTproxy)}` : '';
    const on = workloads.length > 0
      ? `${workloads.length} meshed workload(s): ${list(workloads)}${apart ? `; not ${apart}` : ''}`
      : apart ? `no meshed workload takes plaintext through it: ${apart}` : 'no meshed workload in the snapshot yet';
    if (e.updateFailed || e.meshUnknown) {
      // Written, not confirmed: Consul keeps the version it held (the last update failed), or may
      // have refused the entry (the Mesh entry that decides cannot be shown). Reach calls the mode
      // unknown; so does this finding, never "permissive in effect". Permissive is medium where
      // meshed workloads take its mode, one notch under in effect: they may take plaintext today,
      // and the controller requeues the failed write (configentry_controller.go returns the error),
      // so they will once it goes through; low where none does, and for strict (the entry closes).
      const why = e.updateFailed
        ? `the consul-k8s controller's last update failed (Synced=Unknown, ${syncedConditionText(e.updateFailed)}), and Consul keeps the version it held before`
        : `Consul has not reported it synced and accepts a permissive entry only while the Mesh entry allows it; ${meshUnknown}`;
      out.push({
        status: 'fail', resource: e.ref, detailKey: 'mode', severity: e.mode === 'permissive' && workloads.length > 0 ? 'medium' : 'low',
        message: `${entry} sets mutualTLSMode ${e.mode} for ${what}, but Consul has not confirmed it: ${why}. The mode in effect today, strict or permissive, is unknown: the snapshot cannot show it (${on}).`,
        evidence,
      });
      continue;
    }
    if (!e.inEffect) {
      // What those workloads accept today is the entry Consul does apply to them (ProxyDefaults
      // global, or the default): permissive there means plaintext is already let in.
      // One whose mode Consul has not confirmed is neither: it is said to be unknown, as reach says.
      const open = new Map<string, string[]>();
      const closed = new Map<string, string[]>();
      const unsure = new Map<string, string[]>();
      for (const w of d?.workloads ?? []) {
        const now = tls.modeOf(w.service, w.namespace);
        const into = w.unconfirmed ? unsure : now.mode === 'permissive' ? open : closed;
        const key = w.unconfirmed ? `${now.source}, which Consul has not confirmed (${w.unconfirmed}),` : now.source;
        const refs = into.get(key);
        if (refs) refs.push(w.ref);
        else into.set(key, [w.ref]);
      }
      const decides = (by: Map<string, string[]>) => [...by].map(([source, refs]) => `${source} decides for ${list(refs)}`).join('; ');
      const unknownNow = unsure.size > 0 ? `The mode in effect today is unknown where ${decides(unsure)}` : '';
      const why = e.refused === 'mesh-disallows-permissive' ? `${mesh}, so Consul refuses the entry`
        : e.refused === 'invalid-mode' ? 'Consul accepts only "", "strict" or "permissive", so the consul-k8s webhook and Consul refuse the entry'
          : `Consul reports it not synced (Synced=False${e.synced && (e.synced.reason !== undefined || e.synced.message !== undefined) ? `, ${syncedConditionText(e.synced)}` : ''}): the consul-k8s controller could not write it, and Consul keeps the version it held before, if any`;
      if (e.heldByConsul) {
        // Consul applies the entry of that name it holds, which the snapshot cannot show.
        out.push({
          status: 'fail', resource: e.ref, detailKey: 'mode', severity: 'low',
          message: `${entry} sets ${e.mode === 'invalid' ? `mutualTLSMode ${quotedEntryValue(e.value)}` : `mutualTLSMode ${e.mode}`} for ${what}, but it is not in effect: Consul reports it not synced (Synced=False${e.synced && (e.synced.reason !== undefined || e.synced.message !== undefined) ? `, ${syncedConditionText(e.synced)}` : ''}), and Consul holds, or may hold, an entry of that name that the consul-k8s controller did not write over. The mode in effect today, strict or permissive, is unknown: the snapshot cannot show that entry (${on}).`,
          evidence,
        });
        continue;
      }
      const sets = e.mode === 'invalid' ? `mutualTLSMode ${quotedEntryValue(e.value)}` : `mutualTLSMode ${e.mode}`;
      let today: string;
      if (e.mode === 'permissive') {
        const opening = e.refused === 'mesh-disallows-permissive' ? 'allowing permissive mode in the Mesh entry' : `syncing the entry${allowed ? '' : ' (with the Mesh entry allowing permissive mode)'}`;
        const openNow = [...open.values()].reduce((n, refs) => n + refs.length, 0);
        today = open.size > 0
          ? `Plaintext is accepted today all the same: ${decides(open)}${openNow < workloads.length ? `; ${opening} would let it in for the other ${workloads.length - openNow} (${on})` : apart ? ` (${apart})` : ''}.${unknownNow ? ` ${unknownNow}.` : ''}`
          : unknownNow ? `${unknownNow}${closed.size > 0 ? `; plaintext is refused today where ${decides(closed)}` : ''}; ${opening} would let it in (${on}).`
            : `Plaintext is refused today, but ${opening} would let it in (${on}).`;
      } else {
        // A strict or invalid entry meant something other than what applies: say what does.
        today = open.size > 0
          ? `Plaintext is accepted today: ${decides(open)}${closed.size > 0 ? `; ${decides(closed)}` : ''}${apart ? ` (${apart})` : ''}.${unknownNow ? ` ${unknownNow}.` : ''}`
          : unknownNow ? `${unknownNow}${closed.size > 0 ? `; today ${decides(closed)}` : ''}${apart ? ` (${apart})` : ''}.`
            : closed.size > 0 ? `Today ${decides(closed)}${apart ? ` (${apart})` : ''}.` : `Nothing takes its mode today (${on}).`;
      }
      out.push({
        status: 'fail', resource: e.ref, detailKey: 'mode', severity: e.mode !== 'permissive' && open.size > 0 ? 'medium' : 'low',
        message: `${entry} sets ${sets} for ${what}, but it is not in effect: ${why}. ${today}`,
        evidence,
      });
      continue;
    }
    const kept = e.keptWithoutMeshAllow ? `; Consul keeps it although ${mesh}` : ` (${mesh})`;
    // Workloads whose own entry Consul has not confirmed may not take this mode (reach: unknown).
    const unsure = (d?.workloads ?? []).filter((w) => w.unconfirmed);
    const sure = workloads.length - unsure.length;
    const taking = unsure.length === 0 ? on
      : `${sure > 0 ? `${sure} meshed workload(s): ${list((d?.workloads ?? []).filter((w) => !w.unconfirmed).map((w) => w.ref))}` : 'no meshed workload whose mode is known'}; mode unknown for ${unsure.length} whose entry Consul has not confirmed: ${list(unsure.map((w) => `${w.ref} (${w.unconfirmed})`))}${apart ? `; not ${apart}` : ''}`;
    if (unsure.length > 0) evidence.modeUnknownWorkloads = unsure.slice(0, SAMPLE).map((w) => w.ref);
    out.push({
      status: 'fail', resource: e.ref, detailKey: 'mode', severity: sure > 0 ? 'high' : 'medium',
      message: `${entry} sets mutualTLSMode permissive for ${what}: its sidecars accept plaintext on the service port alongside mTLS, and intentions do not apply to plaintext connections${kept}; ${taking}.`,
      evidence,
    });
  }
  return out;
}
