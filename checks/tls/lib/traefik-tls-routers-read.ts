// Traefik's default TLS option is judged only when some router terminates TLS
// (traefikTlsRouterOf, per Traefik workload): whether one does hangs on the IngressRoutes and IngressRouteTCPs where none
// other was found.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { traefikTlsRouterOf } from '../../../src/analysis/edge/traefik-tls-routers.ts';
import { traefikDefaultsReadBy, traefikTlsOptions } from '../../../src/analysis/tls/index.ts';

export const TRAEFIK_TLS_ROUTERS_READ: ConditionalRead = {
  kinds: ['traefik.ingressroutes', 'traefik-legacy.ingressroutes', 'traefik.ingressroutetcps', 'traefik-legacy.ingressroutetcps'],
  when: 'when a Traefik runs without a TLSOption named "default" it reads and no other router of it was found terminating TLS: the IngressRoutes and IngressRouteTCPs that would show one',
  holds(ctx) {
    // Per Traefik workload: one without a single TLSOption "default" it reads, and no TLS router of its own found.
    const open = traefikTlsOptions(ctx.snapshot).instances.some((i) => {
      const r = traefikDefaultsReadBy(ctx.snapshot, i.ref);
      return r.read.length + r.unknown.length !== 1 && traefikTlsRouterOf(ctx.snapshot, i.ref) === undefined;
    });
    if (!open) return undefined;
    return 'the IngressRoutes and IngressRouteTCPs that would show whether a Traefik router terminates TLS (and so takes Traefik\'s default TLS option)';
  },
};
