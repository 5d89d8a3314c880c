import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { nginxAppliedDoubt, nginxControllersFor, nginxIngressDoubt, nginxRedirectSettings, nginxRedirectUnknown, servedByIngressNginx } from '../../src/analysis/tls/index.ts';
import { arr, obj } from '../../src/analysis/mesh/util.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';
import { NGINX_SERVING_CONFIG_READ, NGINX_WATCH_SELECTOR_READ } from './lib/nginx-config-read.ts';

export const sslRedirectDisabled: Check = {
  id: 'tls.ssl-redirect-disabled',
  area: 'tls',
  title: 'ingress-nginx redirects plaintext HTTP to HTTPS',
  protectsAgainst: 'TLS-enabled Ingresses that still answer plaintext HTTP because ingress-nginx\'s redirect is turned off',
  severity: 'high',
  controls: EDGE_ENCRYPTION,
  remediation: 'Remove nginx.ingress.kubernetes.io/ssl-redirect: "false" (and ssl-redirect: "false" from the controller ConfigMap), or set force-ssl-redirect: "true".',
  needs: ['ingresses', 'deployments', 'daemonsets'],
  reads: ['statefulsets', 'ingressclasses'],
  readsWhen: [NGINX_SERVING_CONFIG_READ, NGINX_WATCH_SELECTOR_READ],
  evaluate(ctx) {
    const out: Verdict[] = [];
    for (const ing of ctx.snapshot.resources.ingresses ?? []) {
      if (!servedByIngressNginx(ctx.snapshot, ing)) continue;
      const hasTls = arr(obj(ing.spec)?.tls).length > 0;
      const resource = { kind: 'Ingress', namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' };
      const { settings, notes } = nginxRedirectSettings(ctx.snapshot, ing);
      if (!hasTls && !settings.every((s) => s.force.v)) continue; // plaintext-only Ingresses are tls.ingress-without-tls findings
      // One setting per controller serving the Ingress, in nginxControllersFor's order. A controller
      // turning the redirect off fails it for certain only if it surely serves the Ingress, reads
      // the annotations it was judged on, its ConfigMap is known (its force-ssl-redirect may be on) and
      // nginx loads what it renders (nginxAppliedDoubt: an ssl-protocols nginx refuses keeps the
      // configuration it last loaded, whose redirect the input does not show).
      const controllers = nginxControllersFor(ctx.snapshot, ing);
      const doubtOf = (i: number) => nginxRedirectUnknown(settings[i]!, hasTls) ?? (controllers[i] ? nginxAppliedDoubt(ctx.snapshot, controllers[i], ing) : undefined);
      const offs = settings.flatMap((s, i) => (!s.force.v && !(hasTls && s.redirect.v) ? [i] : []));
      const certainOff = offs.find((i) => doubtOf(i) === undefined);
      const off = settings[certainOff ?? offs[0] ?? -1];
      const on = settings[0].force.v ? settings[0].force : settings[0].redirect;
      const evidence = { source: (off ?? settings[0]).redirect.source, ...(notes.length ? { notes } : {}) };
      if (off && certainOff === undefined) {
        const why = doubtOf(offs[0]!)!;
        out.push({ status: 'fail', resource, severity: 'medium', message: `Ingress ${resource.namespace}/${resource.name} has TLS but ${off.redirect.source} keeps plaintext HTTP reachable — that cannot be confirmed: ${why}.${notes.length ? ` (${notes.join('; ')})` : ''}`, evidence: { ...evidence, unconfirmed: why } });
        continue;
      }
      // A controller whose class flags or annotation prefix are not known may not be the one serving
      // it, or may not read the annotation that turns the redirect on, and one whose configuration
      // nginx refuses serves what it last loaded: a pass is not confirmed.
      const unknown = off ? undefined : settings.map((s) => nginxRedirectUnknown(s, hasTls)).find((u) => u !== undefined) ?? nginxIngressDoubt(ctx.snapshot, ing);
      if (unknown) {
        out.push({ status: 'fail', resource, severity: 'medium', message: `Whether HTTP requests to Ingress ${resource.namespace}/${resource.name} are redirected to HTTPS cannot be confirmed: ${unknown}. It is not judged on the ingress-nginx defaults.`, evidence: { ...evidence, unconfirmed: unknown } });
        continue;
      }
      out.push(off
        ? { status: 'fail', resource, message: `Ingress ${resource.namespace}/${resource.name} has TLS but ${off.redirect.source} keeps plaintext HTTP reachable.${notes.length ? ` (${notes.join('; ')})` : ''}`, evidence }
        : { status: 'pass', resource, message: `HTTP requests to Ingress ${resource.namespace}/${resource.name} are redirected to HTTPS (${on.source}).${notes.length ? ` (${notes.join('; ')})` : ''}`, evidence: { ...evidence, source: on.source } });
    }
    return out;
  },
};
