// The Linkerd and Consul sides of the authorization checks (mtls.authz-missing,
// mtls.authz-allow-any): the same questions as for Istio, asked of each mesh's own API.
// - Linkerd: a port without a Server follows the default inbound policy, which admits every
//   meshed identity unless it is `deny` (https://linkerd.io/2.16/reference/authorization-policy/);
//   a port covered by a Server is denied unless authorized (or its accessPolicy says otherwise).
// - Consul: a service accepts any mesh service when no intention more specific than the default
//   denies an unnamed caller (https://developer.hashicorp.com/consul/docs/connect/intentions).
// - Either: a port the proxy never receives (Linkerd config.linkerd.io/skip-inbound-ports, Consul
//   consul.hashicorp.com/transparent-proxy-exclude-inbound-ports) takes plaintext from any caller
//   the network lets in, and no Server, authorization or intention applies there: the workload
//   fails whatever its policies say, naming the annotation, as an Istio sidecar's excluded inbound
//   port does (authz-missing.ts). The same verdict reach gives (mesh-flows.ts, consul.ts judgeConsulFlow).
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { judgeConsulFlow, meshModel, type WorkloadMesh } from '../../../src/analysis/mesh/index.ts';
import { CONSUL_EXCLUDE_INBOUND_ANNOTATION, consulPortList } from '../../../src/analysis/mesh/consul.ts';
import { linkerdInboundSkips, portInList, winningServer, type LinkerdServer, type ServerChoice } from '../../../src/analysis/mesh/linkerd.ts';
import { containerPorts, labelSelectorMatches } from '../../../src/analysis/mesh/util.ts';
import { isSystemNamespace } from '../../../src/analysis/netpol/rules.ts';
import { refString } from '../../../src/analysis/workloads.ts';
import { namespaceKnown } from './unseen-namespaces.ts';

const PROXY_CONTAINERS = new Set(['linkerd-proxy', 'linkerd-init', 'linkerd-network-validator']);

function meshWorkloads(ctx: AuditContext, mesh: 'linkerd' | 'consul'): WorkloadMesh[] {
  return meshModel(ctx.snapshot, ctx.config).workloads.filter((w) => w.mesh === mesh && namespaceKnown(w) && !isSystemNamespace(w.namespace, ctx.config.systemNamespaces));
}

/** Declared application ports (the proxy's own containers left out). */
function appPorts(w: WorkloadMesh): Array<{ port: number; name?: string }> {
  const spec = { ...w.workload.pods[0].spec };
  const keep = (list: unknown) => (Array.isArray(list) ? list : []).filter((c: { name?: string }) => !PROXY_CONTAINERS.has(c?.name ?? ''));
  spec.containers = keep(spec.containers);
  spec.initContainers = keep(spec.initContainers);
  return containerPorts(spec);
}

/**
 * The port numbers Servers selecting the workload name that no container of it declares. Linkerd
 * applies a Server to a pod port by number whether or not the pod spec declares it: linkerd2
 * policy-controller/k8s/index/src/inbound/index.rs (Pod::select_ports: `Port::Number(p) =>
 * Some(*p)`; only `Port::Name` looks the name up in the pod's declared ports), and the proxy asks
 * for the policy of any port it is called on (linkerd2-proxy linkerd/app/inbound/src/policy/store.rs,
 * Dynamic::check_policy spawns a watch for a port not yet discovered). reach reads them so
 * (serverCoversPort); so must this check.
 */
export function serverNamedPorts(servers: readonly LinkerdServer[], w: WorkloadMesh, declared: ReadonlyArray<{ port: number }>): number[] {
  const out = new Set<number>();
  for (const s of servers) if (typeof s.port === 'number' && !declared.some((p) => p.port === s.port) && labelSelectorMatches(s.podSelector, w.labels)) out.add(s.port);
  return [...out].sort((a, b) => a - b);
}

/** Why the winner of several Servers on a port decides it (the oldest wins; see winningServer). */
function precedenceNote(c: ServerChoice): string {
  if (c.unordered) return `; ${c.unordered}`;
  return c.skipped.length > 0 ? `, older than ${c.skipped.map((s) => s.name).join(', ')}, which Linkerd skips on this port` : '';
}

