import type { Check } from '../../src/engine/types.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { nginxBool, nginxConfigRefused, NGINX_CONFIG_REFUSED_EFFECT, nginxConfigSources, nginxNoConfigMap, nginxNotStarting, upstreamTlsForIngressNginx } from '../../src/analysis/tls/index.ts';
import { arr, obj, str } from '../../src/analysis/mesh/util.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';
import { NGINX_CONTROLLER_CONFIG_READ, NGINX_WATCH_SELECTOR_READ, nginxSettingsUnconfirmed } from './lib/nginx-config-read.ts';
import { LBC_SERVICE_WEBHOOK_READ } from './lib/lbc-webhook-read.ts';

/** 180 days: the shortest max-age this check accepts (ingress-nginx default is 31536000, one year). */
export const HSTS_MIN_MAX_AGE = 15552000;
const DEFAULT_MAX_AGE = '31536000';

// ingress-nginx sets the header `if config.hsts and ngx.var.scheme == "https" and
// certificate_configured_for_current_request` (rootfs/etc/nginx/lua/lua_ingress.lua, header()). The
// last term names a local function without calling it, so it is always truthy: the header depends
// on the scheme alone, and spec.tls changes nothing. When the AWS load balancer in front of the
// controller ends TLS and forwards plain HTTP to nginx's HTTP port (UpstreamTls.plaintextServices:
// aws-load-balancer-backend-protocol not ssl/https), nginx sees scheme http; the Classic or Network
// Load Balancer adds no response header, so browsers reach these hosts over HTTPS without ever
// being told to stay on it. With backend-protocol ssl the load balancer re-encrypts to nginx's TLS
// port and nginx sends the header itself.
function upstreamTlsVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  for (const ing of ctx.snapshot.resources.ingresses ?? []) {
    const spec = obj(ing.spec) ?? {};
    const upstream = upstreamTlsForIngressNginx(ctx.snapshot, ing);
    if (!upstream || upstream.plaintextServices.length === 0) continue;
    const resource = { kind: 'Ingress', namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' };
    const rules = arr(spec.rules).map(obj);
    const hosts = [...new Set(rules.map((r) => str(r?.host)).filter((h): h is string => !!h))];
    const anyHost = rules.some((r) => r && !str(r.host)) || (rules.length === 0 && spec.defaultBackend !== undefined);
    const named = [...hosts, ...(anyHost ? ['any host (host-less rule)'] : [])];
    out.push({
      status: 'fail', resource, detailKey: 'upstream-tls',
      message: `TLS for Ingress ${resource.namespace}/${resource.name} ends at the load balancer, which forwards plain HTTP to ingress-nginx (${upstream.plaintextServices.join('; ')}): ingress-nginx sends Strict-Transport-Security only on requests that reach it over HTTPS, with or without spec.tls, and the load balancer adds none, so ${named.join(', ')} ${named.length === 1 ? 'gets' : 'get'} no HSTS.`,
      evidence: { hosts: named, upstreamTls: upstream.plaintextServices },
    });
  }
  return out;
}

