import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { admitsUnauthenticated, isLinkerdPolicy, linkerdPresent, meshModel } from '../../src/analysis/mesh/index.ts';
import { REQUIRE_IDENTITY_ANNOTATION, linkerdInboundSkips, linkerdProxyOwnPorts, linkerdSkippedSubnets, linkerdRequireIdentityPorts, pendingNote, portInList, winningServer, withIdentityRequired } from '../../src/analysis/mesh/linkerd.ts';
import { containerPorts } from '../../src/analysis/mesh/util.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { LINKERD_CLUSTER_DEFAULT_READ } from './lib/mesh-config-reads.ts';
import { ISTIO_REVISION_TAGS_READ } from './lib/istio-mesh-config.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { serverNamedPorts } from './lib/mesh-authz.ts';
import { LINKERD_GONE_NOTE, notedWithoutControlPlane, withoutControlPlane } from './lib/control-plane.ts';
import { meshUnseenNamespaces, meshUnseenNote, namespaceKnown } from './lib/unseen-namespaces.ts';

const PROXY_CONTAINERS = new Set(['linkerd-proxy', 'linkerd-init', 'linkerd-network-validator']);

/**
 * Whether port ranges ("9000-9100") and single ports together cover every port 1-65535: skipped
 * ranges (withoutPorts': the proxy's own ports left out) with those own ports, or ports requiring
 * identity with those a Server closes.
 */
function coversEveryPort(ranges: readonly string[], own: readonly number[]): boolean {
  const spans = [...ranges.map((r) => r.split('-').map(Number)), ...own.map((p) => [p])].map(([lo, hi = lo]) => [lo, hi]).sort((a, b) => a[0] - b[0]);
  let next = 1;
  for (const [lo, hi] of spans) {
    if (lo > next) return false;
    next = Math.max(next, hi + 1);
  }
  return next > 65535;
}

/** Port ranges ("8000", "9000-9100") less the ports `minus`, as ranges again ("9000-9049", "9051-9100"). */
function rangesWithout(ranges: readonly string[], minus: readonly number[]): string[] {
  const span = (lo: number, hi: number) => (lo === hi ? `${lo}` : `${lo}-${hi}`);
  const out: string[] = [];
  for (const r of ranges) {
    const [lo, hi = lo] = r.split('-').map(Number);
    let next = lo;
    for (const p of [...new Set(minus)].filter((x) => x >= lo && x <= hi).sort((a, b) => a - b)) {
      if (p > next) out.push(span(next, p - 1));
      next = p + 1;
    }
    if (next <= hi) out.push(span(next, hi));
  }
  return out;
}

function severityFor(policy: string): 'high' | 'medium' {
  return policy === 'cluster-unauthenticated' ? 'medium' : 'high';
}

