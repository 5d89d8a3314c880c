// Traefik's default TLS option is judged only when some router terminates TLS
// (traefikTlsRouter): whether one does hangs on the IngressRoutes and IngressRouteTCPs where none
// other was found.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { traefikTlsRouter } from '../../../src/analysis/edge/traefik-tls-routers.ts';
import { traefikTlsOptions } from '../../../src/analysis/tls/index.ts';

export const TRAEFIK_TLS_ROUTERS_READ: ConditionalRead = {
  kinds: ['traefik.ingressroutes', 'traefik-legacy.ingressroutes', 'traefik.ingressroutetcps', 'traefik-legacy.ingressroutetcps'],
  when: 'when Traefik runs without a TLSOption named "default" and no other router of it was found terminating TLS: the IngressRoutes and IngressRouteTCPs that would show one',
  holds(ctx) {
    const { instances, defaultNamespaces } = traefikTlsOptions(ctx.snapshot);
    if (instances.length === 0 || defaultNamespaces === 1 || traefikTlsRouter(ctx.snapshot) !== undefined) return undefined;
    return 'the IngressRoutes and IngressRouteTCPs that would show whether a Traefik router terminates TLS (and so takes Traefik\'s default TLS option)';
  },
};