export function linkerdAuthzMissing(ctx: AuditContext): Verdict[] {
  const m = meshModel(ctx.snapshot, ctx.config);
  const out: Verdict[] = [];
  for (const p of m.linkerd.policy.problems) {
    out.push({ status: 'fail', resource: p.ref, detailKey: 'malformed', severity: 'low', message: `${p.ref.kind} ${p.ref.namespace}/${p.ref.name}: ${p.problem}; it authorizes nobody`, evidence: { problem: p.problem } });
  }
  for (const [ns, servers] of m.linkerd.servers) {
    if (isSystemNamespace(ns, ctx.config.systemNamespaces)) continue;
    const workloads = m.workloadsByNamespace.get(ns) ?? [];
    for (const s of servers) {
      if (workloads.some((w) => labelSelectorMatches(s.podSelector, w.labels))) continue;
      out.push({
        status: 'fail', resource: { kind: 'Server', namespace: ns, name: s.name }, detailKey: 'selects-nothing', severity: 'low',
        message: `Server ${ns}/${s.name} selects no pod in ${ns} (podSelector ${JSON.stringify(s.podSelector ?? null)}): the port it was meant to protect follows the default inbound policy`,
      });
    }
  }
  for (const w of meshWorkloads(ctx, 'linkerd')) {
    const resource = w.workload.ref;
    const policy = w.linkerdPolicy!;
    const servers = m.linkerd.servers.get(w.namespace) ?? [];
    const declared = appPorts(w);
    const named = serverNamedPorts(servers, w, declared);
    const ports = [...declared, ...named.map((port) => ({ port }))];
    const skips = linkerdInboundSkips(m.namespaces.get(w.namespace)?.annotations ?? {}, w.workload.pods[0], w.namespace, w.workload.template, m.linkerd);
    const open: string[] = [];
    const assumed: string[] = [];
    for (const p of ports) {
      // A port that skips the proxy is reported as skipped below: no Server or default policy applies there.
      if (skips && portInList(skips.ports, p.port)) continue;
      const choice = winningServer(servers, w.labels, [p]);
      if (choice?.unordered && choice.server.accessPolicy === 'deny') assumed.push(`port ${p.port}: ${choice.unordered}`);
      if (!choice) {
        if (policy.policy !== 'deny') open.push(`${p.port} (no Server; default ${policy.policy})`);
      } else if (choice.server.accessPolicy !== 'deny') open.push(`${p.port} (Server ${choice.server.name} accessPolicy ${choice.server.accessPolicy}${precedenceNote(choice)})`);
    }
    const evidence = { defaultPolicy: policy.policy, source: policy.source, ports: ports.map((p) => p.port), ...(named.length > 0 ? { undeclaredServerPorts: named } : {}) };
    const namedText = `port${named.length > 1 ? 's' : ''} ${named.join(', ')}, which no container declares but a Server names (Linkerd applies a Server to a port number whether or not it is declared)`;
    // A skipped port no container declares may still have a listener (declaring is optional), so
    // it keeps failing, worded as a condition; the chart default (installed or assumed) fails only where declared.
    const reached = skips?.ports.filter((r) => ports.some((p) => portInList([r], p.port))) ?? [];
    const undeclared = skips && !skips.assumedDefault && !skips.installedDefault ? skips.ports.filter((r) => !reached.includes(r)) : [];
    if (skips && reached.length + undeclared.length > 0) {
      const list = [...reached, ...undeclared];
      const skip = (l: string[]) => `${l.length > 1 ? `ports ${l.join(', ')} skip` : `port ${l[0]} skips`}`;
      const reaches = (l: string[]) => `any caller the network lets in reaches ${l.length > 1 ? 'them' : 'it'} in plaintext and no Server or authorization applies there`;
      const text = reached.length > 0
        ? `${skip(reached)} its linkerd-proxy (${skips.source}): ${reaches(reached)}${undeclared.length > 0 ? `; ${skip(undeclared)} it too, which no container declares: if anything listens there, ${reaches(undeclared)}` : ''}`
        : `${skip(undeclared)} its linkerd-proxy (${skips.source}), which no container declares: if anything listens there, ${reaches(undeclared)}`;
      out.push({
        status: 'fail', resource,
        message: `${refString(resource)}: ${text}${open.length > 0 ? `; also open on port${open.length > 1 ? 's' : ''} ${open.join(', ')}` : ''}`,
        evidence: { ...evidence, skippedPorts: list, skippedBy: skips.source, ...(undeclared.length > 0 ? { undeclaredSkippedPorts: undeclared } : {}), ...(skips.assumedDefault ? { assumedDefault: true } : {}), ...(skips.installedDefault ? { installedDefault: true } : {}), ...(open.length > 0 ? { open } : {}) },
      });
    } else if (ports.length === 0 && policy.policy !== 'deny') {
      out.push({ status: 'fail', resource, message: `${refString(resource)} is in the Linkerd mesh with default inbound policy ${policy.policy} (${policy.source}) and declares no port a Server could cover: every meshed caller is accepted`, evidence });
    } else if (open.length > 0) {
      out.push({ status: 'fail', resource, message: `${refString(resource)} accepts any caller its policy admits on port${open.length > 1 ? 's' : ''} ${open.join(', ')}: no Server with authorization restricts who may call`, evidence: { ...evidence, open } });
    } else {
      const covered = named.length === 0 ? 'every declared port is' : declared.length === 0 ? `${namedText}, ${named.length > 1 ? 'are' : 'is'}` : `every declared port, and ${namedText}, is`;
      const others = declared.length === 0 && named.length > 0 && policy.policy !== 'deny' ? `; any other port it listens on follows default inbound policy ${policy.policy} (${policy.source})` : '';
      out.push({ status: 'pass', resource, message: `${refString(resource)}: ${policy.policy === 'deny' && servers.length === 0 ? `default inbound policy deny (${policy.source})` : `${covered} covered by a Server that denies unless authorized${others}`}${assumed.length > 0 ? ` (${assumed.join('; ')})` : ''}`, evidence });
    }
  }
  return out;
}

