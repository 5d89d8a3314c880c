// One coverage gate: a check never throws to signal missing data; the engine alone turns an
// unreadable declared input into not-evaluated. The by-name ConfigMaps (ingress-nginx's
// --configmap, the meshes' own, cilium-config) are the `configmaps` kind; a 403 on any of them
// makes that kind forbidden while the collector keeps the ones it read, so a check reading them
// is not-evaluated (never an error or a pass) only when a ConfigMap it reads is among the missing.
// The chart grants `get` by resourceNames, so a name it was not given is refused while the others
// are read (RBAC: "resourceNames ... the request name must be listed", ../shared/reference/checks.md §3).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { fixtureConfig, loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { inputsOf } from '../../../src/cli/serve-watch.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/checks');
const NOW = new Date('2026-11-26T00:00:00Z');
/** The checks that read ConfigMaps by name (controller settings, mesh configs, Cilium's). */
const READERS = ['mtls.auto-mtls-disabled', 'mtls.consul-default-allow', 'mtls.outbound-allow-any', 'network.flow-visibility-off', 'tls.edge-auth-missing', 'tls.edge-rate-limit-missing', 'tls.edge-waf-missing', 'tls.hsts-disabled', 'tls.ingress-without-tls', 'tls.legacy-protocol-enabled', 'tls.ssl-redirect-disabled', 'tls.weak-ciphers'];
/** A refused ConfigMap none of the fixtures holds and no check reads. */
const UNRELATED = 'get configmaps (denied for other/unrelated)';

