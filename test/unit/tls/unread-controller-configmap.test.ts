// Two ingress-nginx controllers, each with its own --configmap; the collector reads both by name
// and keeps the one it read when the other is refused (coverage.configmaps forbidden). Only a
// controller an Ingress resolves to (IngressClass spec.controller = its --controller-class,
// https://kubernetes.github.io/ingress-nginx/user-guide/multiple-ingress/) decides a per-Ingress
// verdict: ssl-redirect, global-auth-url, ModSecurity are read from the serving controller's
// ConfigMap (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/).
// A controller no Ingress resolves to still terminates TLS on its catch-all server with its own
// ssl-protocols, ssl-ciphers and HSTS (https://kubernetes.github.io/ingress-nginx/user-guide/tls/#default-ssl-certificate),
// so the checks with a subject per controller ConfigMap still depend on its ConfigMap.
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { workload } from '../../helpers/workload.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const A_CM = 'ingress-nginx/ingress-nginx-controller';
const B_CM = 'ingress-internal/internal-controller';
/** The checks judging Ingresses with the serving controllers' settings. */
const PER_INGRESS = ['tls.ssl-redirect-disabled', 'tls.ingress-without-tls', 'tls.edge-auth-missing', 'tls.edge-waf-missing', 'tls.edge-rate-limit-missing'];
/** The checks with one subject per controller ConfigMap. */
const PER_CONTROLLER = ['tls.legacy-protocol-enabled', 'tls.hsts-disabled', 'tls.weak-ciphers'];

