// ingress-nginx's controller-wide settings (ssl-ciphers, ssl-protocols, hsts, ssl-redirect,
// global-auth-url, enable-modsecurity, ...) live in the ConfigMap each controller names with
// --configmap, which the collector reads by name, keeping what it read when another ConfigMap is
// refused. Only when a controller's own ConfigMap is missing while a by-name read failed
// (unreadNginxConfigMaps) are its settings unknown, and ingress-nginx's defaults cannot stand in
// for them; an Istio revision's or Cilium's ConfigMap refused leaves them known.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { unreadNginxConfigMaps } from '../../../src/analysis/tls/index.ts';

const NAMED = 3;

export const NGINX_CONTROLLER_CONFIG_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when an ingress-nginx controller names a ConfigMap (--configmap): its controller-wide settings',
  holds(ctx) {
    const unread = unreadNginxConfigMaps(ctx.snapshot);
    if (unread.length === 0) return undefined;
    const names = unread.slice(0, NAMED).map((r) => `${r.namespace}/${r.name}`).join(', ');
    return `ingress-nginx's controller settings (ConfigMap${unread.length > 1 ? 's' : ''} ${names}${unread.length > NAMED ? `, and ${unread.length - NAMED} more` : ''})`;
  },
};