describe('coverage gate', () => {
  it('a forbidden configmaps read makes a check reading ConfigMaps not-evaluated only when one it reads is missing, naming it', () => {
    // ConfigMaps are read by name and kept when another is refused: no check takes the kind whole.
    expect(CHECKS.filter((c) => c.needs.includes('configmaps') || c.reads?.includes('configmaps')).map((c) => c.id)).toEqual([]);
    const readers = CHECKS.filter((c) => c.readsWhen?.some((r) => r.kinds.includes('configmaps')) && !c.readsBestEffort?.includes('configmaps'));
    expect(readers.map((c) => c.id).sort()).toEqual(expect.arrayContaining(READERS));
    let judged = 0;
    let blind = 0;
    for (const id of READERS) {
      const check = CHECK_BY_ID.get(id)!;
      // serve --watch re-judges it when a ConfigMap changes.
      expect(inputsOf(check).has('configmaps'), id).toBe(true);
      const dir = join(FIXTURES, id);
      for (const file of readdirSync(dir).filter((f) => /^(pass|fail)\./.test(f))) {
        const path = join(dir, file);
        const config = fixtureConfig(path, loadFixtureConfig(dir, new Set(CHECK_BY_ID.keys())) ?? defaultConfig());
        const [ok] = runChecks([check], { snapshot: loadFixture(path, id), config, now: NOW });
        expect(ok.status, `${id} ${file}`).not.toBe('not-evaluated');
        // Another ConfigMap refused, the fixture's own kept: the same verdicts, or (a ConfigMap it
        // reads is not in the fixture, so may be the one refused) not evaluated, naming that one.
        const unrelated = loadFixture(path, id);
        unrelated.coverage.configmaps = { status: 'forbidden', detail: UNRELATED };
        const [o] = runChecks([check], { snapshot: unrelated, config, now: NOW });
        if (o.status === 'not-evaluated') {
          blind++;
          expect(o.unreadable, `${id} ${file}`).toEqual(['configmaps']);
          const named = /for .*ConfigMaps? ([^:)]+)/.exec(o.reason ?? '')?.[1].split(', ').filter((n) => !/more$/.test(n)) ?? [];
          expect(named.length, `${id} ${file}: ${o.reason}`).toBeGreaterThan(0);
          const read = new Set((unrelated.resources.configmaps ?? []).map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`));
          for (const n of named) expect(read.has(n), `${id} ${file}: ${n} was read`).toBe(false);
        } else {
          judged++;
          expect({ status: o.status, results: o.results, unreadable: o.unreadable }, `${id} ${file}`).toEqual({ status: ok.status, results: ok.results, unreadable: undefined });
        }
      }
    }
    expect(judged).toBeGreaterThan(50);
    expect(blind).toBeGreaterThan(0);
  });

  it('a kind read best-effort never gates: with Deployments forbidden, enforce-missing still judges, at high, and says it could not look for a policy engine', () => {
    const check = CHECK_BY_ID.get('pod-security.enforce-missing')!;
    expect(check.readsBestEffort).toContain('deployments');
    const fail = join(FIXTURES, check.id, 'fail.kyverno-present.yaml');
    expect(runChecks([check], { snapshot: loadFixture(fail, check.id), config: defaultConfig(), now: NOW })[0].results.filter((r) => r.status === 'fail').map((r) => r.severity)).toEqual(['medium']);
    // A fresh snapshot: the engines found in the first are memoised on it.
    const snapshot = loadFixture(fail, check.id);
    snapshot.coverage.deployments = { status: 'forbidden', detail: 'list deployments' };
    snapshot.resources.deployments = [];
    const [o] = runChecks([check], { snapshot, config: defaultConfig(), now: NOW });
    expect(o.status).toBe('fail');
    const failures = o.results.filter((r) => r.status === 'fail');
    expect(failures.map((r) => r.severity)).toEqual(['high']);
    expect(failures[0].evidence?.policyEngines).toMatch(/not looked for: deployments/);
  });

  it('a check that needs pods is not evaluated when an owner kind of the pod view is forbidden, and is when that kind is absent', () => {
    const check = CHECK_BY_ID.get('pod-security.pod-violates-target')!;
    const dir = join(FIXTURES, check.id);
    const fail = join(dir, readdirSync(dir).find((f) => f.startsWith('fail.'))!);
    const config = fixtureConfig(fail, loadFixtureConfig(dir, new Set(CHECK_BY_ID.keys())) ?? defaultConfig());
    const absent = loadFixture(fail, check.id);
    absent.coverage.cronjobs = { status: 'absent' };
    expect(runChecks([check], { snapshot: absent, config, now: NOW })[0].status).toBe('fail');
    const forbidden = loadFixture(fail, check.id);
    forbidden.coverage.cronjobs = { status: 'forbidden', detail: 'list cronjobs.batch' };
    const [o] = runChecks([check], { snapshot: forbidden, config, now: NOW });
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toBe('needs cronjobs: forbidden (list cronjobs.batch)');
    // Checks that do not read pods are untouched by it.
    const rbac = CHECK_BY_ID.get('rbac.cluster-admin-binding')!;
    expect(rbac.needs).not.toContain('pods');
  });

  // A CI gate (--fail-on) counts only inputs that exist and could not be read: an API the
  // server does not serve (not in discovery) holds nothing, while a request the authorizer
  // denies is answered 403 and hides what is there
  // (https://kubernetes.io/docs/reference/access-authn-authz/authorization/, "Determine
  // whether a request is allowed or denied").
  it('names the inputs it could not read apart from absent ones: a gate counts a 403, not a missing API', () => {
    const check = CHECK_BY_ID.get('tls.ssl-redirect-disabled')!;
    expect(check.needs).toContain('ingresses');
    expect(inputsOf(check).has('configmaps')).toBe(true);
    const fail = join(FIXTURES, check.id, 'fail.configmap.yaml');
    const absent = loadFixture(fail, check.id);
    absent.coverage.ingresses = { status: 'absent', detail: 'networking.k8s.io/v1 ingresses is not served' };
    const [a] = runChecks([check], { snapshot: absent, config: defaultConfig(), now: NOW });
    expect(a.status).toBe('not-evaluated');
    expect(a.unreadable).toBeUndefined();
    const both = loadFixture(fail, check.id);
    both.coverage.ingresses = { status: 'absent' };
    both.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps' };
    both.resources.configmaps = [];
    const [b] = runChecks([check], { snapshot: both, config: defaultConfig(), now: NOW });
    expect(b.status).toBe('not-evaluated');
    expect(b.unreadable).toEqual(['configmaps']);
    const failed = loadFixture(fail, check.id);
    failed.coverage.ingresses = { status: 'error', detail: 'list ingresses failed: 500' };
    delete failed.coverage.configmaps;
    const [c] = runChecks([check], { snapshot: failed, config: defaultConfig(), now: NOW });
    expect(c.status).toBe('not-evaluated');
    expect(c.unreadable).toEqual(['ingresses']);
  });

  // Cilium's `enable-policy: never` turns enforcement off (https://docs.cilium.io/en/stable/security/policy/intro/,
  // "Policy Enforcement Modes"): the default-deny policy below then isolates nothing. Its
  // defaults (`default`) would vouch for it, so settings that could not be read are no verdict.
  describe("Cilium's agent settings", () => {
    const CILIUM = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec: {containers: [{name: cilium-agent, image: quay.io/cilium/cilium:v1.16.0}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-policy: never}
`;
    const APP = `apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: app, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dd, namespace: app}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;
    const IDS = ['network.namespace-default-deny-ingress', 'network.namespace-default-deny-egress', 'network.cni-not-enforcing'];
    const config = defaultConfig();
    const statuses = (snapshot: Snapshot) => runChecks(IDS.map((id) => CHECK_BY_ID.get(id)!), { snapshot, config, now: NOW });
    /** The cluster as a snapshot file whose ConfigMap read was refused (as `ztaudit snapshot` writes it). */
    async function snapshotOf(yaml: string, configmaps: Snapshot['coverage'][string]): Promise<Snapshot> {
      const dir = mkdtempSync(join(tmpdir(), 'ztaudit-cilium-'));
      try {
        writeFileSync(join(dir, 'all.yaml'), yaml);
        const snapshot = loadManifests([dir]);
        snapshot.resources.configmaps = [];
        snapshot.coverage.configmaps = configmaps;
        writeSnapshot(join(dir, 's.json.gz'), snapshot);
        return await readSnapshot(join(dir, 's.json.gz'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const dir = () => mkdtempSync(join(tmpdir(), 'ztaudit-cilium-'));

    it('read, `enable-policy: never` fails both isolation checks', () => {
      const d = dir();
      try {
        writeFileSync(join(d, 'all.yaml'), `${APP}---\n${CILIUM}`);
        expect(statuses(loadManifests([d])).slice(0, 2).map((o) => o.status)).toEqual(['fail', 'fail']);
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    });

    it('forbidden or failed where Cilium runs, they leave the checks relying on its enforcement not evaluated, naming the ConfigMap', async () => {
      const detail = 'get configmaps (denied for kube-system/cilium-config)';
      for (const coverage of [{ status: 'forbidden' as const, detail }, { status: 'error' as const, detail: 'get configmap kube-system/cilium-config failed: 500' }]) {
        const outcomes = statuses(await snapshotOf(`${APP}---\n${CILIUM}`, coverage));
        for (const o of outcomes) {
          expect(o.status, o.check.id).toBe('not-evaluated');
          expect(o.reason, o.check.id).toBe(`needs configmaps: ${coverage.status} (${coverage.detail}) for Cilium's agent settings (ConfigMap kube-system/cilium-config)`);
        }
      }
    });

    it('Cilium policies alone make the settings an input; a cluster without Cilium does not depend on ConfigMaps', async () => {
      const forbidden = { status: 'forbidden' as const, detail: 'get configmaps (denied for ingress-nginx/ingress-nginx-controller)' };
      const ccnp = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{}]
`;
      const [ingress] = statuses(await snapshotOf(`${APP}---\n${ccnp}`, forbidden));
      expect(ingress.status).toBe('not-evaluated');
      // No Cilium: the NetworkPolicy isolates, whatever the ConfigMaps.
      expect(statuses(await snapshotOf(APP, forbidden)).slice(0, 2).map((o) => o.status)).toEqual(['pass', 'pass']);
    });
  });
  // Each check with a fixture whose own ConfigMap is in it: refused elsewhere, it judges as with
  // every ConfigMap read; its own missing while a read was refused, it is not evaluated, naming it
  // (and report.json's checks[].unreadable lists configmaps, which a --fail-on gate counts);
  // its own missing while every read succeeded, the upstream default applies, as before.
  // Defaults: ingress-nginx user-guide/nginx-configuration/configmap.md (ssl-ciphers, hsts,
  // ssl-redirect), Istio MeshConfig (enableAutoMtls true, outboundTrafficPolicy ALLOW_ANY;
  // https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/), Cilium enable-hubble
  // (off unless set), Consul ACLs (off in the Helm chart: intentions default to allow).
  describe('a ConfigMap refused is a gap only for the checks that read it', () => {
    const CASES: Array<[string, string, string]> = [
      ['tls.weak-ciphers', 'fail.nginx-high.yaml', 'ingress-nginx/ingress-nginx-controller'],
      ['tls.ssl-redirect-disabled', 'fail.configmap.yaml', 'ingress-nginx/ingress-nginx-controller'],
      ['tls.hsts-disabled', 'fail.hsts-false.yaml', 'ingress-nginx/ingress-nginx-controller'],
      ['tls.legacy-protocol-enabled', 'fail.nginx-tlsv1.yaml', 'ingress-nginx/ingress-nginx-controller'],
      ['tls.edge-waf-missing', 'fail.nginx-configmap-crs-without-engine.yaml', 'ingress-nginx/ingress-nginx-controller'],
      ['tls.edge-auth-missing', 'pass.nginx-client-certificates.yaml', 'ingress-nginx/ingress-nginx-controller'],
      ['mtls.auto-mtls-disabled', 'fail.no-istio-mutual.yaml', 'istio-system/istio'],
      ['mtls.outbound-allow-any', 'fail.revision-config.yaml', 'istio-system/istio-1-24'],
      ['mtls.outbound-allow-any', 'pass.registry-only.yaml', 'istio-system/istio'],
      ['mtls.consul-default-allow', 'pass.default-intention-policy-deny.yaml', 'consul/consul-server-tmp-extra-config'],
      ['network.flow-visibility-off', 'fail.hubble-disabled.yaml', 'kube-system/cilium-config'],
    ];
    it('tls.ingress-without-tls: a host whose certificate comes from another Ingress is judged by the controller\'s redirect; its ConfigMap read, another refused, the verdict stands', () => {
      // ingress-nginx merges the Ingresses of a host into one server and redirects every location
      // of a server with a certificate unless ssl-redirect is off (user-guide/nginx-configuration/configmap.md#ssl-redirect, default true).
      const check = CHECK_BY_ID.get('tls.ingress-without-tls')!;
      const path = join(FIXTURES, check.id, 'pass.nginx-split-ingress-same-host.yaml');
      const outcome = (coverage: Snapshot['coverage'][string], withOwn: boolean) => {
        const snapshot = loadFixture(path, check.id);
        if (withOwn) snapshot.resources.configmaps = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' }, data: { 'ssl-redirect': 'true' } }];
        snapshot.coverage.configmaps = coverage;
        const [o] = runChecks([check], { snapshot, config: defaultConfig(), now: NOW });
        return { status: o.status, results: o.results, reason: o.reason, unreadable: o.unreadable };
      };
      const ok = outcome({ status: 'ok' }, true);
      expect(ok.status).toBe('pass');
      expect(outcome({ status: 'forbidden', detail: UNRELATED }, true)).toEqual(ok);
      expect(outcome({ status: 'forbidden', detail: UNRELATED }, false)).toMatchObject({ status: 'not-evaluated', unreadable: ['configmaps'], reason: expect.stringMatching(/for ingress-nginx's redirect settings for host d\.example\.com of Ingress shop\/d-api \(ConfigMap ingress-nginx\/ingress-nginx-controller\)$/) });
      expect(outcome({ status: 'ok' }, false).status).toBe('pass');
    });

    for (const [id, file, own] of CASES) {
      it(`${id} (${file}): ${own} read, another refused: judged as with all read; ${own} missing: not evaluated naming it, unless every read succeeded`, () => {
        const check = CHECK_BY_ID.get(id)!;
        const dir = join(FIXTURES, id);
        const path = join(dir, file);
        const config = fixtureConfig(path, loadFixtureConfig(dir, new Set(CHECK_BY_ID.keys())) ?? defaultConfig());
        const outcome = (coverage: Snapshot['coverage'][string], withOwn: boolean) => {
          const snapshot = loadFixture(path, id);
          expect((snapshot.resources.configmaps ?? []).some((c) => `${c.metadata?.namespace}/${c.metadata?.name}` === own), own).toBe(true);
          if (!withOwn) snapshot.resources.configmaps = (snapshot.resources.configmaps ?? []).filter((c) => `${c.metadata?.namespace}/${c.metadata?.name}` !== own);
          snapshot.coverage.configmaps = coverage;
          const [o] = runChecks([check], { snapshot, config, now: NOW });
          return { status: o.status, results: o.results, reason: o.reason, unreadable: o.unreadable };
        };
        const ok = outcome({ status: 'ok' }, true);
        expect(ok.status).toMatch(/^(pass|fail)$/);
        expect(ok.status).toBe(file.startsWith('fail.') ? 'fail' : 'pass');
        expect(outcome({ status: 'forbidden', detail: UNRELATED }, true)).toEqual(ok);
        expect(outcome({ status: 'error', detail: 'get configmap other/unrelated failed: 500' }, true)).toEqual(ok);
        const unread = outcome({ status: 'forbidden', detail: UNRELATED }, false);
        expect(unread).toMatchObject({ status: 'not-evaluated', results: [], unreadable: ['configmaps'] });
        expect(unread.reason).toMatch(new RegExp(`^needs configmaps: forbidden \\(${UNRELATED.replace(/[()]/g, '\\$&')}\\) for .*ConfigMaps? [^:]*${own.replace('/', '\\/')}`));
        // Read, and not there: the upstream default is judged, as before.
        expect(outcome({ status: 'ok' }, false).status).toMatch(/^(pass|fail)$/);
      });
    }
  });
});


describe('a check gated on the configuration alone', () => {
  // A feature the operator never turned on (target.requireMtls, intent.deny) does not apply,
  // whatever the cluster let ztaudit read: a forbidden kind it would read (a 403, "Determine
  // whether a request is allowed or denied",
  // https://kubernetes.io/docs/reference/access-authn-authz/authorization/) must not make it
  // "not evaluated", which marks the run partial, counts against --fail-on and asks for RBAC
  // nobody needs. Turned on, the same forbidden kind leaves it not evaluated.
  const GATED = ['mtls.mesh-required', 'network.intent-violation'];
  it('is not applicable with any kind it reads forbidden when the configuration leaves it off, and not evaluated when it is on', () => {
    expect(CHECKS.filter((c) => c.appliesByConfig).map((c) => c.id).sort()).toEqual(GATED);
    for (const id of GATED) {
      const check = CHECK_BY_ID.get(id)!;
      const dir = join(FIXTURES, id);
      const file = readdirSync(dir).filter((f) => /^fail\./.test(f)).sort()[0];
      const path = join(dir, file);
      const on = fixtureConfig(path, loadFixtureConfig(dir, new Set(CHECK_BY_ID.keys())) ?? defaultConfig());
      const off = defaultConfig();
      expect(check.appliesByConfig!(on), id).toBe(true);
      expect(check.appliesByConfig!(off), id).toBe(false);
      const kinds = new Set([...check.needs, ...(check.reads ?? []), ...(check.readsWhen ?? []).flatMap((r) => r.kinds), ...(check.readsBestEffort ?? [])]);
      for (const kind of kinds) {
        const snapshot = loadFixture(path, id);
        snapshot.coverage[kind] = { status: 'forbidden', detail: `list ${kind} (403)` };
        const [o] = runChecks([check], { snapshot, config: off, now: NOW });
        expect({ status: o.status, reason: o.reason, unreadable: o.unreadable }, `${id} <- ${kind} forbidden, off`).toEqual({ status: 'not-applicable', reason: `applies only ${check.appliesWhen}`, unreadable: undefined });
      }
      for (const kind of [...check.needs, ...(check.reads ?? [])]) {
        const snapshot = loadFixture(path, id);
        snapshot.coverage[kind] = { status: 'forbidden', detail: `list ${kind} (403)` };
        const [o] = runChecks([check], { snapshot, config: on, now: NOW });
        expect({ status: o.status, unreadable: o.unreadable }, `${id} <- ${kind} forbidden, on`).toEqual({ status: 'not-evaluated', unreadable: [kind] });
      }
    }
  });

  it('calico.networkpolicies forbidden, no intent.deny: network.intent-violation is not applicable, not "not evaluated"', () => {
    const check = CHECK_BY_ID.get('network.intent-violation')!;
    const snapshot = loadFixture(join(FIXTURES, 'network.intent-violation', 'pass.db-isolated.yaml'));
    snapshot.coverage['calico.networkpolicies'] = { status: 'forbidden', detail: 'list projectcalico.org/v3 networkpolicies (403)' };
    const [o] = runChecks([check], { snapshot, config: defaultConfig(), now: NOW });
    expect(o.status).toBe('not-applicable');
    expect(o.reason).toBe('applies only when the configuration declares segmentation intent (intent.deny)');
  });
});
