import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { configMapData, nginxControllersFor, servedByIngressNginx } from '../../src/analysis/tls/index.ts';
import { arr, obj } from '../../src/analysis/mesh/util.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';

const A = 'nginx.ingress.kubernetes.io/';

export const sslRedirectDisabled: Check = {
  id: 'tls.ssl-redirect-disabled',
  area: 'tls',
  title: 'ingress-nginx redirects plaintext HTTP to HTTPS',
  protectsAgainst: 'TLS-enabled Ingresses that still answer plaintext HTTP because ingress-nginx\'s redirect is turned off',
  severity: 'high',
  controls: EDGE_ENCRYPTION,
  remediation: 'Remove nginx.ingress.kubernetes.io/ssl-redirect: "false" (and ssl-redirect: "false" from the controller ConfigMap), or set force-ssl-redirect: "true".',
  needs: ['ingresses', 'deployments', 'daemonsets'],
  reads: ['configmaps'],
  evaluate(ctx) {
    const out: Verdict[] = [];
    for (const ing of ctx.snapshot.resources.ingresses ?? []) {
      if (!servedByIngressNginx(ctx.snapshot, ing)) continue;
      const hasTls = arr(obj(ing.spec)?.tls).length > 0;
      const ann = ing.metadata?.annotations ?? {};
      const force = ann[`${A}force-ssl-redirect`] === 'true';
      if (!hasTls && !force) continue; // plaintext-only Ingresses are tls.ingress-without-tls findings
      const resource = { kind: 'Ingress', namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' };
      const perIngress = ann[`${A}ssl-redirect`];
      let disabledBy: string | undefined;
      let source = 'ingress-nginx default ssl-redirect: true';
      if (force) source = `annotation ${A}force-ssl-redirect: "true"`;
      else if (perIngress !== undefined) {
        source = `annotation ${A}ssl-redirect: "${perIngress}"`;
        if (perIngress === 'false') disabledBy = source;
      } else {
        for (const c of nginxControllersFor(ctx.snapshot, ing)) {
          const data = c.configMap ? configMapData(ctx.snapshot, c.configMap) : undefined;
          if (data?.['force-ssl-redirect'] === 'true') { source = `ConfigMap ${c.configMap!.namespace}/${c.configMap!.name} force-ssl-redirect`; break; }
          if (data?.['ssl-redirect'] === 'false') {
            disabledBy = `ConfigMap ${c.configMap!.namespace}/${c.configMap!.name} ssl-redirect: "false" (controller ${refString(c.ref)})`;
            source = disabledBy;
          }
        }
      }
      out.push(disabledBy
        ? { status: 'fail', resource, message: `Ingress ${resource.namespace}/${resource.name} has TLS but ${disabledBy} keeps plaintext HTTP reachable.`, evidence: { source } }
        : { status: 'pass', resource, message: `HTTP requests to Ingress ${resource.namespace}/${resource.name} are redirected to HTTPS (${source}).`, evidence: { source } });
    }
    return out;
  },
};
