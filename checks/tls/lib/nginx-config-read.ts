// ingress-nginx's controller-wide settings (ssl-ciphers, ssl-protocols, hsts, ssl-redirect,
// global-auth-url, enable-modsecurity, ...) live in the ConfigMap each controller names with
// --configmap, which the collector reads by name, keeping what it read when another ConfigMap is
// refused. Only when a controller's own ConfigMap is missing while a by-name read failed
// (unreadNginxConfigMaps) are its settings unknown, and ingress-nginx's defaults cannot stand in
// for them; an Istio revision's or Cilium's ConfigMap refused leaves them known, and so does its
// own answered 404 (it does not exist: the defaults apply).
import type { ConditionalRead } from '../../../src/engine/types.ts';
import type { Severity, Verdict } from '../../../src/base/vocabulary.ts';
import type { NginxConfigSource } from '../../../src/analysis/tls/index.ts';
import { nginxControllers, unreadNginxConfigMaps, unreadServingNginxConfigMaps } from '../../../src/analysis/tls/index.ts';
import { refString } from '../../../src/analysis/workloads.ts';

const NAMED = 3;

/** "ConfigMaps a/b, c/d, e/f, and 2 more": the unread ConfigMaps a reason names. */
export function namedConfigMaps(unread: ReadonlyArray<{ namespace: string; name: string }>): string {
  const names = unread.slice(0, NAMED).map((r) => `${r.namespace}/${r.name}`).join(', ');
  return `ConfigMap${unread.length > 1 ? 's' : ''} ${names}${unread.length > NAMED ? `, and ${unread.length - NAMED} more` : ''}`;
}

/**
 * For checks with a subject per controller ConfigMap: every controller terminates TLS with its
 * own settings, on the catch-all server too when no Ingress resolves to it
 * (https://kubernetes.github.io/ingress-nginx/user-guide/tls/#default-ssl-certificate). An idle
 * controller's refused ConfigMap blinds the whole check: a check is judged whole, and leaving
 * that controller out of an evaluated check would have the diff report its finding resolved
 * (test/unit/tls/unread-controller-configmap.test.ts).
 */
export const NGINX_CONTROLLER_CONFIG_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when an ingress-nginx controller names a ConfigMap (--configmap): its controller-wide settings',
  holds(ctx) {
    const unread = unreadNginxConfigMaps(ctx.snapshot);
    return unread.length === 0 ? undefined : `ingress-nginx's controller settings (${namedConfigMaps(unread)})`;
  },
};

/** For checks judging Ingresses: only the controllers serving one decide their verdicts. */
export const NGINX_SERVING_CONFIG_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when an ingress-nginx controller serving an Ingress names a ConfigMap (--configmap): its controller-wide settings',
  holds(ctx) {
    const unread = unreadServingNginxConfigMaps(ctx.snapshot);
    return unread.length === 0 ? undefined : `ingress-nginx's controller settings (${namedConfigMaps(unread)})`;
  },
};

/**
 * For checks deciding which ingress-nginx controller serves an Ingress: a controller started with
 * --watch-namespace-selector sees the Ingresses of the Namespaces whose labels the selector matches
 * (ingress-nginx pkg/flags/flags.go; internal/ingress/controller/store/store.go New). Unread
 * Namespaces leave it serving every namespace in doubt (nginx.ts nginxControllersFor), which would
 * judge Ingresses it never serves: the check is not evaluated instead.
 */
export const NGINX_WATCH_SELECTOR_READ: ConditionalRead = {
  kinds: ['namespaces'],
  when: 'when an ingress-nginx controller is started with --watch-namespace-selector: the Namespaces\' labels it selects by',
  holds(ctx) {
    const selecting = nginxControllers(ctx.snapshot).filter((c) => 'selector' in c.watch);
    if (selecting.length === 0) return undefined;
    const names = selecting.slice(0, NAMED).map((c) => refString(c.ref)).join(', ');
    return `the Namespaces' labels the --watch-namespace-selector of ingress-nginx controller${selecting.length > 1 ? 's' : ''} ${names}${selecting.length > NAMED ? `, and ${selecting.length - NAMED} more` : ''} select${selecting.length > 1 ? '' : 's'} by`;
  },
};

/**
 * The verdict on a controller whose --configmap is not known (NginxConfigSource.unknown: it comes
 * from a Secret, a ConfigMap not read, ...): its settings cannot be confirmed, so it is a finding
 * saying so, never a pass on ingress-nginx's defaults.
 */
export function nginxSettingsUnconfirmed(src: NginxConfigSource & { unknown: string }, setting: string, severity: Severity, detailKey?: string): Verdict {
  const controller = refString(src.controllers[0]!.ref);
  return {
    status: 'fail',
    resource: src.resource,
    severity,
    ...(detailKey ? { detailKey } : {}),
    message: `The ${setting} of ingress-nginx controller ${controller} cannot be confirmed: ${src.unknown}. Which ConfigMap it reads is not known, so it is not judged on the ingress-nginx defaults.`,
    evidence: { controllers: [controller], unconfirmed: src.unknown },
  };
}