/** An ingress-nginx controller Deployment: the upstream chart's args, --configmap=$(POD_NAMESPACE)/<name>. */
function controller(namespace: string, name: string, args: string[]): KubeObject {
  const d = workload(namespace, name, { container: { name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.15.1' } });
  const c = (d.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0];
  c.args = ['/nginx-ingress-controller', `--configmap=$(POD_NAMESPACE)/${name}`, ...args];
  c.env = [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }];
  return d;
}

const ingress = (name: string, className: string, host: string, tls: boolean, path = '/') => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: shop}
spec:
  ingressClassName: ${className}
${tls ? `  tls: [{hosts: [${host}], secretName: ${name}-tls}]\n` : ''}  rules:
  - host: ${host}
    http: {paths: [{path: ${path}, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---`;

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: internal}
spec: {controller: k8s.io/internal-nginx}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {ssl-redirect: "false", global-auth-url: "https://auth.example.com/oauth2/auth", enable-modsecurity: "true", enable-owasp-modsecurity-crs: "true"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: internal-controller, namespace: ingress-internal}
data: {ssl-protocols: "TLSv1 TLSv1.1 TLSv1.2"}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 80}]}
---
${ingress('d-tls', 'nginx', 'd.example.com', true)}
${ingress('d-api', 'nginx', 'd.example.com', false, '/api')}
`;

/**
 * Every check above, on the cluster (plus `extra` YAML) with every ConfigMap read, or with
 * `refused` missing and coverage.configmaps forbidden.
 */
function snapshotOf(refused: string | undefined, extra = '') {
  const objects = [
    controller('ingress-nginx', 'ingress-nginx-controller', ['--ingress-class=nginx']),
    controller('ingress-internal', 'internal-controller', ['--controller-class=k8s.io/internal-nginx', '--ingress-class=internal']),
    workload('shop', 'web', { ports: [80] }),
    ...parseAllDocuments(CLUSTER + extra).map((d) => d.toJSON() as KubeObject).filter(Boolean),
  ].filter((o) => `${o.metadata?.namespace}/${o.metadata?.name}` !== refused || o.kind !== 'ConfigMap');
  const snapshot = snapshotFromObjects(objects);
  if (refused) snapshot.coverage.configmaps = { status: 'forbidden', detail: `get configmaps (denied for ${refused})` };
  return snapshot;
}

function outcomes(refused: string | undefined, extra = '') {
  const snapshot = snapshotOf(refused, extra);
  const checks = [...PER_INGRESS, ...PER_CONTROLLER].map((id) => CHECK_BY_ID.get(id)!);
  return Object.fromEntries(runChecks(checks, { snapshot, config: defaultConfig(), now: NOW }).map((o) => [o.check.id, { status: o.status, results: o.results, reason: o.reason, unreadable: o.unreadable }]));
}

describe('a refused ingress-nginx ConfigMap blinds the per-Ingress TLS checks only when its controller serves an Ingress', () => {
  const all = outcomes(undefined);

  it('every ConfigMap read: each check is judged, the internal controller\'s TLSv1 fails on its own ConfigMap although it serves no Ingress', () => {
    for (const id of [...PER_INGRESS, ...PER_CONTROLLER]) expect(all[id].status, id).toMatch(/^(pass|fail)$/);
    // ssl-redirect "false" in the serving controller's ConfigMap: d-api takes d-tls's certificate and is served over plain HTTP.
    expect(all['tls.ssl-redirect-disabled'].status).toBe('fail');
    expect(all['tls.ingress-without-tls'].results).toContainEqual(expect.objectContaining({ status: 'fail', resource: expect.objectContaining({ name: 'd-api' }), message: expect.stringContaining(`ConfigMap ${A_CM} ssl-redirect: "false"`) }));
    expect(all['tls.edge-auth-missing'].results.filter((r) => r.status === 'pass').length).toBeGreaterThan(0);
    expect(all['tls.legacy-protocol-enabled'].results).toContainEqual(expect.objectContaining({ status: 'fail', resource: { kind: 'ConfigMap', namespace: 'ingress-internal', name: 'internal-controller' } }));
  });

  it('the ConfigMap of the controller serving no Ingress refused: the Ingresses of the other keep their verdicts, identical to every ConfigMap read', () => {
    const refused = outcomes(B_CM);
    for (const id of PER_INGRESS) expect(refused[id], id).toEqual(all[id]);
  });

  it('... while the checks judging each controller\'s ConfigMap (its catch-all server\'s TLS) are not evaluated, naming it', () => {
    const refused = outcomes(B_CM);
    for (const id of PER_CONTROLLER) {
      expect(refused[id], id).toMatchObject({ status: 'not-evaluated', results: [], unreadable: ['configmaps'] });
      expect(refused[id].reason, id).toBe(`needs configmaps: forbidden (get configmaps (denied for ${B_CM})) for ingress-nginx's controller settings (ConfigMap ${B_CM})`);
    }
  });

  // Why the idle controller's refused ConfigMap still blinds these checks: the engine judges a
  // check whole (evaluated or not), and the diff takes a finding missing from an evaluated check
  // as resolved (DESIGN.md, "Missing data is not a fix: ... the diff never reports their
  // findings as resolved"). Judging the read controllers and leaving the idle one out would
  // report its TLSv1 finding resolved the day its ConfigMap became unreadable, and new again
  // the day it was read.
  it('the idle controller\'s TLSv1 finding is not reported resolved when its ConfigMap becomes unreadable', () => {
    const config = defaultConfig();
    const audit = (refused: string | undefined, runId: string) => auditSnapshot({ snapshot: snapshotOf(refused), config, checks: CHECKS, now: NOW, startedAt: NOW, runId }).report;
    const full = audit(undefined, 'run-1');
    const tls10 = full.findings.filter((f) => f.check === 'tls.legacy-protocol-enabled');
    expect(tls10.map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`)).toEqual([`ConfigMap ${B_CM}`]);
    const partial = audit(B_CM, 'run-2');
    const d = diffRuns(full, partial, { rules: config.regression, expiredWaivers: [] });
    expect(d.resolved).not.toContain(tls10[0].fingerprint);
    expect(d.resolved).toEqual([]);
    expect(partial.checks.find((c) => c.id === 'tls.legacy-protocol-enabled')?.status).toBe('not-evaluated');
  });

  it('the serving controller\'s ConfigMap refused: every check is not evaluated, naming that ConfigMap alone', () => {
    const refused = outcomes(A_CM);
    for (const id of [...PER_INGRESS, ...PER_CONTROLLER]) {
      expect(refused[id], id).toMatchObject({ status: 'not-evaluated', results: [], unreadable: ['configmaps'] });
      expect(refused[id].reason, id).toContain(A_CM);
      expect(refused[id].reason, id).not.toContain(B_CM);
    }
    expect(refused['tls.ingress-without-tls'].reason).toMatch(/for ingress-nginx's redirect settings for host d\.example\.com of Ingress shop\/d-api \(ConfigMap ingress-nginx\/ingress-nginx-controller\)$/);
  });

  it('an Ingress of the internal class makes its controller a serving one: its ConfigMap refused blinds the per-Ingress checks, naming it', () => {
    const extra = ingress('admin', 'internal', 'admin.example.com', true);
    const withAdmin = outcomes(undefined, extra);
    const refused = outcomes(B_CM, extra);
    for (const id of ['tls.ssl-redirect-disabled', 'tls.edge-auth-missing', 'tls.edge-waf-missing', 'tls.edge-rate-limit-missing']) {
      expect(withAdmin[id].status, id).toMatch(/^(pass|fail)$/);
      expect(refused[id], id).toMatchObject({ status: 'not-evaluated', unreadable: ['configmaps'] });
      expect(refused[id].reason, id).toBe(`needs configmaps: forbidden (get configmaps (denied for ${B_CM})) for ingress-nginx's controller settings (ConfigMap ${B_CM})`);
    }
    // The redirect read is the merged host's: d-api is served by the other controller alone, so its verdict stands.
    expect(refused['tls.ingress-without-tls']).toEqual(withAdmin['tls.ingress-without-tls']);
  });
});

