// A kind read only to refine verdicts about other kinds' objects (KindSpec.onlyWith) costs a
// complete run only where those objects are. Upstream, what each is read for:
// - EndpointSlices: the backends Cilium gives a toServices rule naming a Service without a
//   selector (https://docs.cilium.io/en/stable/security/policy/language/#services-based: "the
//   Service's endpoints"; a Service without a selector has its EndpointSlices set by hand,
//   https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors).
//   No CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy, no toServices rule: nothing reads them.
// - MiddlewareTCP: only an IngressRouteTCP's routes[].middlewares name one
//   (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tcp/ingressroutetcp/,
//   https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tcp/middlewaretcp/).
// A role that predates such a kind (refused: 403) made every run partial on every cluster: the
// report's partial line, the email's "(partial run)", Slack's "partial:" block, the partial gauge.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { main } from '../../../src/cli/main.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { whoNeeds } from '../../../src/cli/source.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { Check } from '../../../src/engine/types.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { KINDS } from '../../../src/snapshot/kinds.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';

const FORBIDDEN = { status: 'forbidden' as const, detail: 'list middlewaretcps.traefik.io at cluster scope' };

/** A snapshot read from a cluster: every kind read (none of its objects) but `coverage`'s, with `objects`. */
function snapshotOf(coverage: Snapshot['coverage'], objects: Snapshot['resources'] = {}): Snapshot {
  const all: Snapshot['coverage'] = {};
  for (const k of KINDS) all[k.key] = { status: 'ok', count: objects[k.key]?.length ?? 0 };
  return {
    schemaVersion: 1, cluster: { name: 'shop' }, collectedAt: '2026-12-01T00:00:00Z', source: 'live', origin: 'live',
    coverage: { ...all, ...coverage }, resources: objects, notes: [],
  } as Snapshot;
}

function audit(snapshot: Snapshot, checks: readonly Check[] = []): RunReport['run'] {
  const now = new Date('2026-12-01T00:00:00Z');
  return auditSnapshot({ snapshot, config: defaultConfig(), checks, now, runId: 'r1', startedAt: now }).report.run;
}

const routeTcp: KubeObject = { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRouteTCP', metadata: { name: 'pg', namespace: 'db' } };
const cnp: KubeObject = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'shop' } };

describe('a MiddlewareTCP kind that could not be read', () => {
  it('does not make the run partial where no IngressRouteTCP is: a note says nothing depends on it', () => {
    for (const key of ['traefik.middlewaretcps', 'traefik-legacy.middlewaretcps'] as const) {
      const run = audit(snapshotOf({ [key]: FORBIDDEN }));
      expect(run.partial).toBeUndefined();
      expect(run.notes).toContain(`${key} could not be read (forbidden: list middlewaretcps.traefik.io at cluster scope): no IngressRouteTCP is in the input, so nothing depends on it`);
    }
  });

  it('makes the run partial where an IngressRouteTCP is, of either API group', () => {
    expect(audit(snapshotOf({ 'traefik.middlewaretcps': FORBIDDEN }, { 'traefik.ingressroutetcps': [routeTcp] })).partial)
      .toEqual(['traefik.middlewaretcps could not be read (forbidden: list middlewaretcps.traefik.io at cluster scope)']);
    expect(audit(snapshotOf({ 'traefik-legacy.middlewaretcps': { status: 'error' } }, { 'traefik.ingressroutetcps': [routeTcp] })).partial)
      .toEqual(['traefik-legacy.middlewaretcps could not be read (error)']);
  });

  it('makes the run partial where the IngressRouteTCPs themselves could not be read, or were never collected', () => {
    expect(audit(snapshotOf({ 'traefik.middlewaretcps': FORBIDDEN, 'traefik-legacy.ingressroutetcps': { status: 'error', detail: 'timeout' } })).partial?.sort())
      .toEqual(['traefik-legacy.ingressroutetcps could not be read (error: timeout)', 'traefik.middlewaretcps could not be read (forbidden: list middlewaretcps.traefik.io at cluster scope)']);
    const old = snapshotOf({ 'traefik.middlewaretcps': FORBIDDEN });
    delete old.coverage['traefik.ingressroutetcps'];
    expect(audit(old).partial).toHaveLength(1);
  });

  it('makes the run partial whenever a check could not be evaluated without it', () => {
    const reader: Check = {
      id: 'tls.fake-reader', area: 'tls', title: 'reads MiddlewareTCPs', severity: 'high', controls: [], remediation: '', protectsAgainst: '',
      needs: [], reads: ['traefik.middlewaretcps'], evaluate: () => [],
    } as unknown as Check;
    const run = audit(snapshotOf({ 'traefik.middlewaretcps': FORBIDDEN }), [reader]);
    expect(run.partial).toEqual(['traefik.middlewaretcps could not be read (forbidden: list middlewaretcps.traefik.io at cluster scope)']);
    expect(run.notes.join('\n')).not.toContain('nothing depends on it');
  });
});

