import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { configMapData, nginxAnnotationBool, nginxBool, nginxControllersFor, servedByIngressNginx } from '../../src/analysis/tls/index.ts';
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
      const resource = { kind: 'Ingress', namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' };
      // ingress-nginx reads both annotations with strconv.ParseBool; one that is missing or does
      // not parse takes the controller's ConfigMap value (rewrite annotation parser).
      const notes: string[] = [];
      const annotation = (key: string) => {
        const raw = ann[`${A}${key}`];
        const v = raw === undefined ? undefined : nginxAnnotationBool(raw);
        if (raw !== undefined && v === undefined) notes.push(`annotation ${A}${key}: "${raw}" is not a boolean ingress-nginx parses; the ConfigMap value applies`);
        return v === undefined ? undefined : { v, source: `annotation ${A}${key}: "${raw}"` };
      };
      const annForce = annotation('force-ssl-redirect');
      const annRedirect = annotation('ssl-redirect');
      // Each controller serving the Ingress decides with its own ConfigMap; none found: the defaults.
      const controllers = nginxControllersFor(ctx.snapshot, ing);
      const settings = (controllers.length ? controllers : [undefined]).map((c) => {
        const data = c?.configMap ? configMapData(ctx.snapshot, c.configMap) : undefined;
        const cm = c?.configMap ? `ConfigMap ${c.configMap.namespace}/${c.configMap.name}` : '';
        const fromCm = (key: string, dflt: boolean) => {
          const raw = data?.[key];
          const v = raw === undefined ? undefined : nginxBool(raw);
          return v === undefined ? { v: dflt, source: `ingress-nginx default ${key}: ${dflt}` } : { v, source: `${cm} ${key}: "${raw}"${c ? ` (controller ${refString(c.ref)})` : ''}` };
        };
        const force = annForce ?? fromCm('force-ssl-redirect', false);
        const redirect = annRedirect ?? fromCm('ssl-redirect', true);
        return { force, redirect };
      });
      if (!hasTls && !settings.every((s) => s.force.v)) continue; // plaintext-only Ingresses are tls.ingress-without-tls findings
      const off = settings.find((s) => !s.force.v && !(hasTls && s.redirect.v));
      const on = settings[0].force.v ? settings[0].force : settings[0].redirect;
      const evidence = { source: (off ?? settings[0]).redirect.source, ...(notes.length ? { notes } : {}) };
      out.push(off
        ? { status: 'fail', resource, message: `Ingress ${resource.namespace}/${resource.name} has TLS but ${off.redirect.source} keeps plaintext HTTP reachable.${notes.length ? ` (${notes.join('; ')})` : ''}`, evidence }
        : { status: 'pass', resource, message: `HTTP requests to Ingress ${resource.namespace}/${resource.name} are redirected to HTTPS (${on.source}).${notes.length ? ` (${notes.join('; ')})` : ''}`, evidence: { ...evidence, source: on.source } });
    }
    return out;
  },
};