export const linkerdUnauthenticatedDefault: Check = {
  id: 'mtls.linkerd-unauthenticated-default',
  area: 'mtls',
  title: "Linkerd's default inbound policy requires a mesh identity",
  protectsAgainst: 'Linkerd inbound policies that admit clients without a mesh identity (plaintext from anywhere or from cluster networks), and a Linkerd still installed whose identity, destination or proxy-injector controller no longer runs',
  severity: 'high',
  controls: MESH_ENCRYPTION,
  remediation: 'Install Linkerd with proxy.defaultInboundPolicy=all-authenticated (or cluster-authenticated / deny), annotate namespaces with config.linkerd.io/default-inbound-policy: all-authenticated, or cover every port with a Server and AuthorizationPolicy; give no Server an accessPolicy that admits unauthenticated clients (all-unauthenticated, cluster-unauthenticated, audit). If the control plane is gone, bring linkerd-identity, linkerd-destination and linkerd-proxy-injector back (scale up or reinstall), or finish the uninstall: restart the meshed workloads without the proxy and delete the webhook linkerd-proxy-injector-webhook-config.',
  needs: ['namespaces', 'pods'],
  // No Server installed means none covers any port.
  reads: ['linkerd.servers'],
  readsWhen: [...meshPresenceReads('linkerd'), ISTIO_REVISION_TAGS_READ, LINKERD_CLUSTER_DEFAULT_READ, {
    kinds: ['services'],
    when: 'when a Linkerd control-plane component runs no pod while its proxy injector webhook calls an in-cluster Service: that Service, whose selector says whether the control plane is gone or served from elsewhere',
    holds: (ctx) => meshModel(ctx.snapshot, ctx.config).linkerd.controlPlaneServicesUnread,
  }],
  appliesTo: linkerdPresent,
  appliesWhen: 'when Linkerd is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the default inbound policy of the workloads there was not judged'),
  unjudgedNamespaces: meshUnseenNamespaces,
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    const cd = m.linkerd.clusterDefault;
    const cdResource = { kind: 'ConfigMap', namespace: 'linkerd', name: 'linkerd-config' };
    if (!isLinkerdPolicy(cd.policy)) {
      out.push({ status: 'fail', resource: cdResource, detailKey: 'default-inbound-policy', severity: 'medium', message: `Cluster default inbound policy ${JSON.stringify(cd.policy)} (${cd.source}) is not a Linkerd policy value.`, evidence: { ...cd } });
    } else if (admitsUnauthenticated(cd.policy)) {
      out.push({ status: 'fail', resource: cdResource, detailKey: 'default-inbound-policy', severity: severityFor(cd.policy), message: `Cluster default inbound policy is ${cd.policy} (${cd.source}): meshed pods accept plaintext from ${cd.policy === 'cluster-unauthenticated' ? 'any cluster network address' : 'anyone'} on ports without a Server.`, evidence: { ...cd } });
    } else {
      out.push({ status: 'pass', resource: cdResource, detailKey: 'default-inbound-policy', message: `Cluster default inbound policy is ${cd.policy} (${cd.source}).`, evidence: { ...cd } });
    }

    for (const w of m.workloads) {
      if (w.mesh !== 'linkerd' || !w.linkerdPolicy || !namespaceKnown(w)) continue;
      const { policy, source, pending } = w.linkerdPolicy;
      const ref = w.workload.ref;
      const evidence: Record<string, unknown> = { policy, source, podCount: w.workload.podCount, ...(pending ? { pendingOnRestart: pending } : {}) };
      const note = pendingNote(pending);
      if (!isLinkerdPolicy(policy)) {
        out.push({ status: 'fail', resource: ref, severity: 'medium', message: `${refString(ref)}: default inbound policy ${JSON.stringify(policy)} (${source}) is not a Linkerd policy value${note}.`, evidence });
        continue;
      }
      const servers = m.linkerd.servers.get(w.namespace) ?? [];
      const spec = { ...w.workload.pods[0].spec };
      spec.containers = (Array.isArray(spec.containers) ? spec.containers : []).filter((c: { name?: string }) => !PROXY_CONTAINERS.has(c?.name ?? ''));
      spec.initContainers = (Array.isArray(spec.initContainers) ? spec.initContainers : []).filter((c: { name?: string }) => !PROXY_CONTAINERS.has(c?.name ?? ''));
      const declared = containerPorts(spec);
      // Traffic to a port that skips the proxy never meets its policy (neither the default nor a
      // Server's): mtls.linkerd-skip-ports and mtls.authz-missing report those ports instead.
      const nsAnnotations = m.namespaces.get(w.namespace)?.annotations ?? {};
      const skips = linkerdInboundSkips(nsAnnotations, w.workload.pods[0], w.namespace, w.workload.template, m.linkerd);
      const skipped = skips ? declared.filter((p) => portInList(skips.ports, p.port)) : [];
      const ports = skipped.length > 0 ? declared.filter((p) => !skipped.includes(p)) : declared;
      if (skipped.length > 0) {
        evidence.skippedPorts = skipped.map((p) => p.port);
        evidence.skippedBy = skips!.source;
      }
      // Connections from skipped source subnets never meet the policy either, on any port.
      const subnets = linkerdSkippedSubnets(nsAnnotations, w.workload.pods[0], w.namespace, w.workload.template, m.linkerd)?.subnets ?? [];
      if (subnets.length > 0) evidence.skippedSubnets = subnets.map((x) => x.text);
      const subnetNote = subnets.length > 0 ? `; inbound connections from ${subnets.map((x) => x.text).join(', ')} skip the proxy on every port, and its policy does not apply to them (see mtls.linkerd-skip-ports)` : '';
      const skipNote = `${skipped.length > 0 ? `; port${skipped.length > 1 ? 's' : ''} ${skipped.map((p) => p.port).join(', ')} skip${skipped.length > 1 ? '' : 's'} the proxy, whose policy does not apply there (see mtls.linkerd-skip-ports)` : ''}${subnetNote}`;
      if (!admitsUnauthenticated(policy)) {
        // A Server's accessPolicy replaces the default on the port it covers (Server v1beta3 CRD: "Default
        // access policy to apply when the traffic doesn't match any of the policy rules"; linkerd2
        // policy-controller/k8s/index/src/inbound/index.rs client_authzs adds its default_authzs to the
        // Server's authorizations), so one that admits unauthenticated clients reopens that port.
        const reopened = ports.flatMap((p) => {
          const s = winningServer(servers, w.labels, [p])?.server;
          return s && admitsUnauthenticated(s.accessPolicy) ? [{ port: p.port, server: s.name, accessPolicy: s.accessPolicy }] : [];
        });
        if (reopened.length === 0) {
          out.push({ status: 'pass', resource: ref, message: `${refString(ref)}: default inbound policy ${policy} (${source}) requires ${policy === 'deny' ? 'explicit authorization' : 'a mesh identity'}${skipNote}${note}.`, evidence });
          continue;
        }
        evidence.serverAccessPolicies = reopened;
        out.push({
          status: 'fail',
          resource: ref,
          severity: reopened.every((r) => r.accessPolicy === 'cluster-unauthenticated') ? 'medium' : 'high',
          message: `${refString(ref)}: default inbound policy ${policy} (${source}) requires ${policy === 'deny' ? 'explicit authorization' : 'a mesh identity'}, but ${reopened.map((r) => `port ${r.port} follows Server ${r.server} (accessPolicy ${r.accessPolicy})`).join(', ')}: ${reopened.length > 1 ? 'these admit' : 'it admits'} unauthenticated clients${skipNote}${note}.`,
          evidence,
        });
        continue;
      }
      // Ports listed in proxy-require-identity-inbound-ports get the *-authenticated variant of the
      // default (audit has none); a Server on the port decides there instead.
      const requireId = withIdentityRequired(policy) !== policy ? linkerdRequireIdentityPorts(nsAnnotations, w.workload.pods[0], w.namespace) : undefined;
      // Of several Servers on a port only the oldest counts (winningServer).
      const uncovered = ports.filter((p) => {
        const s = winningServer(servers, w.labels, [p])?.server;
        return s ? admitsUnauthenticated(s.accessPolicy) : !(requireId && portInList(requireId.ports, p.port));
      });
      evidence.ports = declared.map((p) => p.port);
      if (requireId) evidence.requireIdentityPorts = { ports: requireId.ports, source: requireId.source, ...(requireId.ignored ? { ignored: requireId.ignored } : {}) };
      // A list the policy controller cannot read whole requires identity on no port (parsePolicyPortSet).
      const ignoredNote = requireId?.ignored ? `; its ${REQUIRE_IDENTITY_ANNOTATION} (${requireId.source}) is ignored by Linkerd's policy controller, as one ${requireId.ignored}, so no port requires a mesh identity` : '';
      // Every declared port skipped: linkerd-init still redirects every other port to the proxy
      // (linkerd2-proxy-init pkg/iptables/iptables.go addIncomingTrafficRules: RETURN for the
      // ignored ports, then REDIRECT of all remaining TCP), so a listener the spec does not declare
      // meets the default there, as on a workload declaring none; only a list skipping every port
      // leaves the policy nowhere to apply.
      const everyPortSkipped = skips !== undefined && coversEveryPort(skips.ports, linkerdProxyOwnPorts(nsAnnotations, w.workload.pods[0], w.namespace));
      if (everyPortSkipped || (ports.length > 0 && uncovered.length === 0)) {
        const rest = ports.length === 0 ? ', but every port skips the proxy' : `, but every declared port ${skipped.length > 0 ? 'the proxy sees ' : ''}${requireId && requireId.ports.length > 0 ? `requires a mesh identity (${requireId.source}) or ` : ''}is covered by a Server that requires authorization`;
        out.push({ status: 'pass', resource: ref, message: `${refString(ref)}: default inbound policy is ${policy}${rest}${skipNote}${note}.`, evidence });
        continue;
      }
      evidence.uncoveredPorts = uncovered.map((p) => p.port);
      // A Server naming a port number covers it though no container declares it (serverNamedPorts,
      // as mtls.authz-missing and reach read it): the default governs the other ports only.
      const named = declared.length === 0 ? serverNamedPorts(servers, w, declared) : [];
      if (named.length > 0) evidence.undeclaredServerPorts = named;
      const closed = named.filter((port) => {
        const s = winningServer(servers, w.labels, [{ port }])?.server;
        return s !== undefined && !admitsUnauthenticated(s.accessPolicy);
      });
      // Ports listed in proxy-require-identity-inbound-ports require a mesh identity whether or not a
      // container declares them: the policy controller sets the default's authenticated_only by port
      // number (default_inbound_server, `settings.require_id_ports.contains(&port)`), for any port the
      // proxy asks about (https://linkerd.io/2-edge/reference/proxy-configuration/). A Server on one
      // of them decides there instead (named above).
      const required = declared.length === 0 && requireId ? rangesWithout(requireId.ports, named) : [];
      const lowOf = (r: string | number) => Number(String(r).split('-')[0]);
      const excepted = [...closed, ...required].sort((a, b) => lowOf(a) - lowOf(b));
      const several = (list: ReadonlyArray<string | number>) => list.length > 1 || String(list[0]).includes('-');
      const why = [
        ...(closed.length > 0 ? [`port${closed.length > 1 ? 's' : ''} ${closed.join(', ')}, which no container declares but a Server names (Linkerd applies a Server to a port number whether or not it is declared), ${closed.length > 1 ? 'are' : 'is'} covered by a Server that requires authorization`] : []),
        ...(required.length > 0 ? [`port${several(required) ? 's' : ''} ${required.join(', ')} require${several(required) ? '' : 's'} a mesh identity (${requireId!.source})`] : []),
      ];
      // A list covering every port ("1-65535", or ranges that with the closed Servers' ports leave none
      // out): no port is left to the unauthenticated default, whatever the pod listens on.
      if (declared.length === 0 && required.length > 0 && coversEveryPort(required, closed)) {
        out.push({ status: 'pass', resource: ref, message: `${refString(ref)}: default inbound policy is ${policy}, but no port is declared and every port requires a mesh identity (${requireId!.source})${closed.length > 0 ? ` or is covered by a Server that requires authorization (port${closed.length > 1 ? 's' : ''} ${closed.join(', ')})` : ''}${skipNote}${note}.`, evidence });
        continue;
      }
      const where = declared.length === 0 ? (excepted.length === 0 ? 'all ports (none declared)'
        : `every port but ${excepted.join(', ')} (none declared; ${why.join('; ')})`)
        : ports.length === 0 ? 'every port but the skipped ones: no declared port reaches the proxy, but a listener on any other port does'
          : `port(s) ${uncovered.map((p) => p.port).join(', ')} not covered by a Server`;
      out.push({
        status: 'fail',
        resource: ref,
        severity: severityFor(policy),
        message: `${refString(ref)}: default inbound policy ${policy} (${source}) admits unauthenticated clients${policy === 'cluster-unauthenticated' ? ' from cluster networks' : ''} on ${where}${ignoredNote}${skipNote}${note}.`,
        evidence,
      });
    }
    // The cluster-wide verdict owns a control plane gone (components.ts linkerdControlPlaneGone);
    // a workload's pass keeps its verdict with a note.
    const gone = m.linkerd.controlPlaneGone;
    if (!gone) return out;
    return out.map((v, i) => (i === 0 ? withoutControlPlane(v, gone) : notedWithoutControlPlane(v, gone, LINKERD_GONE_NOTE, 'this check\'s cluster-wide finding')));
  },
};