// The last fixer's report: CiliumCIDRGroups refine Cilium policies only (a cidrGroupRef), and a
// role that cannot list them made every run of a Cilium cluster without Cilium policies partial.
describe('CiliumCIDRGroups that could not be read', () => {
  const refused = { 'cilium.cidrgroups': { status: 'forbidden' as const, detail: 'list ciliumcidrgroups.cilium.io at cluster scope' } };

  it('do not make the run partial where no Cilium policy is, and do where one is', () => {
    expect(audit(snapshotOf(refused), CHECKS).partial).toBeUndefined();
    expect(audit(snapshotOf(refused, { 'cilium.networkpolicies': [cnp] }), CHECKS).partial).toEqual(['cilium.cidrgroups could not be read (forbidden: list ciliumcidrgroups.cilium.io at cluster scope)']);
  });
});

// Antrea ClusterGroups and Groups are read for the Antrea-native policies that name them
// (docs/antrea-network-policy.md v2.2.0: a ClusterGroup "can only be set in an Antrea
// ClusterNetworkPolicy's appliedTo and to/from peers", a Group in an Antrea NetworkPolicy's).
describe('Antrea ClusterGroups and Groups that could not be read', () => {
  const acnp: KubeObject = { apiVersion: 'crd.antrea.io/v1beta1', kind: 'ClusterNetworkPolicy', metadata: { name: 'baseline-deny' } };
  const annp: KubeObject = { apiVersion: 'crd.antrea.io/v1beta1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: 'shop' } };

  it('do not make the run partial where no Antrea-native policy of their scope is, and do where one is', () => {
    const cgs = { 'antrea.clustergroups': { status: 'forbidden' as const, detail: 'list clustergroups.crd.antrea.io' } };
    const groups = { 'antrea.groups': { status: 'forbidden' as const, detail: 'list groups.crd.antrea.io' } };
    expect(audit(snapshotOf(cgs), CHECKS).partial).toBeUndefined();
    expect(audit(snapshotOf(cgs, { 'antrea.networkpolicies': [annp] }), CHECKS).partial).toBeUndefined();
    expect(audit(snapshotOf(cgs, { 'antrea.clusternetworkpolicies': [acnp] }), CHECKS).partial).toEqual(['antrea.clustergroups could not be read (forbidden: list clustergroups.crd.antrea.io)']);
    expect(audit(snapshotOf(groups, { 'antrea.clusternetworkpolicies': [acnp] }), CHECKS).partial).toBeUndefined();
    expect(audit(snapshotOf(groups, { 'antrea.networkpolicies': [annp] }), CHECKS).partial).toEqual(['antrea.groups could not be read (forbidden: list groups.crd.antrea.io)']);
    // An unreadable Tier kind leaves in doubt the policies naming a custom tier (docs/network-model.md, Antrea): partial wherever an Antrea-native policy is.
    const tiers = { 'antrea.tiers': { status: 'forbidden' as const, detail: 'list tiers.crd.antrea.io' } };
    expect(audit(snapshotOf(tiers), CHECKS).partial).toBeUndefined();
    expect(audit(snapshotOf(tiers, { 'antrea.clusternetworkpolicies': [acnp] }), CHECKS).partial).toEqual(['antrea.tiers could not be read (forbidden: list tiers.crd.antrea.io)']);
    expect(audit(snapshotOf(tiers, { 'antrea.networkpolicies': [annp] }), CHECKS).partial).toEqual(['antrea.tiers could not be read (forbidden: list tiers.crd.antrea.io)']);
  });
});

// Calico Tiers are read for the custom tiers Calico policies name: the built-in tiers' orders are
// fixed (projectcalico/calico v3.32.1 api/pkg/apis/projectcalico/v3/tier.go), so no Calico policy, no
// need of them (test/unit/netpol/calico-tiers-unread.test.ts).
describe('Calico Tiers that could not be read', () => {
  const gnp: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-all' }, spec: { selector: 'all()', types: ['Ingress'] } };
  const tiers = { 'calico.tiers': { status: 'forbidden' as const, detail: 'list tiers.crd.projectcalico.org' }, 'calico-v3.tiers': { status: 'forbidden' as const, detail: 'list tiers.projectcalico.org' } };

  it('do not make the run partial where no Calico policy is, and do where one is', () => {
    const run = audit(snapshotOf(tiers), CHECKS);
    expect(run.partial).toBeUndefined();
    expect(run.notes).toContain('calico.tiers could not be read (forbidden: list tiers.crd.projectcalico.org): no NetworkPolicy or GlobalNetworkPolicy is in the input, so nothing depends on it');
    expect(audit(snapshotOf(tiers, { 'calico-v3.globalnetworkpolicies': [gnp] }), CHECKS).partial).toEqual(['calico.tiers could not be read (forbidden: list tiers.crd.projectcalico.org)', 'calico-v3.tiers could not be read (forbidden: list tiers.projectcalico.org)']);
  });
});

describe('EndpointSlices that could not be read', () => {
  const refused = { endpointslices: { status: 'forbidden' as const, detail: 'list endpointslices.discovery.k8s.io at cluster scope' } };

  it('do not make a run with every check partial where no Cilium policy is', () => {
    const run = audit(snapshotOf(refused), CHECKS);
    expect(run.partial).toBeUndefined();
    expect(run.notes).toContain('endpointslices could not be read (forbidden: list endpointslices.discovery.k8s.io at cluster scope): no CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy is in the input, so nothing depends on it');
  });

  it('make it partial, as before, where a CiliumNetworkPolicy is', () => {
    const run = audit(snapshotOf(refused, { 'cilium.networkpolicies': [cnp] }), CHECKS);
    expect(run.partial).toEqual(['endpointslices could not be read (forbidden: list endpointslices.discovery.k8s.io at cluster scope)']);
    expect(run.notes.join('\n')).not.toContain('nothing depends on it');
  });
});

describe('a kind read for its own sake', () => {
  it('makes the run partial as before, whatever else the input holds', () => {
    const run = audit(snapshotOf({ networkpolicies: { status: 'forbidden', detail: 'list networkpolicies.networking.k8s.io' } }));
    expect(run.partial).toEqual(['networkpolicies could not be read (forbidden: list networkpolicies.networking.k8s.io)']);
  });
});

describe('KindSpec.onlyWith', () => {
  it('names kinds that are collected', () => {
    const keys = new Set<string>(KINDS.map((k) => k.key));
    const named = KINDS.flatMap((k) => ('onlyWith' in k ? k.onlyWith ?? [] : []));
    expect(named.length).toBeGreaterThan(0);
    for (const k of named) expect(keys.has(k), k).toBe(true);
  });
});

describe('the collection log for a kind that could not be read', () => {
  it('names the checks that need it, or says none does', () => {
    expect(whoNeeds('networkpolicies')).toMatch(/^the \d+ checks that need it will not be evaluated where they apply \(network\./);
    // Read by nothing in the checks (report details only): no check waits for it.
    expect(whoNeeds('istio.serviceentries')).toBe('no check needs it');
    // Read only to lower a verdict's severity where it can be read (readsBestEffort).
    expect(whoNeeds('limitranges')).toBe('no check needs it; pod-security.resource-limits-missing judge without it and say what they could not read');
  });
});

// The reviewer's case end to end: a stand-in API server whose role predates EndpointSlices.
describe('ztaudit run against a cluster that refuses EndpointSlices', () => {
  let dir: string;
  const servers: http.Server[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-only-with-'));
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Core, apps and discovery.k8s.io served; EndpointSlices refused; Cilium's CRD and `policies` when given. */
  function apiServer(policies?: KubeObject[], refused = '/apis/discovery.k8s.io/v1/endpointslices'): http.Server {
    const res = (name: string, namespaced: boolean) => ({ name, namespaced, kind: 'X', verbs: ['get', 'list', 'watch'] });
    const groups: Record<string, { version: string; resources: ReturnType<typeof res>[] }> = {
      apps: { version: 'v1', resources: [res('deployments', true), res('replicasets', true), res('statefulsets', true), res('daemonsets', true)] },
      'discovery.k8s.io': { version: 'v1', resources: [res('endpointslices', true)] },
      ...(policies ? { 'cilium.io': { version: 'v2', resources: [res('ciliumnetworkpolicies', true), res('ciliumclusterwidenetworkpolicies', false)] } } : {}),
    };
    return http.createServer((req, out) => {
      const p = new URL(req.url ?? '/', 'http://localhost').pathname;
      const json = (status: number, body: unknown) => {
        out.writeHead(status, { 'Content-Type': 'application/json' });
        out.end(JSON.stringify(body));
      };
      if (p === '/version') return json(200, { gitVersion: 'v1.33.1' });
      if (p === '/api/v1') return json(200, { kind: 'APIResourceList', groupVersion: 'v1', resources: ['pods', 'namespaces', 'services', 'serviceaccounts', 'configmaps'].map((n) => res(n, n !== 'namespaces')) });
      if (p === '/apis') return json(200, { kind: 'APIGroupList', groups: Object.entries(groups).map(([name, g]) => ({ name, versions: [{ groupVersion: `${name}/${g.version}`, version: g.version }], preferredVersion: { groupVersion: `${name}/${g.version}`, version: g.version } })) });
      const m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
      if (m) return groups[m[1]] ? json(200, { kind: 'APIResourceList', groupVersion: `${m[1]}/${m[2]}`, resources: groups[m[1]].resources }) : json(404, { kind: 'Status', code: 404 });
      if (p === refused || p === '/apis/discovery.k8s.io/v1/endpointslices') return json(403, { kind: 'Status', status: 'Failure', code: 403, reason: 'Forbidden', message: 'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:ztaudit:ztaudit" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope' });
      const items: Record<string, unknown[]> = {
        '/api/v1/namespaces': [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'ns-shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } }],
        '/apis/cilium.io/v2/ciliumnetworkpolicies': policies ?? [],
      };
      return json(200, { kind: 'List', metadata: { resourceVersion: '5' }, items: items[p] ?? [] });
    });
  }

  async function run(policies?: KubeObject[], refused?: string) {
    const server = apiServer(policies, refused);
    servers.push(server);
    const kc = await kubeconfigFor(server);
    const t = captureIO(dir);
    const out = path.join(dir, 'out');
    const code = await main(['run', '--kubeconfig', kc, '--out', out, '--format', 'json', '--history', 'none', '--no-notify', '--retry-budget', '0'], t.cli);
    return { code, err: t.err(), report: JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport };
  }

  it('is complete on a cluster without Cilium: a note and a warning say nothing depends on them', async () => {
    const { err, report } = await run();
    expect(report.run.partial).toBeUndefined();
    expect(report.run.notes.some((n) => n.startsWith('endpointslices could not be read (forbidden') && n.endsWith('no CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy is in the input, so nothing depends on it'))).toBe(true);
    expect(err).toContain('so nothing depends on it');
    expect(err).not.toContain('will not be evaluated');
  });

  it('is partial where a CiliumNetworkPolicy is, and the warning says why', async () => {
    const { err, report } = await run([{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'shop', uid: 'cnp-1' }, spec: { endpointSelector: {} } }]);
    expect(report.run.partial?.[0]).toMatch(/^endpointslices could not be read \(forbidden/);
    expect(err).toContain('it refines the verdicts on cilium.networkpolicies and cilium.clusterwidenetworkpolicies, so the run is partial');
    // Said once, as it was refused: not again as "partial run: endpointslices could not be read" after the run.
    expect(err.match(/endpointslices could not be read/g)).toHaveLength(1);
  });

  it('names the checks a refused kind read for its own sake keeps from being evaluated', async () => {
    const { err, report } = await run(undefined, '/api/v1/serviceaccounts');
    expect(report.run.partial?.[0]).toMatch(/^serviceaccounts could not be read \(forbidden/);
    const line = err.split('\n').find((l) => l.includes('serviceaccounts could not be read'));
    expect(line).toMatch(/the \d+ checks that need it were not evaluated \(/);
    expect(line).toContain('rbac.');
  });

  it('serve names them as run does: the checks its run left not evaluated for the kind, not the catalog\'s count of those that need it', async () => {
    const server = apiServer(undefined, '/api/v1/serviceaccounts');
    servers.push(server);
    const kc = await kubeconfigFor(server);
    const t = captureIO(dir);
    const out = path.join(dir, 'serve-out');
    const d = await startServe(['--kubeconfig', kc, '--schedule', '0 2 * * *', '--out', out, '--format', 'json', '--history', 'none', '--no-notify', '--retry-budget', '0', '--port', '0', '--host', '127.0.0.1'], t.cli);
    try {
      await d.idle();
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
      const blind = report.checks.filter((c) => c.status === 'not-evaluated' && c.unreadable?.includes('serviceaccounts')).map((c) => c.id);
      expect(blind.length).toBeGreaterThan(1);
      const lines = t.errLines().filter((l) => l.includes('serviceaccounts could not be read'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`the ${blind.length} checks that need it were not evaluated (${blind.slice(0, 4).join(', ')}`);
      expect(lines[0]).not.toContain('will not be evaluated where they apply');
    } finally {
      await d.stop();
    }
  });
});