export function consulAuthzMissing(ctx: AuditContext): Verdict[] {
  const m = meshModel(ctx.snapshot, ctx.config);
  const out: Verdict[] = [];
  for (const p of m.consul.intentions.problems) {
    out.push({ status: 'fail', resource: p.ref, detailKey: 'malformed', severity: 'low', message: `ServiceIntentions ${p.ref.namespace}/${p.ref.name}: ${p.problem}`, evidence: { problem: p.problem } });
  }
  // An unnamed caller: only wildcard sources and the default intention can decide for it.
  const anyone = { namespace: '\u0000', serviceAccount: '\u0000', labels: {}, mtls: true };
  for (const w of meshWorkloads(ctx, 'consul')) {
    const resource = w.workload.ref;
    const service = w.consulService ?? w.workload.ref.name;
    const v = judgeConsulFlow({ index: m.consul.intentions, defaultIntention: m.consul.defaultIntention, callerService: '\u0000', calleeService: service },
      anyone, { namespace: w.namespace, name: w.workload.ref.name, serviceAccount: '', labels: w.labels, port: 0, protocol: 'TCP' });
    const evidence = { service, decidedBy: v.policy ?? null };
    const excluded = consulPortList(w.annotations[CONSUL_EXCLUDE_INBOUND_ANNOTATION]);
    if (excluded.length > 0) {
      out.push({
        status: 'fail', resource,
        message: `${refString(resource)} (Consul service ${service}): ${excluded.length > 1 ? `ports ${excluded.join(', ')} are` : `port ${excluded[0]} is`} excluded from its Consul sidecar (pod annotation ${CONSUL_EXCLUDE_INBOUND_ANNOTATION}): any caller the network lets in reaches ${excluded.length > 1 ? 'them' : 'it'} in plaintext and no intention applies there${v.verdict === 'allowed' ? `; the sidecar also accepts calls from any mesh service: ${v.reason}` : ''}`,
        evidence: { ...evidence, excludedPorts: excluded },
        related: v.policy ? [v.policy] : undefined,
      });
    } else if (v.verdict === 'allowed') {
      out.push({ status: 'fail', resource, message: `${refString(resource)} (Consul service ${service}) accepts calls from any mesh service: ${v.reason}`, evidence, related: v.policy ? [v.policy] : undefined });
    } else {
      out.push({ status: 'pass', resource, message: `${refString(resource)} (Consul service ${service}): an unnamed caller is ${v.verdict === 'denied' ? 'denied' : 'judged per request'} (${v.reason})`, evidence });
    }
  }
  return out;
}

export function linkerdAllowAny(ctx: AuditContext): Verdict[] {
  const m = meshModel(ctx.snapshot, ctx.config);
  const out: Verdict[] = [];
  for (const [ns, list] of m.linkerd.policy.authorizations) {
    for (const a of list) {
      if (a.problems.length > 0) continue;
      const target = a.target.kind === 'ServerSelector' ? `Servers matching ${JSON.stringify(a.target.selector)}` : a.target.kind === 'Namespace' ? `every Server and HTTPRoute in namespace ${a.target.name}` : `${a.target.kind} ${a.target.name}`;
      if (!a.anyCaller && !a.anyIdentity) {
        out.push({ status: 'pass', resource: a.ref, message: `${a.ref.kind} ${ns}/${a.ref.name} names the clients it authorizes on ${target}` });
        continue;
      }
      const wide = a.anyCaller || a.target.kind === 'Namespace';
      out.push({
        status: 'fail', resource: a.ref, severity: wide ? 'high' : 'medium',
        message: `${a.ref.kind} ${ns}/${a.ref.name} authorizes ${a.anyCaller ? 'any client from any address, without a mesh identity too,' : 'any meshed identity'} on ${target}`,
        evidence: { target: a.target, rules: a.rules.map((r) => r.why), anyCaller: a.anyCaller },
      });
    }
  }
  return out;
}

export function consulAllowAny(ctx: AuditContext): Verdict[] {
  const m = meshModel(ctx.snapshot, ctx.config);
  const out: Verdict[] = [];
  for (const it of m.consul.intentions.intentions) {
    const open = it.sources.filter((s) => s.name === '*' && (s.namespace === undefined || s.namespace === '*') && s.action === 'allow' && !s.remote);
    const name = `${it.ref.namespace}/${it.ref.name}`;
    if (open.length === 0) {
      out.push({ status: 'pass', resource: it.ref, message: `ServiceIntentions ${name} names the services it allows to call ${it.destination.name}` });
      continue;
    }
    const every = it.destination.name === '*';
    out.push({
      status: 'fail', resource: it.ref, severity: every ? 'high' : 'medium',
      message: `ServiceIntentions ${name} allows every mesh service (source "*") to call ${every ? 'every service' : `service ${it.destination.name}`} (sources[${open.map((s) => s.index).join('], sources[')}])`,
      evidence: { destination: it.destination, sources: open.map((s) => s.index) },
    });
  }
  return out;
}