// HSTS is the controller's alone: hsts, hsts-max-age, hsts-include-subdomains and hsts-preload
// are ConfigMap keys with no per-Ingress annotation (user-guide/nginx-configuration/configmap.md#hsts;
// kubernetes/ingress-nginx#1742 points to configuration-snippet instead). A snippet that sets the
// header is not judged: snippets are refused by default (allow-snippet-annotations "false", and
// configuration-snippet is Critical above the default annotations-risk-level High,
// annotations-risk.md), and the controller sets the header from Lua in the header filter
// (rootfs/etc/nginx/lua/lua_ingress.lua, header()), so which of the two a response carries is not
// documented.
export const hstsDisabled: Check = {
  id: 'tls.hsts-disabled',
  area: 'tls',
  title: 'ingress-nginx sends HSTS with a max-age of at least 180 days',
  protectsAgainst: 'ingress-nginx serving HTTPS without HSTS (or with a short max-age), leaving first visits and typed http:// links open to SSL stripping',
  severity: 'medium',
  controls: EDGE_ENCRYPTION,
  remediation: 'Remove hsts: "false" from the ingress-nginx controller ConfigMap (HSTS is on by default) and keep hsts-max-age at 15552000 (180 days) or more; the default is 31536000. Where an AWS load balancer ends TLS (aws-load-balancer-ssl-cert) and forwards plain HTTP, nginx sees http and sends no HSTS, spec.tls or not: pass TCP through to nginx\'s TLS port (no ssl-cert on that port), or set service.beta.kubernetes.io/aws-load-balancer-backend-protocol: ssl with targetPort at nginx\'s HTTPS port so the load balancer re-encrypts; a Classic or Network Load Balancer cannot add the header itself.',
  needs: ['deployments', 'daemonsets'],
  reads: ['statefulsets', 'ingresses', 'ingressclasses', 'services'],
  readsWhen: [NGINX_CONTROLLER_CONFIG_READ, NGINX_WATCH_SELECTOR_READ, LBC_SERVICE_WEBHOOK_READ],
  evaluate(ctx) {
    const out: Verdict[] = [];
    for (const src of nginxConfigSources(ctx.snapshot)) {
      const controllers = src.controllers.map((c) => refString(c.ref));
      if (src.unknown !== undefined) {
        out.push(nginxSettingsUnconfirmed({ ...src, unknown: src.unknown }, 'hsts and hsts-max-age', 'low'));
        continue;
      }
      const where = src.configMap ? `ConfigMap ${src.configMap.namespace}/${src.configMap.name}` : `controller ${controllers[0]} (${nginxNoConfigMap(src.controllers[0])})`;
      const scope = `every HTTPS server of ${controllers.join(', ')}`;
      const data = src.data;
      // Its ssl-protocols refused, none of the ConfigMap is in effect: neither these keys nor the defaults.
      const refused = nginxConfigRefused(data);
      if (refused !== undefined) {
        out.push({ status: 'fail', resource: src.resource, severity: 'medium', message: `Whether ${scope} sends HSTS cannot be confirmed: ${where} sets ssl-protocols "${data?.['ssl-protocols']}", and ${refused}, ${NGINX_CONFIG_REFUSED_EFFECT}. Its hsts and hsts-max-age are not in effect until ssl-protocols is fixed.`, evidence: { controllers, hsts: data?.hsts ?? 'true (default)', hstsMaxAge: data?.['hsts-max-age'] ?? `${DEFAULT_MAX_AGE} (default)`, sslProtocols: data?.['ssl-protocols'], unconfirmed: refused } });
        continue;
      }
      const hstsRaw = data?.hsts;
      const maxAgeRaw = data?.['hsts-max-age'];
      const evidence: Record<string, unknown> = {
        controllers,
        configMapFound: src.configMap ? data !== undefined : undefined,
        hsts: hstsRaw ?? 'true (default)',
        hstsMaxAge: maxAgeRaw ?? `${DEFAULT_MAX_AGE} (default)`,
        minimumMaxAge: HSTS_MIN_MAX_AGE,
      };
      const enabled = hstsRaw === undefined ? true : nginxBool(hstsRaw);
      if (enabled === false) {
        out.push({ status: 'fail', resource: src.resource, message: `${where} sets hsts: "${hstsRaw}", so ${scope} answers without Strict-Transport-Security.`, evidence });
        continue;
      }
      if (enabled === undefined) evidence.note = `hsts: "${hstsRaw}" is not a boolean; ingress-nginx logs a decode error and keeps the default (true)`;
      const maxAge = maxAgeRaw?.trim() ?? DEFAULT_MAX_AGE;
      if (!/^\d+$/.test(maxAge) || Number(maxAge) === 0) {
        // Browsers ignore a header whose max-age does not parse, and max-age=0 deletes the policy (RFC 6797 §6.1.1).
        out.push({ status: 'fail', resource: src.resource, message: `${where} sets hsts-max-age: "${maxAgeRaw}", which ${maxAge === '0' || Number(maxAge) === 0 ? 'tells browsers to forget HSTS' : 'browsers ignore as invalid'}: HSTS is effectively off for ${scope}.`, evidence });
        continue;
      }
      if (Number(maxAge) < HSTS_MIN_MAX_AGE) {
        out.push({ status: 'fail', severity: 'low', resource: src.resource, message: `${where} sets hsts-max-age: ${maxAge} (${Math.floor(Number(maxAge) / 86400)} days), below the 180-day minimum (${HSTS_MIN_MAX_AGE}).`, evidence });
        continue;
      }
      out.push({ status: 'pass', resource: src.resource, message: `${scope} sends HSTS with max-age ${maxAge}${maxAgeRaw === undefined ? ' (default)' : ''}${src.configMap && data === undefined ? '; the ConfigMap does not exist, so defaults apply' : ''}.`, evidence });
    }
    out.push(...upstreamTlsVerdicts(ctx));
    return out;
  },
  excluded: (ctx) => nginxNotStarting(ctx.snapshot),
};
