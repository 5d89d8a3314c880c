// An IngressRouteTCP middleware named by its Traefik key, "<key>@kubernetescrd", with
// allowCrossNamespace off (its default from v2.4.10). Traefik's makeMiddlewareTCPKeys took any name
// holding "@" as written, a reference to the kubernetescrd provider's MiddlewareTCP of that key in
// any namespace, with no check (traefik/traefik pkg/provider/kubernetes/crd/kubernetes_tcp.go@v3.3.4
// and @v3.7.0, `strings.Contains(mi.Name, providerNamespaceSeparator)` → `mds = append(mds, mi.Name)`).
// Commit 28604083a4 "Add CrossProviderNamespaces option" (first in v2.11.46, v3.6.17 and v3.7.1:
// `git tag --contains 28604083a4`) resolves it through resolveReference, which refuses
// "@kubernetescrd" without allowCrossNamespace, and the route is skipped. An IngressRoute's HTTP
// makeMiddlewareKeys refuses it on every release with the option (traefik-cross-namespace.test.ts).
import { describe, expect, it } from 'vitest';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { cluster, ctx, exposure, guard, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
const CONNS = `---
apiVersion: traefik.io/v1alpha1
kind: MiddlewareTCP
metadata: {name: conns, namespace: db}
spec: {inFlightConn: {amount: 10}}
`;
const keyed = (image: string, args = CRD) => ctx(cluster(args, tcpRoute({ middlewares: '[{name: db-conns@kubernetescrd}]' }) + CONNS, image));

describe('an IngressRouteTCP middleware named <key>@kubernetescrd', () => {
  it('on releases before the check (v3.3.4, v3.6.16, v3.7.0, v2.11.45): the route is served, the workload exposed, and the MiddlewareTCP applies', () => {
    for (const image of ['docker.io/traefik:v3.3.4', 'traefik:v3.6.16', 'traefik:v3.7.0', 'traefik:v2.11.45']) {
      const c = keyed(image);
      expect(exposure(c)?.status, image).toBe('fail');
      // inFlightConn db/conns limits it: the rate-limit check passes.
      expect(guard(c, edgeRateLimitMissing).map((v) => v.status), image).toEqual(['pass']);
      expect(exposureNotes(c.snapshot).filter((n) => n.includes('kubernetescrd')), image).toEqual([]);
    }
  });

  it('on v3.6.17, v3.7.1, v2.11.46 and later: refused without allowCrossNamespace, so the route is not served and the workload not exposed through it', () => {
    for (const image of ['traefik:v3.6.17', 'traefik:v3.7.1', 'traefik:v2.11.46', 'traefik:v3.8.0']) {
      const c = keyed(image);
      expect(exposure(c), image).toBeUndefined();
      expect(guard(c, edgeRateLimitMissing), image).toEqual([]);
    }
    expect(exposureNotes(keyed('traefik:v3.6.17').snapshot)).toContain('IngressRouteTCP db/postgres: it names MiddlewareTCP db-conns@kubernetescrd, of another namespace (or by its @kubernetescrd key), which Traefik\'s kubernetescrd provider refuses without allowCrossNamespace (Deployment traefik/traefik: allowCrossNamespace is not set: its default is false (Traefik v3.6.17); by its @kubernetescrd key from v2.11.46, v3.6.17 and v3.7.1 on); the route "HostSNI(`*`)" is not served');
    // With allowCrossNamespace on, served and counted.
    const on = keyed('traefik:v3.6.17', [...CRD, '--providers.kubernetescrd.allowCrossNamespace=true']);
    expect(exposure(on)?.status).toBe('fail');
    expect(guard(on, edgeRateLimitMissing).map((v) => v.status)).toEqual(['pass']);
  });

  it('a tag naming no patch release of an affected line (traefik:v3.6): served, the MiddlewareTCP not counted, and the note says why', () => {
    const c = keyed('traefik:v3.6');
    expect(exposure(c)?.status).toBe('fail');
    expect(guard(c, edgeRateLimitMissing).map((v) => v.status)).toEqual(['fail']);
    expect(exposureNotes(c.snapshot)).toContain('IngressRouteTCP db/postgres: it names MiddlewareTCP db-conns@kubernetescrd by its @kubernetescrd key, which Traefik refuses without allowCrossNamespace from v2.11.46, v3.6.17 and v3.7.1 on and takes before them; whether this Traefik refuses it is not known (Deployment traefik/traefik: the image traefik:v3.6 names no v3.6 patch release: v3.6 builds it before v3.6.17 and refuses it from it), so the route "HostSNI(`*`)" is counted as served');
  });
});
