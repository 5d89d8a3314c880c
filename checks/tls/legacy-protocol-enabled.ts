import type { AuditContext } from '../../src/analysis/context.ts';
import type { Check } from '../../src/engine/types.ts';
import type { ResourceRef, Verdict } from '../../src/base/vocabulary.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { nginxNoConfigMap, nginxNotStarting, ALB_PARAMS, gatewayPassthroughListeners, traefikTcpPassthroughRoutes, GKE_DEFAULT_SSL_POLICY, GKE_GATEWAY_CONTROLLER, gkeFrontendConfigs, gkeGatewaySslPolicies, gkeIngressSslPolicy, gkeTlsGateways, type GkeSslPolicy, nginxCanary, nginxCipherAnnotations, nginxCipherAnnotationKeys, nginxCipherOnServer, nginxPrefixUnknown, nginxServerKeys, opensslEnabledSuites, ALB_SSL_POLICY, clientTrafficPolicies, clientTrafficPolicyCiphers, clientTrafficPolicyLegacy, clientTrafficPolicyLegacyCiphers, gatewayListenerPolicies, istioGatewayServers, istioGatewayApiServers, istioMutualSettingsApplied, type IstioGatewayServer, istioTlsDefaults, albIngressOf, albKeptNotes, albUnjudged, albUnjudgedNotes, AWS_SSL_NEGOTIATION_POLICY, awsTlsServices, EKS_AUTO_MODE_ALB_CONTROLLER, EKS_AUTO_MODE_LOAD_BALANCER_CLASS, isLegacyVersionToken, nginxConfigSources, otherClassTlsServices, traefikDefaultMinTls, traefikOptionAcceptsNoVersion, traefikTlsOptions, traefikOptionScope, traefikDefaultsReadBy, undecidedTlsServices, versionTokens, type AlbIngress, type TraefikInstance, type AwsTlsService, type LbcDefaultPolicy, contourCipherConfigs, contourCipherNames, contourHigher, contourTlsVersion, contourTlsVirtualHosts, contourUnservedNotes, type ContourCiphers, type ContourTlsVersion, istioGatewayRelease, istioMeshMinimum, ISTIO_CIPHER_MODES, ENVOY_PRE_123_DEFAULT_CIPHERS, type IstioGatewayRelease, traefikMinVersion, traefikDefaultOptionsRead, nginxSslProtocols, nginxConfigRefused, NGINX_CONFIG_REFUSED_EFFECT } from '../../src/analysis/tls/index.ts';
import { TRAEFIK_ROUTER_REFUSAL_KINDS, traefikTlsRouterOf } from '../../src/analysis/edge/traefik-tls-routers.ts';
import type { KindKey } from '../../src/snapshot/kinds.ts';
import { arr, obj, str } from '../../src/analysis/mesh/util.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { istioMeshConfigUnread } from '../../src/analysis/mesh/configmaps.ts';
import { istioGatewayIstiodRelease, istioGatewayRevision } from '../../src/analysis/tls/istio.ts';
import { CONTOUR_INGRESS_MIN, CONTOUR_INGRESS_MIN_HEPTIO, contourIngressMinimum } from '../../src/analysis/tls/contour.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';
import { albIngresses, paramsMissing } from './lib/alb-ingresses.ts';
import { ALB_NAMESPACES_READ, EKS_ALB_PARAMS_READ, LBC_ALB_PARAMS_READ } from './lib/alb-params-read.ts';
import { TRAEFIK_TLS_ROUTERS_READ } from './lib/traefik-tls-routers-read.ts';
import { TLS_OPTION_USER_KINDS, tlsOptionUsers, traefikUnloadedOptions } from './lib/traefik-option-users.ts';
import { NGINX_CONTROLLER_CONFIG_READ, NGINX_WATCH_SELECTOR_READ, nginxSettingsUnconfirmed } from './lib/nginx-config-read.ts';
import { LBC_SERVICE_WEBHOOK_READ } from './lib/lbc-webhook-read.ts';
import { ENVOY_GATEWAY_TARGETS_READ } from './lib/envoy-gateway-read.ts';
import { ISTIO_TLS_DEFAULTS_READ } from './lib/istio-mesh-tls-read.ts';
import { GKE_SSL_POLICY_KINDS, gkeHttpsIngresses, gkeUnjudged } from './lib/gke-ssl-policy-read.ts';
import { CONTOUR_CONFIGURATION_READ } from './lib/contour-config-read.ts';
import { memoize } from '../../src/analysis/memo.ts';

const NGINX_DEFAULT_PROTOCOLS = 'TLSv1.2 TLSv1.3';
/** ingress-nginx's default ssl-ciphers (docs/user-guide/nginx-configuration/configmap.md ssl-ciphers; /work/shared/reference/checks.md): GCM and ChaCha20 only. */
const NGINX_DEFAULT_CIPHERS = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256';
/** nginx's own ssl_ciphers default, which applies when ssl-ciphers is set but empty (weak-ciphers.ts). */
const NGINX_BUILTIN_CIPHERS = 'HIGH:!aNULL:!MD5';

/** The suites an OpenSSL cipher string enables that a TLS 1.0/1.1 handshake can use (clientTrafficPolicyLegacyCiphers's rule). */
const opensslLegacyCiphers = (value: string): string[] => clientTrafficPolicyLegacyCiphers({ ciphers: opensslEnabledSuites(value) });

/**
 * ingress-nginx controllers (refString) that serve a host with an ssl-ciphers annotation enabling
 * a suite usable below TLS 1.2: that server can complete a TLS 1.0/1.1 handshake whatever the
 * ConfigMap's ciphers. Only the annotation a host's server takes counts (nginxCipherAnnotations,
 * the rule tls.weak-ciphers reads): the oldest Ingress's for the host, never a canary's. `doubt`
 * says why it is not known that the controller applies it (nginxCipherOnServer `maybe`), when no
 * such annotation is surely applied.
 */
function nginxAnnotatedLegacyCiphers(ctx: AuditContext): Map<string, { from: string; doubt?: string }> {
  const out = new Map<string, { from: string; doubt?: string }>();
  const all = nginxCipherAnnotations(ctx.snapshot);
  for (const self of all.served) {
    const annotations = self.ing.metadata?.annotations ?? {};
    const readSurely = new Set(self.groups.filter((g) => !nginxPrefixUnknown(g.prefix)).map((g) => `${g.prefix}ssl-ciphers`));
    for (const { prefix, controllers } of self.groups) {
      for (const { annotation, value } of nginxCipherAnnotationKeys(annotations, prefix)) {
        if ((nginxPrefixUnknown(prefix) && readSurely.has(annotation)) || value.trim() === '' || nginxCanary(annotations, prefix) || opensslLegacyCiphers(value).length === 0) continue;
        for (const server of nginxServerKeys(self.ing, prefix, controllers)) {
          const on = nginxCipherOnServer(ctx.snapshot, all, self, server);
          if (on.state === 'overridden') continue;
          const controller = server.key.slice(0, server.key.indexOf('\0'));
          const had = out.get(controller);
          const from = `Ingress ${self.id} (${annotation})`;
          if (on.state === 'applied') { if (!had || had.doubt !== undefined) out.set(controller, { from }); } else if (!had) out.set(controller, { from, doubt: on.why });
        }
      }
    }
  }
  return out;
}

/** One result per controller ConfigMap (controllers sharing one are one subject), or per controller without --configmap. */
function nginxVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const annotated = nginxAnnotatedLegacyCiphers(ctx);
  for (const src of nginxConfigSources(ctx.snapshot)) {
    const controllers = src.controllers.map((c) => refString(c.ref));
    if (src.unknown !== undefined) {
      out.push(nginxSettingsUnconfirmed({ ...src, unknown: src.unknown }, 'ssl-protocols', 'medium', 'ssl-protocols'));
      continue;
    }
    if (!src.configMap) {
      out.push({ status: 'pass', resource: src.resource, detailKey: 'ssl-protocols', message: `ingress-nginx controller ${controllers[0]} ${src.controllers[0].configMapIgnored === undefined ? 'has no --configmap: defaults apply' : `reads no ConfigMap (${nginxNoConfigMap(src.controllers[0])})`} (${NGINX_DEFAULT_PROTOCOLS}).`, evidence: { sslProtocols: NGINX_DEFAULT_PROTOCOLS, source: 'default' } });
      continue;
    }
    const data = src.data;
    const value = data?.['ssl-protocols'];
    const evidence = { controllers, configMapFound: data !== undefined, sslProtocols: value ?? `${NGINX_DEFAULT_PROTOCOLS} (default)` };
    const protocols = value === undefined ? undefined : nginxSslProtocols(value);
    // A value nginx refuses: the configuration fails `nginx -t` and is never loaded, so the
    // protocols the servers accept are those of the configuration nginx last loaded, not these.
    const refused = nginxConfigRefused(data);
    if (protocols && refused !== undefined) {
      out.push({ status: 'fail', resource: src.resource, detailKey: 'ssl-protocols', severity: 'medium',
        message: `The protocols ingress-nginx ssl-protocols "${value}" gives every server of ${controllers.join(', ')} cannot be confirmed: ${refused}, ${NGINX_CONFIG_REFUSED_EFFECT}. Use space-separated names, such as "TLSv1.2 TLSv1.3".`,
        evidence: { ...evidence, unknownProtocols: protocols.unknown, unconfirmed: refused } });
      continue;
    }
    const legacy = protocols ? protocols.names.filter(isLegacyVersionToken) : [];
    // A version no enabled cipher can negotiate completes no handshake, as for Envoy Gateway.
    const rawCiphers = data?.['ssl-ciphers'];
    const ciphers = rawCiphers === undefined ? NGINX_DEFAULT_CIPHERS : rawCiphers.trim() === '' ? NGINX_BUILTIN_CIPHERS : rawCiphers;
    const usable = legacy.length ? opensslLegacyCiphers(ciphers) : [];
    const via = controllers.map((c) => annotated.get(c)).filter((x) => x !== undefined);
    const viaAnnotation = via.find((x) => x.doubt === undefined)?.from;
    const mayVia = viaAnnotation === undefined ? via.find((x) => x.doubt !== undefined) : undefined;
    const ciphersSaid = rawCiphers === undefined ? 'ssl-ciphers is unset (the ingress-nginx default: AES-GCM and ChaCha20-Poly1305 only)' : `ssl-ciphers "${rawCiphers}" enables only suites that need TLS 1.2`;
    // Only an annotation that may not be applied enables a suite below TLS 1.2: high if it is, low if not.
    if (legacy.length && usable.length === 0 && mayVia) {
      out.push({ status: 'fail', resource: src.resource, detailKey: 'ssl-protocols', severity: 'medium', message: `ingress-nginx ssl-protocols "${value}" enables ${legacy.join(', ')} for every server of ${controllers.join(', ')}, and whether a ${legacy.join(' or ')} handshake completes cannot be confirmed: ${ciphersSaid}, but the ciphers of ${mayVia.from} work below TLS 1.2, and whether ingress-nginx applies them is not known: ${mayVia.doubt}. Remove ${legacy.join(' and ')} from ssl-protocols.`, evidence: { ...evidence, legacy, sslCiphers: rawCiphers ?? 'default', ciphersBelowTls12: [], legacyCiphersFrom: mayVia.from, unconfirmed: mayVia.doubt } });
      continue;
    }
    out.push(legacy.length && usable.length === 0 && !viaAnnotation
      ? { status: 'fail', resource: src.resource, detailKey: 'ssl-protocols', severity: 'low', message: `ingress-nginx ssl-protocols "${value}" enables ${legacy.join(', ')} for every server of ${controllers.join(', ')}, but no enabled cipher works below TLS 1.2: ${ciphersSaid}, so no ${legacy.join(' or ')} handshake completes. Remove ${legacy.join(' and ')} from ssl-protocols to say what the servers accept.`, evidence: { ...evidence, legacy, sslCiphers: rawCiphers ?? 'default', ciphersBelowTls12: [] } }
      : legacy.length
      ? { status: 'fail', resource: src.resource, detailKey: 'ssl-protocols', message: `ingress-nginx ssl-protocols "${value}" enables ${legacy.join(', ')} for every server of ${controllers.join(', ')}${usable.length ? ` (its ciphers ${usable.slice(0, 5).join(', ')}${usable.length > 5 ? ` and ${usable.length - 5} more` : ''} work below TLS 1.2)` : viaAnnotation ? ` (the ciphers of ${viaAnnotation} work below TLS 1.2)` : ''}.`, evidence: { ...evidence, legacy, ciphersBelowTls12: usable, ...(viaAnnotation ? { legacyCiphersFrom: viaAnnotation } : {}) } }
      : { status: 'pass', resource: src.resource, detailKey: 'ssl-protocols', message: `ingress-nginx ssl-protocols is ${value ? `"${value}"` : `unset (default ${NGINX_DEFAULT_PROTOCOLS})`}${data === undefined ? '; the ConfigMap does not exist, so defaults apply' : ''}.`, evidence });
  }
  return out;
}

const ISTIO_LEGACY = new Set(['TLSV1_0', 'TLSV1_1']);

/** Istio Gateway servers this check reads, and those that pass TLS through (istioGatewayServers). */
const istioServers = (ctx: AuditContext) => istioGatewayServers(ctx.snapshot);

/** Why a revision's Istio mesh config (ConfigMap istio, istio-<rev>) could not be read, or undefined (ISTIO_TLS_DEFAULTS_READ). */
function meshConfigUnread(ctx: AuditContext, revision: string): string | undefined {
  const unread = istioMeshConfigUnread(ctx.snapshot, ctx.config, revision);
  return unread ? `ConfigMap ${unread.ref.namespace}/${unread.ref.name} could not be read (${unread.status})` : undefined;
}

/** "Istio 1.13 (the gateway workload Deployment istio-system/gw, image …:1.13.9) ships Envoy 1.21 or older", when a gateway runs Envoy before 1.22, whose server default minimum is TLS 1.0 (istioGatewayRelease tls10Default). */
function legacyEnvoyOf(release: IstioGatewayRelease): string | undefined {
  return release && 'tls10Default' in release && release.tls10Default ? `Istio ${release.version.join('.')} (${release.from}, image ${release.image}) ships Envoy 1.21 or older` : undefined;
}

/** Whether a gateway runs Envoy before 1.23, whose default cipher list keeps CBC-SHA suites (istioGatewayRelease legacyEnvoy). */
const cbcDefaultOf = (release: IstioGatewayRelease): boolean => !!release && 'legacyEnvoy' in release && release.legacyEnvoy;

/** Istio Gateway servers and the servers istiod makes of Gateway API listeners of Istio's class (istioGatewayApiServers), judged alike. */
const istioJudged = (ctx: AuditContext): IstioGatewayServer[] => [...istioServers(ctx).judged, ...istioGatewayApiServers(ctx.snapshot)];

/** Where a server is, in a message: "Server on port 443", or "Listener "https" on port 443" of a Gateway API Gateway. */
const istioAt = (s: IstioGatewayServer): string => `${s.gatewayApi ? `Listener ${JSON.stringify(s.gatewayApi.listener)}` : 'Server'} on port ${obj(s.server?.port)?.number ?? '?'}`;

/**
 * The verdicts on Istio servers, and the ISTIO_MUTUAL servers left unjudged: those whose own
 * version or cipher fields decide the verdict while istiod's release, which decides whether it
 * writes them (istioMutualSettingsApplied), is not known.
 */
function istioJudgementOf(ctx: AuditContext): { verdicts: Verdict[]; unjudged: string[] } {
  const out: Verdict[] = [];
  const unjudged: string[] = [];
  const releases = new Map<KubeObject, IstioGatewayRelease>();
  // Per Gateway: the revision whose istiod configures it, that istiod's release and that revision's
  // mesh config (ConfigMap istio-<rev>), from which its servers take tlsDefaults.
  const meshes = new Map<KubeObject, { revision: string; istiod: IstioGatewayRelease; defaults: ReturnType<typeof istioTlsDefaults> }>();
  const meshOf = (gateway: KubeObject) => {
    let m = meshes.get(gateway);
    if (!m) {
      const { revision } = istioGatewayRevision(ctx.snapshot, gateway);
      m = { revision, istiod: istioGatewayIstiodRelease(ctx.snapshot, gateway), defaults: istioTlsDefaults(ctx.snapshot, ctx.config, revision) };
      meshes.set(gateway, m);
    }
    return m;
  };
  /**
   * One server judged on the fields istiod writes to Envoy: `tls` (its own, or none when istiod
   * ignores them), `takesMesh` whether meshConfig.tlsDefaults apply (isSimpleOrMutual modes);
   * `why` ends the message (how the server came to be, what istiod did with its fields).
   */
  const judge = (s: IstioGatewayServer, tls: Record<string, unknown>, takesMesh: boolean, why: string, extra: Record<string, unknown>): Verdict => {
    const { resource, gateway, i, server } = s;
    const port = obj(server?.port);
    const at = istioAt(s);
    const detailKey = s.gatewayApi ? `listener/${s.gatewayApi.listener}` : `server/${str(port?.name) ?? port?.number ?? i}`;
    const ownMin = str(tls.minProtocolVersion);
    const max = str(tls.maxProtocolVersion);
    if (!releases.has(gateway)) releases.set(gateway, istioGatewayRelease(ctx.snapshot, gateway));
    const gatewayMesh = meshOf(gateway);
    const meshMin = gatewayMesh.defaults?.minProtocolVersion;
    // A server with no minimum of its own (or TLS_AUTO) takes meshConfig.tlsDefaults.minProtocolVersion
    // where its istiod reads it, as that istiod writes it to Envoy (istioMeshMinimum): istiod maps
    // the field (listener.go applyDownstreamTLSDefaults), so its release decides, not the proxy's.
    const meshFloor = meshMin !== undefined && (ownMin === undefined || ownMin === 'TLS_AUTO') && takesMesh ? istioMeshMinimum(meshMin, gatewayMesh.istiod) : undefined;
    const min = meshFloor?.effective ?? ownMin;
    // Before Istio 1.14 (Envoy 1.21 and older) TLS_AUTO is Envoy's server default, TLS 1.0; Envoy
    // 1.22.0 made it TLS 1.2 (envoyproxy/envoy changelogs/1.22.0.yaml, behavior_changes, tls), and
    // Istio 1.14 ships Envoy 1.22 (istio/istio#42648). The CBC default cipher list lasts until
    // Envoy 1.23, Istio 1.15 (istio.ts ENVOY_PRE_123_DEFAULT_CIPHERS).
    const oldEnvoy = legacyEnvoyOf(releases.get(gateway));
    const cbcDefault = cbcDefaultOf(releases.get(gateway));
    const auto = min === undefined || min === 'TLS_AUTO';
    const effectiveMin = auto && oldEnvoy ? 'TLSV1_0' : min;
    const evidence = { port: port?.number, hosts: server?.hosts, mode: s.mode, minProtocolVersion: ownMin ?? (oldEnvoy ? 'TLS_AUTO (TLSV1_0 before Envoy 1.22)' : 'TLS_AUTO (TLSV1_2)'), maxProtocolVersion: max ?? 'TLS_AUTO', ...(oldEnvoy ? { envoy: oldEnvoy } : {}), ...(meshFloor ? { meshMinProtocolVersion: meshMin, ...(meshFloor.effective ? { effectiveMinProtocolVersion: meshFloor.effective } : {}), meshMinNote: meshFloor.why } : {}), ...(s.gatewayApi ? { listener: s.gatewayApi.listener, conversion: s.gatewayApi.conversion } : {}), ...extra };
    const bad = [effectiveMin, max].filter((v): v is string => !!v && ISTIO_LEGACY.has(v));
    const ownSaid = ownMin ? `minProtocolVersion ${ownMin}` : 'no minProtocolVersion';
    const allows = auto && oldEnvoy
      ? `${at} allows TLSV1_0 (${ownSaid}${meshFloor ? `, ${meshFloor.why}` : ''}: ${oldEnvoy}, whose server-side default minimum is TLS 1.0${max ? `; maxProtocolVersion ${max}` : ''})`
      : meshFloor?.effective
      ? `${at} allows ${bad.join('/')} (${ownSaid}, so it takes ${meshFloor.why}${max ? `; maxProtocolVersion ${max}` : ''})`
      : `${at} allows ${bad.join('/')} (${min ? `minProtocolVersion ${min}` : ''}${max ? ` maxProtocolVersion ${max}` : ''})`;
    // cipherSuites are Envoy's cipher_suites; unset, istiod writes meshConfig.tlsDefaults.cipherSuites
    // (as tls.weak-ciphers reads them), else Envoy's default list applies: from Envoy 1.23 AES-GCM
    // and ChaCha20 only, which no TLS 1.0/1.1 handshake can use (clientTrafficPolicyLegacyCiphers);
    // before it a list with CBC-SHA suites that can.
    const own = arr(tls.cipherSuites).filter((c): c is string => typeof c === 'string');
    const mesh = own.length || !bad.length || !takesMesh ? undefined : gatewayMesh.defaults;
    const meshUnread = mesh?.problem ?? (own.length || !bad.length || !takesMesh ? undefined : meshConfigUnread(ctx, gatewayMesh.revision));
    const envoyDefault = !own.length && !mesh?.cipherSuites && cbcDefault ? [...ENVOY_PRE_123_DEFAULT_CIPHERS] : undefined;
    const suites = own.length ? own : mesh?.cipherSuites ?? envoyDefault ?? [];
    const from = own.length ? 'its cipherSuites' : mesh?.cipherSuites ? `it sets no cipherSuites, so ${mesh.source}.cipherSuites apply:` : envoyDefault ? 'it sets no cipherSuites, so Envoy\'s default list before 1.23 applies:' : '';
    const usable = bad.length ? clientTrafficPolicyLegacyCiphers({ ciphers: suites }) : [];
    const said = suites.length ? `${from} ${own.length ? 'list' : 'they list'} only suites that need TLS 1.2 (${suites.join(', ')})` : 'it sets no cipherSuites (Envoy\'s default list: AES-GCM and ChaCha20-Poly1305 only)';
    const source = own.length ? {} : mesh?.cipherSuites ? { cipherSuites: suites, cipherSuitesFrom: mesh.source } : envoyDefault ? { cipherSuites: suites, cipherSuitesFrom: 'Envoy default before 1.23' } : {};
    const end = why ? ` ${why}` : '';
    // A Gateway API listener has no field istiod reads for the minimum (istioGatewayApiServers): only Istio itself can move it.
    const listenerAdvice = auto && oldEnvoy ? ' Upgrade Istio to 1.14 or later (Envoy 1.22, whose default minimum is TLS 1.2): a Gateway API listener has no setting istiod reads for the minimum.' : meshFloor?.effective ? ' Upgrade istiod to a release that maps tlsDefaults right (1.27.6, 1.28.4, 1.29.1, 1.30 or later), or remove meshConfig.tlsDefaults.minProtocolVersion: a Gateway API listener has no setting istiod reads for the minimum.' : '';
    return bad.length && usable.length === 0 && !meshUnread
      ? { status: 'fail', resource, detailKey, severity: 'low', message: `${allows}, but no enabled cipher works below TLS 1.2: ${said}, so no TLS 1.0 or 1.1 handshake completes.${s.gatewayApi ? listenerAdvice : ` Set minProtocolVersion TLSV1_2${oldEnvoy || meshFloor?.effective ? ' on the server' : ' (or omit it)'} to say what the server accepts.`}${end}`, evidence: { ...evidence, ...source, ciphersBelowTls12: [] } }
      : bad.length
      ? { status: 'fail', resource, detailKey, message: `${allows}${usable.length ? `; ${from} ${usable.join(', ')} work below TLS 1.2` : meshUnread ? `; it sets no cipherSuites, so it takes meshConfig.tlsDefaults.cipherSuites, and ${meshUnread}: whether a cipher it enables works below TLS 1.2 is unknown` : ''}.${s.gatewayApi ? listenerAdvice : auto && oldEnvoy ? ' Set minProtocolVersion TLSV1_2.' : meshFloor?.effective ? ' Set minProtocolVersion TLSV1_2 on the server, or upgrade istiod to a release that maps tlsDefaults right (1.27.6, 1.28.4, 1.29.1, 1.30 or later).' : ''}${end}`, evidence: { ...evidence, ...source, ciphersBelowTls12: usable, ...(meshUnread ? { meshConfig: meshUnread } : {}) } }
      : { status: 'pass', resource, detailKey, message: `${at} requires TLS ${min === 'TLSV1_3' ? '1.3' : '1.2 or later'}${meshFloor ? ` (${ownSaid}: ${meshFloor.why})` : ''}.${end}`, evidence };
  };
  for (const s of istioJudged(ctx)) {
    const { tls, mode } = s;
    if (mode !== 'ISTIO_MUTUAL') {
      // A Gateway API listener says how istiod made it a server (istioGatewayApiServers).
      out.push(judge(s, tls, ISTIO_CIPHER_MODES.has(mode), s.gatewayApi ? `It is the ${s.gatewayApi.conversion}.` : '', {}));
      continue;
    }
    // ISTIO_MUTUAL: a client needs a certificate from the mesh CA, but the version a handshake may
    // use is what Envoy is given. istiod before 1.18 writes the server's own minProtocolVersion,
    // maxProtocolVersion and cipherSuites (istioMutualSettingsApplied); from 1.18 none, so Envoy's
    // defaults apply (TLS 1.0 before Envoy 1.22, CBC suites before Envoy 1.23). meshConfig.tlsDefaults never apply
    // (from 1.18 only to isSimpleOrMutual modes; before, the field does not exist). Graded as a
    // MUTUAL server is: the client certificate limits who can connect, not which TLS version.
    const istiod = meshOf(s.gateway).istiod;
    const applied = istioMutualSettingsApplied(istiod);
    const fields = (['minProtocolVersion', 'maxProtocolVersion'] as const).filter((k) => { const v = str(tls[k]); return v !== undefined && v !== 'TLS_AUTO'; }).map((k) => `${k} ${str(tls[k])}`);
    if (arr(tls.cipherSuites).some((c) => typeof c === 'string')) fields.push('cipherSuites');
    const istiodSaid = istiod && 'version' in istiod ? `Istio ${istiod.version.join('.')} (${istiod.from}, image ${istiod.image})` : 'istiod';
    const lead = 'The server is ISTIO_MUTUAL, so a client needs a certificate from the mesh CA';
    const ignored = { ...tls, minProtocolVersion: undefined, maxProtocolVersion: undefined, cipherSuites: undefined };
    if (fields.length === 0) { out.push(judge(s, tls, false, s.gatewayApi ? `It is the ${s.gatewayApi.conversion}; ${lead[0].toLowerCase()}${lead.slice(1)}, and Envoy's defaults apply.` : `${lead}; it sets no TLS version or cipherSuites, so Envoy's defaults apply.`, {})); continue; }
    if (applied === true) { out.push(judge(s, tls, false, `${lead}, but ${istiodSaid} writes its ${fields.join(', ')} to Envoy in every mode (before Istio 1.18).`, { istioMutualSettingsApplied: true })); continue; }
    const ignoredWhy = `${lead}; ${istiodSaid} writes no TLS parameters for ISTIO_MUTUAL servers from Istio 1.18, so its ${fields.join(', ')} have no effect and Envoy's defaults apply.`;
    if (applied === false) { out.push(judge(s, ignored, false, ignoredWhy, { istioMutualSettingsApplied: false })); continue; }
    // istiod's release is not known: judge only when both readings agree.
    const a = judge(s, tls, false, '', {});
    const b = judge(s, ignored, false, '', {});
    if (a.status === b.status && (a.severity ?? '') === (b.severity ?? '')) out.push(judge(s, ignored, false, `${lead}; its ${fields.join(', ')} apply before Istio 1.18 and not after, and either way ${a.status === 'pass' ? 'it passes' : 'it fails the same'} (istiod's release is not known).`, {}));
    else unjudged.push(`${s.resource.namespace}/${s.resource.name} ${istioAt(s).toLowerCase()} (${fields.join(', ')}${istiod && 'unversioned' in istiod ? `; ${istiod.unversioned.join(', ')}` : ''})`);
  }
  return { verdicts: out, unjudged };
}

/** istioJudgementOf, once per audit: the check's verdicts and its note both ask for it. */
const istioJudgement = memoize(istioJudgementOf, 'tls');

function istioVerdicts(ctx: AuditContext): Verdict[] {
  return istioJudgement(ctx).verdicts;
}

/** The note for ISTIO_MUTUAL servers istioJudgement leaves unjudged. */
function istioMutualUnjudged(ctx: AuditContext): string[] {
  const { unjudged } = istioJudgement(ctx);
  return unjudged.length ? [`${unjudged.length} ISTIO_MUTUAL Istio Gateway server(s) set TLS versions or cipherSuites that istiod writes to Envoy before Istio 1.18 and ignores from 1.18, and the release of the istiod configuring them is not known (no istio/pilot image naming a version), so they are not judged: ${unjudged.join(', ')}; pin istiod's image to a version tag or run with --probe-tls`] : [];
}

/**
 * Istio Gateways whose servers take Envoy's default minimum (no minProtocolVersion, or TLS_AUTO)
 * while the Istio images that would tell its release name no version: before Istio 1.14 that
 * default is TLS 1.0 (istioGatewayRelease), so their pass rests on a release not known.
 */
function istioUnversioned(ctx: AuditContext): string[] {
  const gateways = new Map<KubeObject, string>();
  for (const { resource, gateway, tls, mode } of istioJudged(ctx)) {
    const min = str(tls.minProtocolVersion);
    // An ISTIO_MUTUAL server's own minimum is written only before Istio 1.18: with the release unknown, Envoy's default may apply.
    if ((mode !== 'ISTIO_MUTUAL' && min !== undefined && min !== 'TLS_AUTO') || gateways.has(gateway)) continue;
    const release = istioGatewayRelease(ctx.snapshot, gateway);
    if (release && 'unversioned' in release) gateways.set(gateway, `${resource.kind === 'Gateway' ? 'Gateway API Gateway ' : ''}${resource.namespace}/${resource.name} (${release.unversioned.join(', ')})`);
  }
  return gateways.size ? [`the Istio release of ${gateways.size} Gateway(s) could not be read, their istio/proxyv2 and istiod images naming no version, and servers without minProtocolVersion accept TLS 1.0 before Istio 1.14 (Envoy 1.21 and older): ${[...gateways.values()].join(', ')}; they are judged on today's default (TLS 1.2): pin the images to a version tag or set minProtocolVersion TLSV1_2`] : [];
}

function gatewayApiVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const policies = clientTrafficPolicies(ctx.snapshot);
  const istioListeners = new Set(istioGatewayApiServers(ctx.snapshot).map((s) => `${s.resource.namespace}/${s.resource.name}/${s.gatewayApi?.listener}`));
  for (const { resource, listener, name, policy } of gatewayListenerPolicies(ctx.snapshot, policies)) {
    if (policy) {
      const { min, max, legacy } = clientTrafficPolicyLegacy(policy.tls);
      const set = `${policy.tls?.minVersion !== undefined ? `minVersion ${JSON.stringify(policy.tls.minVersion)}` : 'no minVersion (Envoy Gateway\'s default, TLS 1.2)'}${policy.tls?.maxVersion !== undefined ? `, maxVersion ${JSON.stringify(policy.tls.maxVersion)}` : ''}`;
      const evidence = { listener: name, clientTrafficPolicy: policy.policy, via: policy.via, minVersion: min, maxVersion: max };
      const at = `Listener ${name} takes its TLS settings from ClientTrafficPolicy ${policy.policy} (${policy.via}): ${set}`;
      // A version no enabled cipher can negotiate completes no handshake (clientTrafficPolicyLegacyCiphers).
      const usable = legacy.length ? clientTrafficPolicyLegacyCiphers(policy.tls) : [];
      const ciphers = clientTrafficPolicyCiphers(policy.tls) === undefined ? 'no ciphers (Envoy\'s default list: AES-GCM and ChaCha20-Poly1305 only)' : `only ciphers that need TLS 1.2 (${arr(policy.tls?.ciphers).filter((c) => typeof c === 'string').join(', ')})`;
      out.push(legacy.length && usable.length === 0
        ? { status: 'fail', resource, detailKey: `clienttrafficpolicy/${name}`, severity: 'low', message: `${at}, which allows TLS ${legacy.join(' and ')}, but no enabled cipher works below TLS 1.2: it lists ${ciphers}, so no TLS ${legacy.join(' or ')} handshake completes. Set minVersion "1.2" to say what the listener accepts.`, evidence: { ...evidence, legacy, ciphersBelowTls12: [] } }
        : legacy.length
        ? { status: 'fail', resource, detailKey: `clienttrafficpolicy/${name}`, message: `${at}, which accepts TLS ${legacy.join(' and ')}${usable.length ? ` (its ciphers ${usable.join(', ')} work below TLS 1.2)` : ''}.`, evidence: { ...evidence, legacy, ciphersBelowTls12: usable } }
        : { status: 'pass', resource, detailKey: `clienttrafficpolicy/${name}`, message: `${at}, which requires TLS ${min} or later.`, evidence });
    }
    // istiod reads no version key from tls.options: its listeners are judged as the servers it makes of them (istioVerdicts).
    if (istioListeners.has(`${resource.namespace}/${resource.name}/${name}`)) continue;
    const options = obj(obj(listener?.tls)?.options);
    if (!options) continue;
    // Implementation-specific keys: look at any option naming a protocol or version.
    const versionOptions = Object.entries(options).filter(([k]) => /version|protocol/i.test(k));
    if (versionOptions.length === 0) continue;
    const legacy = versionOptions.filter(([, v]) => typeof v === 'string' && versionTokens(v).some(isLegacyVersionToken));
    // name: a listener a ListenerSet adds is named with it (gatewayListenerPolicies).
    const detailKey = `listener/${name}`;
    const evidence = { listener: name, options: Object.fromEntries(versionOptions) };
    out.push(legacy.length
      ? { status: 'fail', resource, detailKey, message: `Listener ${name} tls.options allow TLS below 1.2 (${legacy.map(([k, v]) => `${k}=${v}`).join(', ')}).`, evidence }
      : { status: 'pass', resource, detailKey, message: `Listener ${name} tls.options keep TLS 1.2 or later.`, evidence });
  }
  return out;
}

const TRAEFIK_LEGACY = new Set(['VersionTLS10', 'VersionTLS11']);

/** "Deployment traefik/traefik (docker.io/traefik:v2.10.7)". */
const traefikInstanceLabel = (i: TraefikInstance) => `${refString(i.ref)} (${i.image})`;

/**
 * Which Traefik the defaults are judged for: the oldest release a Traefik container of the
 * snapshot runs (every one reads the same TLSOptions, and the oldest accepts the most), and the
 * containers whose image names no version, whose defaults are not known. With no Traefik
 * container in the snapshot, Traefik's current defaults (TLS 1.2) are taken.
 */
function traefikReleases(instances: TraefikInstance[]): { oldest?: TraefikInstance & { version: [number, number] }; unversioned: TraefikInstance[] } {
  const known = instances.filter((i): i is TraefikInstance & { version: [number, number] } => i.version !== undefined);
  const oldest = known.reduce<(typeof known)[number] | undefined>((a, i) => (!a || i.version[0] < a.version[0] || (i.version[0] === a.version[0] && i.version[1] < a.version[1]) ? i : a), undefined);
  return { oldest, unversioned: instances.filter((i) => i.version === undefined) };
}

/**
 * TLSOptions and Traefik workloads whose minimum TLS version is Traefik's default, on an image
 * naming no version (traefikVerdicts leaves them out). Each TLSOption is weighed for the Traefiks
 * that read it (traefikOptionScope), the built-in default for each unversioned Traefik that reads
 * no TLSOption named "default" or drops the ones it reads.
 */
function traefikUnjudged(ctx: AuditContext): string[] {
  const { options, instances } = traefikTlsOptions(ctx.snapshot);
  const all = traefikReleases(instances);
  if (all.unversioned.length === 0) return [];
  const out: string[] = [];
  const who = new Set<TraefikInstance>();
  // Traefiks dropping the "default" TLSOptions they read while another Traefik keeps one of them: no TLSOption verdict speaks for them.
  const droppedUnsaid = new Set<TraefikInstance>();
  for (const o of options) {
    const scope = traefikOptionScope(ctx.snapshot, o);
    if (scope.dropped === undefined) for (const i of scope.droppedFor) droppedUnsaid.add(i);
    const { oldest, unversioned } = traefikReleases(scope.instances);
    // A known old release fails it already; only a pass would be unproven.
    if (unversioned.length === 0 || (oldest && traefikDefaultMinTls(oldest.version).option !== '1.2')) continue;
    const spec = obj(o.spec) ?? {};
    const dropped = scope.dropped !== undefined;
    const { min, unknown } = traefikMinVersion(spec);
    if (dropped ? (!oldest || traefikDefaultMinTls(oldest.version).builtin === '1.2') : min === undefined) {
      out.push(`TLSOption ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}${dropped ? ' (dropped: routers take the built-in default)' : unknown !== undefined ? ` (minVersion ${JSON.stringify(unknown)}, a name Traefik does not know, so none)` : ' (no minVersion)'}`);
      for (const i of unversioned) who.add(i);
    }
  }
  // The built-in default applies where an unversioned Traefik surely reads no TLSOption named "default" (traefikDefaultOptionsRead: a namespace it does not watch), or drops the several it reads (said above unless another Traefik keeps one).
  const builtin = all.unversioned.filter((i) => { const r = traefikDefaultsReadBy(ctx.snapshot, i.ref); return droppedUnsaid.has(i) || (r.read.length === 0 && r.unknown.length === 0); });
  if (builtin.length && (!all.oldest || traefikDefaultMinTls(all.oldest.version).builtin === '1.2')) {
    out.push('routers without TLS options (Traefik\'s built-in default)');
    for (const i of builtin) who.add(i);
  }
  const named = all.unversioned.filter((i) => who.has(i));
  return out.length ? [`Traefik's default minimum TLS version depends on its release (TLS 1.0 for routers without TLS options before v2.9, and for a TLSOption without minVersion before v2.11, whose Go is older than 1.22), and ${named.map(traefikInstanceLabel).join(', ')} run${named.length > 1 ? '' : 's'} an image whose tag names no version, so these are not judged: ${out.join(', ')}; pin the image to a version tag, set minVersion VersionTLS12 in each TLSOption (and in a TLSOption named default), or run with --probe-tls`] : [];
}

function traefikVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const { options, instances } = traefikTlsOptions(ctx.snapshot);
  const versions = instances.length ? { traefik: instances.map((i) => `${refString(i.ref)}: ${i.image}`) } : {};
  // Traefiks dropping the "default" TLSOptions they read while another Traefik keeps one of them:
  // no TLSOption verdict speaks for them, the per-workload finding below does.
  const droppedUnsaid = new Set<string>();
  for (const o of options) {
    // Judged for the Traefiks that load it (traefikOptionScope): another Traefik's release, or the
    // "default" TLSOptions another Traefik reads, say nothing about it.
    const scope = traefikOptionScope(ctx.snapshot, o);
    if (scope.unloaded !== undefined) continue; // traefikUnloadedOptions notes it
    if (scope.dropped === undefined) for (const i of scope.droppedFor) droppedUnsaid.add(refString(i.ref));
    const { oldest, unversioned } = traefikReleases(scope.instances);
    const defaults = oldest ? traefikDefaultMinTls(oldest.version) : undefined;
    const release = oldest ? `${traefikInstanceLabel(oldest)} runs Traefik ${oldest.version.join('.')}` : undefined;
    const defaultNamespaces = scope.dropped ?? 0;
    const ns = o.metadata?.namespace ?? 'default';
    const name = o.metadata?.name ?? '';
    const resource = { kind: 'TLSOption', namespace: ns, name };
    const spec = obj(o.spec) ?? {};
    // A minVersion Traefik does not know is left unset (traefikMinVersion): Go's default minimum.
    const { min, unknown } = traefikMinVersion(spec);
    const max = str(spec.maxVersion);
    const isDefault = name === 'default';
    const dropped = scope.dropped !== undefined;
    const unsetMin = !defaults ? (unversioned.length ? undefined : 'VersionTLS12 (Traefik default)') : defaults.option === '1.0' ? `unset: VersionTLS10 (Go's default before Go 1.22, Traefik ${oldest!.version.join('.')})` : `unset: VersionTLS12 (Go's default, Traefik ${oldest!.version.join('.')})`;
    const evidence: Record<string, unknown> = { minVersion: min ?? unsetMin ?? 'unset: Traefik release unknown', ...(unknown !== undefined ? { minVersionIgnored: unknown } : {}), maxVersion: max ?? null, appliesToRoutersWithoutOptions: isDefault && !dropped, ...versions };
    if (dropped) evidence.note = `${defaultNamespaces} namespaces hold a TLSOption named "default"${scope.instances.length ? ` that ${scope.instances.map((i) => refString(i.ref)).join(', ')} read${scope.instances.length > 1 ? '' : 's'}` : ''}; Traefik drops them all`;
    const bad = [min, max].filter((v): v is string => !!v && TRAEFIK_LEGACY.has(v));
    // Several TLSOptions named "default" across namespaces: Traefik drops them all
    // (pkg/provider/kubernetes/crd/kubernetes.go) and routers take its built-in default
    // (pkg/tls/tlsmanager.go DefaultTLSOptions): VersionTLS12 from v2.9 on, none before
    // (traefikDefaultMinTls), so none of them is in effect.
    if (dropped) {
      if (defaults?.builtin === '1.0') out.push({ status: 'fail', resource, message: `TLSOption ${ns}/${name} is dropped by Traefik (${defaultNamespaces} namespaces hold a TLSOption named "default"), so routers without TLS options take the built-in default, and ${release}, whose built-in default sets no minimum before v2.9: Go's default, TLS 1.0, applies, so they accept TLS 1.0 and 1.1.`, evidence: { ...evidence, builtinMinVersion: 'VersionTLS10 (Go default; Traefik before v2.9)' } });
      else if (defaults || unversioned.length === 0) out.push({ status: 'pass', resource, message: `TLSOption ${ns}/${name} is dropped by Traefik (${defaultNamespaces} namespaces hold a TLSOption named "default"): routers use the built-in default (VersionTLS12)${bad.length ? `, not its ${bad.join('/')}` : ''}.`, evidence });
      continue;
    }
    // Its minimum above its maximum: Go offers no version, so no legacy one either (traefikOptionAcceptsNoVersion).
    const none = traefikOptionAcceptsNoVersion(spec, defaults ? defaults.option : unversioned.length ? undefined : '1.2');
    if (none) {
      out.push({ status: 'pass', resource, message: `TLSOption ${ns}/${name} accepts no TLS version: ${none}, so Go's crypto/tls offers none and every TLS handshake with it fails${isDefault ? ', on every router without explicit TLS options' : ''} (no legacy version is accepted; set minVersion VersionTLS12 and maxVersion VersionTLS13 or none for its routers to serve TLS).`, evidence: { ...evidence, acceptedVersions: [] } });
      continue;
    }
    if (bad.length) {
      const users = tlsOptionUsers(ctx, o);
      out.push({ status: 'fail', resource, message: `TLSOption ${ns}/${name} allows ${bad.join('/')}${isDefault ? ', and as the default option it applies to every router without explicit TLS options' : ''}.${users.text}`, evidence: { ...evidence, ...users.evidence } });
      continue;
    }
    // No minVersion: Traefik leaves Go's server default, TLS 1.0 before Go 1.22 (traefikDefaultMinTls).
    if (min === undefined && defaults?.option === '1.0') {
      const users = tlsOptionUsers(ctx, o);
      out.push({ status: 'fail', resource, message: `TLSOption ${ns}/${name} sets ${unknown !== undefined ? `minVersion ${JSON.stringify(unknown)}, which is none of the names Traefik knows (VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13), so Traefik leaves the minimum unset` : 'no minVersion'}, and ${release}, built with a Go older than 1.22 (Traefik before v2.11), whose default minimum is TLS 1.0: it accepts TLS 1.0 and 1.1${isDefault ? ' on every router without explicit TLS options' : ''}. Set minVersion VersionTLS12.${users.text}`, evidence: { ...evidence, ...users.evidence } });
      continue;
    }
    if (min === undefined && !defaults && unversioned.length) continue; // traefikUnjudged notes it
    out.push({ status: 'pass', resource, message: `TLSOption ${ns}/${name} requires TLS 1.2 or later${min === undefined && release ? ` (${unknown !== undefined ? `minVersion ${JSON.stringify(unknown)} is a name Traefik does not know, so it is unset` : 'no minVersion'}: ${release}, whose Go defaults to TLS 1.2)` : ''}.`, evidence });
  }
  // Per Traefik workload before v2.9, whose built-in default sets no minimum (traefikDefaultMinTls):
  // its routers without TLS options take a TLSOption named "default" only when its CRD provider
  // reads one (traefikDefaultOptionsRead: its watched namespaces, its API groups; several are
  // dropped, judged on them above); reading none, the built-in default, TLS 1.0.
  // Only TLS routers take it: with none, nothing uses it.
  // Only its own TLS routers count (traefikTlsRouterOf: the routes its providers load): another
  // Traefik's TLS router takes that Traefik's default.
  const judged = new Set<string>();
  for (const i of instances) {
    if (!i.version || traefikDefaultMinTls(i.version).builtin !== '1.0' || judged.has(refString(i.ref))) continue;
    judged.add(refString(i.ref));
    const read = traefikDefaultsReadBy(ctx.snapshot, i.ref);
    const drops = droppedUnsaid.has(refString(i.ref));
    if (!drops && (read.read.length > 0 || read.unknown.length > 0)) continue; // unknown: traefikDefaultUnknown notes it
    const tlsRouter = traefikTlsRouterOf(ctx.snapshot, i.ref);
    if (!tlsRouter) continue;
    const why = drops ? `, and ${read.read.length + read.unknown.length} namespaces it reads hold a TLSOption named "default"${read.read.length ? ` (${read.read.join(', ')}${read.unknown.length ? ' and others it may read' : ''})` : ''}, so it drops them all` : read.unread.length ? `, and it reads no TLSOption named "default" (${read.unread.join('; ')})` : ', and no TLSOption named "default" exists';
    out.push({ status: 'fail', resource: i.ref, detailKey: 'traefik-default-tls-options', message: `${traefikInstanceLabel(i)} runs Traefik ${i.version.join('.')}${why}: routers without TLS options take Traefik's built-in default, which sets no minimum TLS version before v2.9, so Go's default, TLS 1.0, applies and they accept TLS 1.0 and 1.1. ${drops ? 'Keep one TLSOption named default, with minVersion VersionTLS12, in the namespaces it watches' : read.unread.length ? 'Create a TLSOption named default with minVersion VersionTLS12 in a namespace it watches' : 'Create a TLSOption named default with minVersion VersionTLS12'}, or upgrade Traefik.`, evidence: { builtinMinVersion: 'VersionTLS10 (Go default; Traefik before v2.9)', tlsRouter, ...(read.unread.length ? { defaultTlsOptionsNotRead: read.unread } : {}), ...versions } });
  }
  return out;
}

/**
 * Traefik workloads before v2.9 for which whether they read a TLSOption named "default" is not
 * known (traefikDefaultOptionsRead: a configuration file, namespaces the snapshot does not show):
 * reading none, their routers without TLS options would accept TLS 1.0, so they are not judged.
 */
function traefikDefaultUnknown(ctx: AuditContext): string[] {
  const { defaultNamespaces, instances } = traefikTlsOptions(ctx.snapshot);
  if (defaultNamespaces === 0) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const i of instances) {
    if (!i.version || traefikDefaultMinTls(i.version).builtin !== '1.0' || seen.has(refString(i.ref))) continue;
    seen.add(refString(i.ref));
    const read = traefikDefaultOptionsRead(ctx.snapshot, i.ref);
    if (read.read.length === 0 && read.unknown.length > 0) out.push(`whether ${traefikInstanceLabel(i)}, Traefik ${i.version.join('.')}, reads a TLSOption named "default" is not known (${read.unknown.join('; ')}); if it reads none, its routers without TLS options take the built-in default, which sets no minimum before v2.9 (TLS 1.0), so they are not judged`);
  }
  return out;
}

/**
 * HTTPProxies whose virtualhost passes TLS through (apis/projectcontour/v1/httpproxy.go
 * TLS.Passthrough: "Passthrough defines whether the encrypted TLS handshake will be passed
 * through to the backing cluster"): Envoy never terminates it, the backend picks the version.
 */
function contourPassthrough(ctx: AuditContext): string[] {
  return (ctx.snapshot.resources['contour.httpproxies'] ?? [])
    .filter((p) => obj(obj(obj(p.spec)?.virtualhost)?.tls)?.passthrough === true)
    .map((p) => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`);
}

/**
 * The lowest TLS version each HTTPProxy negotiates under the `contour serve` Deployments that take
 * it (contourTlsVirtualHosts, with each one's release and global minimum), with the Deployment.
 * Deployments are few: one pass over the HTTPProxies each.
 */
function contourServedMinimums(ctx: AuditContext): Map<KubeObject, { minimum: ContourTlsVersion; config: Extract<ContourCiphers, { ciphers: string[] }> }> {
  const out = new Map<KubeObject, { minimum: ContourTlsVersion; config: Extract<ContourCiphers, { ciphers: string[] }> }>();
  for (const c of contourCipherConfigs(ctx.snapshot)) {
    if (!('ciphers' in c)) continue;
    for (const h of contourTlsVirtualHosts(ctx.snapshot, c.minimum, c.ingressClasses, c.release.version)) {
      const seen = out.get(h.object);
      if (!seen || contourHigher(seen.minimum, h.minimum) === seen.minimum && seen.minimum !== h.minimum) out.set(h.object, { minimum: h.minimum, config: c });
    }
  }
  return out;
}

/** "Contour 1.4 (Deployment projectcontour/contour, image …:v1.4.0)". */
const contourLabel = (c: Extract<ContourCiphers, { ciphers: string[] }>) => `Contour ${c.release.version?.join('.') ?? '(release unknown)'} (${refString(c.ref)}, image ${c.release.image})`;

function contourVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const served = contourServedMinimums(ctx);
  for (const p of ctx.snapshot.resources['contour.httpproxies'] ?? []) {
    const tls = obj(obj(obj(p.spec)?.virtualhost)?.tls);
    if (!tls) continue;
    if (tls.passthrough === true) continue; // contourPassthrough: the note names it
    const resource = { kind: 'HTTPProxy', namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '' };
    const raw = tls.minimumProtocolVersion;
    const min = typeof raw === 'number' ? raw.toFixed(1) : str(raw);
    const by = served.get(p);
    // Before v1.11 Contour accepted TLS 1.1 (contourTlsVersion: any value but "1.2"/"1.3" before
    // v1.10, "1.1" or a global default of 1.1 at v1.10). From v1.11 on, and with no `contour serve`
    // Deployment in the snapshot, Contour takes "1.2" and "1.3" only, any other value its default,
    // 1.2 (internal/annotation TLSVersion; apis/projectcontour/v1/httpproxy.go
    // TLS.MinimumProtocolVersion: "Any other value defaults to TLS 1.2").
    const effective = by?.minimum ?? contourTlsVersion(raw);
    const evidence = { minimumProtocolVersion: min ?? `unset (Contour default)`, effective, ...(by ? { contour: refString(by.config.ref), image: by.config.release.image, globalMinimum: by.config.minimumSource } : {}) };
    if (effective === '1.1' && by) {
      const usable = clientTrafficPolicyLegacyCiphers({ ciphers: contourCipherNames(by.config.ciphers) });
      const why = `on ${contourLabel(by.config)}: ${min === undefined ? 'it sets no minimumProtocolVersion' : `minimumProtocolVersion "${min}"`}, and ${by.config.minimumSource}; Contour reads any minimum but "1.2" or "1.3" as TLS 1.1 before v1.10 and keeps "1.1" and a global default of 1.1 at v1.10`;
      out.push(usable.length
        ? { status: 'fail', resource, message: `HTTPProxy ${resource.namespace}/${resource.name} accepts TLS 1.1 ${why}. ${by.config.source} enables ${usable.join(', ')}, which work below TLS 1.2. Set minimumProtocolVersion "1.2" (and tls.minimum-protocol-version "1.2"), or upgrade Contour to v1.11 or later.`, evidence: { ...evidence, ciphersBelowTls12: usable } }
        : { status: 'fail', resource, severity: 'low', message: `HTTPProxy ${resource.namespace}/${resource.name} allows TLS 1.1 ${why}; but no enabled cipher works below TLS 1.2 (${by.config.source}), so no TLS 1.1 handshake completes. Set minimumProtocolVersion "1.2" to say what it accepts.`, evidence: { ...evidence, ciphersBelowTls12: [] } });
      continue;
    }
    const ignored = min !== undefined && min !== effective ? ` (minimumProtocolVersion "${min}" is not 1.2 or 1.3, which Contour replaces with its default, 1.2)` : '';
    out.push({ status: 'pass', resource, message: `HTTPProxy ${resource.namespace}/${resource.name} requires TLS ${effective} or later${ignored}${by ? ` on ${contourLabel(by.config)}` : ''}.`, evidence });
  }
  out.push(...contourIngressVerdicts(served));
  return out;
}

/**
 * Ingresses with spec.tls that a `contour serve` in the snapshot takes (contourServedMinimums):
 * their minimum is the annotation projectcontour.io/tls-minimum-protocol-version
 * (https://projectcontour.io/docs/main/config/annotations/; before v1.11, when it is absent,
 * contour.heptio.com/tls-minimum-protocol-version, contourIngressMinimum), read as the release reads it
 * (contourTlsVersion: from v1.11 "1.2" or "1.3" only, any other value 1.2, internal/annotation
 * TLSVersion and internal/dag/ingress_processor.go; before, "1.1" or any other value TLS 1.1), raised
 * to Contour's tls.minimum-protocol-version. Without a `contour serve`, which controller serves an
 * Ingress is not known here: none is judged.
 */
function contourIngressVerdicts(served: ReturnType<typeof contourServedMinimums>): Verdict[] {
  const out: Verdict[] = [];
  for (const [ing, by] of served) {
    if (ing.kind !== 'Ingress') continue;
    const resource = { kind: 'Ingress', namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' };
    const found = contourIngressMinimum(ing, by.config.release.version);
    const raw = found?.value;
    const key = found?.key ?? CONTOUR_INGRESS_MIN;
    const heptio = found?.key === CONTOUR_INGRESS_MIN_HEPTIO ? ` (read by Contour before v1.11 when ${CONTOUR_INGRESS_MIN} is absent)` : '';
    const said = raw === undefined ? `it sets no ${CONTOUR_INGRESS_MIN}` : `${key}: ${JSON.stringify(raw)}${heptio}`;
    const evidence = { annotation: raw ?? 'unset (Contour default)', ...(found ? { annotationKey: found.key } : {}), effective: by.minimum, contour: refString(by.config.ref), image: by.config.release.image, globalMinimum: by.config.minimumSource };
    const what = `Ingress ${resource.namespace}/${resource.name}`;
    if (by.minimum === '1.1') {
      const usable = clientTrafficPolicyLegacyCiphers({ ciphers: contourCipherNames(by.config.ciphers) });
      const why = `on ${contourLabel(by.config)}: ${said}, and ${by.config.minimumSource}; Contour reads any minimum but "1.2" or "1.3" as TLS 1.1 before v1.10 and keeps "1.1" and a global default of 1.1 at v1.10`;
      out.push(usable.length
        ? { status: 'fail', resource, detailKey: 'contour-tls-minimum', message: `${what} accepts TLS 1.1 ${why}. ${by.config.source} enables ${usable.join(', ')}, which work below TLS 1.2. Set ${CONTOUR_INGRESS_MIN}: "1.2" (and tls.minimum-protocol-version "1.2"), or upgrade Contour to v1.11 or later.`, evidence: { ...evidence, ciphersBelowTls12: usable } }
        : { status: 'fail', resource, detailKey: 'contour-tls-minimum', severity: 'low', message: `${what} allows TLS 1.1 ${why}; but no enabled cipher works below TLS 1.2 (${by.config.source}), so no TLS 1.1 handshake completes. Set ${CONTOUR_INGRESS_MIN}: "1.2" to say what it accepts.`, evidence: { ...evidence, ciphersBelowTls12: [] } });
      continue;
    }
    const ignored = raw !== undefined && raw !== '1.2' && raw !== '1.3' ? ` (${key} ${JSON.stringify(raw)} is not "1.2" or "1.3", which Contour replaces with its default, 1.2)` : '';
    out.push({ status: 'pass', resource, detailKey: 'contour-tls-minimum', message: `${what} requires TLS ${by.minimum} or later${ignored} on ${contourLabel(by.config)}.`, evidence });
  }
  return out;
}

/**
 * `contour serve` Deployments whose image names no version while they serve TLS HTTPProxies:
 * before v1.11 Contour accepted TLS 1.1 (contourTlsVersion), so their pass rests on a release not known.
 */
function contourUnversioned(ctx: AuditContext): string[] {
  const served = contourServedMinimums(ctx);
  const unversioned = new Set<string>();
  for (const { config } of served.values()) if (!config.release.version) unversioned.add(`${refString(config.ref)} (${config.release.image})`);
  return unversioned.size ? [`the Contour release of ${[...unversioned].join(', ')} could not be read, its image naming no version, and Contour before v1.11 accepts TLS 1.1 on an HTTPProxy without minimumProtocolVersion "1.2" (or "1.3"): its HTTPProxies are judged on today's defaults (TLS 1.2); pin the image to a version tag or set minimumProtocolVersion "1.2"`] : [];
}

/**
 * Where a policy no annotation names comes from: the AWS Load Balancer Controller's
 * --default-ssl-policy when its Deployment sets it (aws-load-balancer-controller
 * docs/deploy/configurations.md), its default when the Deployment runs without it, or
 * `unread` when the snapshot holds no controller Deployment.
 */
function defaultSourceOf(d: LbcDefaultPolicy | undefined, unread: string): string {
  if (!d || 'conflicting' in d) return unread;
  return d.flag ? `the --default-ssl-policy of the AWS Load Balancer Controller, Deployment ${d.deployment}` : `the AWS Load Balancer Controller's default, its Deployment ${d.deployment} running without --default-ssl-policy`;
}

function defaultEvidenceOf(policy: string, d: LbcDefaultPolicy | undefined, dflt = 'AWS default'): string {
  return d && !('conflicting' in d) && d.flag ? `${policy} (--default-ssl-policy of Deployment ${d.deployment})` : `${policy} (${dflt})`;
}

/**
 * EKS Auto Mode's NLBs whose policy is not known here: AWS documents neither the policy Auto Mode
 * gives a listener no annotation names nor aws-load-balancer-ssl-negotiation-policy among the
 * annotations Auto Mode supports (cloud-lb.ts), so a named TLS 1.2+ policy is not proof enough
 * to pass; one that accepts TLS 1.0/1.1 still fails, as the Service asks for it.
 */
const autoModeUnjudged = (lb: AwsTlsService): boolean => lb.by === 'eks-auto' && (lb.policy === undefined || lb.minTls === '1.2' || lb.minTls === '1.3');

/**
 * AWS load balancers a LoadBalancer Service provisions with aws-load-balancer-ssl-cert terminate
 * TLS by their security policy (src/analysis/tls/cloud-lb.ts): one result per such Service. A
 * policy outside AWS's tables is left to the coverage note, neither passed nor failed.
 */
function awsLoadBalancerVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  for (const lb of awsTlsServices(ctx.snapshot)) {
    if (!lb.minTls || lb.policy === undefined || autoModeUnjudged(lb)) continue;
    const { resource, policy, minTls } = lb;
    const source = lb.notOnClassic
      ? `${policy}: it names ${JSON.stringify(lb.notOnClassic)}, which Classic Load Balancers do not have (no aws-load-balancer-type nlb/external/nlb-ip and no loadBalancerClass service.k8s.aws/nlb makes this a Classic ELB), so the in-tree AWS provider fails to set it and the listeners keep AWS's default`
      : lb.policyFromAnnotation ? policy : `${policy} (no ${AWS_SSL_NEGOTIATION_POLICY} annotation: ${defaultSourceOf(lb.lbcDefault, "AWS's default for listeners created through its API, and the AWS Load Balancer Controller's unless it runs with --default-ssl-policy")})`;
    const evidence = { loadBalancer: lb.loadBalancer, ...(lb.by === 'eks-auto' ? { loadBalancerClass: EKS_AUTO_MODE_LOAD_BALANCER_CLASS } : {}), listeners: lb.listeners, sslNegotiationPolicy: lb.policyFromAnnotation ? policy : defaultEvidenceOf(policy, lb.lbcDefault), ...(lb.notOnClassic ? { namedPolicy: lb.notOnClassic } : {}), minimumTlsVersion: minTls, ...(lb.webhook ? { loadBalancerClassFrom: lb.webhook } : {}) };
    const legacy = minTls === '1.0' ? 'TLS 1.0 and 1.1' : minTls === '1.1' ? 'TLS 1.1' : undefined;
    const where = lb.loadBalancer === 'Classic' ? 'an AWS Classic Load Balancer' : lb.by === 'eks-auto' ? 'an EKS Auto Mode AWS Network Load Balancer' : `an AWS Network Load Balancer${lb.webhook ? ` of the AWS Load Balancer Controller, whose ${lb.webhook}` : ''}`;
    out.push(legacy
      ? { status: 'fail', resource, detailKey: 'aws-ssl-negotiation-policy', message: `Service ${resource.namespace}/${resource.name} terminates TLS at ${where} (${lb.listeners}) with security policy ${source}, which accepts ${legacy}.`, evidence }
      : { status: 'pass', resource, detailKey: 'aws-ssl-negotiation-policy', message: `Service ${resource.namespace}/${resource.name} terminates TLS at ${where} (${lb.listeners}) with security policy ${source}, which requires TLS ${minTls} or later.`, evidence });
  }
  return out;
}

/**
 * ALB Ingresses with an HTTPS listener (src/analysis/tls/aws-alb.ts): one result per Ingress, by
 * the sslPolicy of its IngressClassParams (EKS Auto Mode's or the LBC's), its ssl-policy, or the
 * LBC's default. An Ingress whose IngressClassParams is missing is kept when its listeners may
 * depend on them (no listen-ports annotation): its settings are unknown, named in the note. Those
 * albUnjudged leaves without a verdict (IngressClassParams not read, a namespaceSelector refusing
 * or not judged) are albUnjudgedIngresses, named in the notes too.
 */
function albUnjudgedIngresses(ctx: AuditContext) {
  return (ctx.snapshot.resources.ingresses ?? []).flatMap((ing) => {
    const alb = albIngressOf(ctx.snapshot, ing);
    // Only those that may terminate TLS: an HTTPS listener, or listeners the unread IngressClassParams' certificates decide.
    const tls = alb && (alb.listeners.some((l) => l.protocol === 'HTTPS') || (albUnjudged(alb) === 'params-unread' && !alb.listenPortsFromAnnotation));
    return alb && tls && albUnjudged(alb) ? [{ resource: { namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' }, alb }] : [];
  });
}


/** Where an ALB's policy comes from, after the policy's name: nothing when the Ingress's annotation names it. */
function albPolicySource(alb: AlbIngress): string {
  if (alb.policyFromParams) return ` (sslPolicy of IngressClassParams ${JSON.stringify(alb.ingressClassParams!.name)}, which overrides ${ALB_SSL_POLICY})`;
  if (alb.policyFromAnnotation) return '';
  // ssl-policy is exclusive within an IngressGroup: the shared listener takes the one a member names.
  if (alb.policyFromGroup) return ` (no ${ALB_SSL_POLICY} of its own: the listener it shares in IngressGroup ${JSON.stringify(alb.group?.name ?? alb.groupName)} takes the one Ingress ${alb.policyFromGroup.by} names)`;
  return ` (no ${ALB_SSL_POLICY} annotation: ${defaultSourceOf(alb.lbcDefault, "the AWS Load Balancer Controller's default unless it runs with --default-ssl-policy")})`;
}

function albVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  for (const { resource, alb } of albIngresses(ctx)) {
    const { minTls, policy } = alb;
    if (!minTls || policy === undefined || paramsMissing(alb)) continue;
    const https = alb.listeners.filter((l) => l.protocol === 'HTTPS').map((l) => l.port).join(', ');
    const sslPolicy = alb.policyFromAnnotation ? policy : alb.policyFromGroup ? `${policy} (IngressGroup ${alb.group?.name ?? alb.groupName}, Ingress ${alb.policyFromGroup.by})` : alb.policyFromParams ? `${policy} (IngressClassParams ${alb.ingressClassParams!.name} sslPolicy)` : defaultEvidenceOf(policy, alb.lbcDefault, 'default');
    const evidence = { loadBalancer: 'ALB', ...(alb.by === 'eks-auto' ? { ingressClassController: EKS_AUTO_MODE_ALB_CONTROLLER } : {}), httpsListeners: https, sslPolicy, minimumTlsVersion: minTls };
    const legacy = minTls === '1.0' ? 'TLS 1.0 and 1.1' : minTls === '1.1' ? 'TLS 1.1' : undefined;
    const where = alb.by === 'eks-auto' ? 'an EKS Auto Mode AWS Application Load Balancer' : 'an AWS Application Load Balancer';
    const at = `Ingress ${resource.namespace}/${resource.name} terminates TLS at ${where} (HTTPS port ${https}) with security policy ${policy}${albPolicySource(alb)}`;
    out.push(legacy
      ? { status: 'fail', resource, detailKey: 'alb-ssl-policy', message: `${at}, which accepts ${legacy}.`, evidence }
      : { status: 'pass', resource, detailKey: 'alb-ssl-policy', message: `${at}, which requires TLS ${minTls} or later.`, evidence });
  }
  return out;
}

/**
 * A GKE load balancer takes the SSL policy the FrontendConfig (Ingress) or GCPGatewayPolicy
 * (Gateway) names, else Google's default (GKE_DEFAULT_SSL_POLICY), as an AWS one takes
 * ELBSecurityPolicy-2016-08. A named policy is a Compute Engine object Kubernetes does not hold:
 * a medium finding says it cannot be judged, so the grade is not clean on faith.
 */
function gkeVerdict(resource: ResourceRef, at: string, policy: GkeSslPolicy, evidence: Record<string, unknown>): Verdict {
  if (policy.default) {
    return { status: 'fail', resource, detailKey: 'gke-ssl-policy', message: `${at} with no SSL policy (${policy.why}), so it takes ${GKE_DEFAULT_SSL_POLICY}, which accepts TLS 1.0 and 1.1.`, evidence: { ...evidence, sslPolicy: GKE_DEFAULT_SSL_POLICY, minimumTlsVersion: '1.0' } };
  }
  const names = policy.policies.map((p) => JSON.stringify(p)).join(', ');
  return { status: 'fail', resource, detailKey: 'gke-ssl-policy', severity: 'medium', message: `${at} with SSL policy ${names} (${policy.from}), which cannot be judged: SSL policy ${names} lives in Google Cloud, not in Kubernetes, so its minimum TLS version is unknown here; check it (gcloud compute ssl-policies describe) or run with --probe-tls.`, evidence: { ...evidence, sslPolicy: policy.policies, sslPolicyFrom: policy.from } };
}

function gkeVerdicts(ctx: AuditContext): Verdict[] {
  const frontendConfigs = gkeFrontendConfigs(ctx.snapshot);
  // What an unread FrontendConfig or GCPGatewayPolicy list hides is left out, named in the note (gkeUnjudged).
  const unjudged = gkeUnjudged(ctx);
  const ingresses = gkeHttpsIngresses(ctx).filter(({ resource }) => !unjudged.ingresses.has(`${resource.namespace}/${resource.name}`)).map(({ resource, gke }) => gkeVerdict(resource, `Ingress ${resource.namespace}/${resource.name} (${gke.by}) terminates TLS at a Google Cloud load balancer (${gke.certificates.join(', ')})`, gkeIngressSslPolicy(frontendConfigs, resource.namespace, gke), { loadBalancer: 'Google Cloud', gkeIngress: gke.by, certificates: gke.certificates, ...(gke.frontendConfig !== undefined ? { frontendConfig: gke.frontendConfig } : {}) }));
  const gateways = unjudged.gateways ? [] : gkeTlsGateways(ctx.snapshot);
  const policies = gkeGatewaySslPolicies(ctx.snapshot, gateways);
  return [...ingresses, ...gateways.map((g) => gkeVerdict({ kind: 'Gateway', namespace: g.namespace, name: g.name }, `Gateway ${g.namespace}/${g.name} (GatewayClass ${JSON.stringify(g.gatewayClass)}, controller ${GKE_GATEWAY_CONTROLLER}) terminates TLS at a Google Cloud load balancer (listeners ${g.listeners.map((l) => JSON.stringify(l)).join(', ')})`, policies.get(`${g.namespace}/${g.name}`)!, { loadBalancer: 'Google Cloud', gatewayClass: g.gatewayClass, listeners: g.listeners }))];
}

function excludedSubjects(ctx: AuditContext): string[] {
  const out: string[] = [];
  const { passthrough } = istioServers(ctx);
  if (passthrough.length > 0) out.push(`${passthrough.length} Istio Gateway server(s) pass TLS through to the backend (PASSTHROUGH or AUTO_PASSTHROUGH; an omitted tls.mode is PASSTHROUGH), so the backend decides the TLS version, not the gateway: ${passthrough.join(', ')}; run with --probe-tls to judge them (tls.probe-legacy-accepted): the probe sends each of their hosts as SNI to the address of the LoadBalancer Service selecting the gateway's pods, as the gateway routes passthrough connections by SNI alone; a wildcard host, or a gateway without such a Service, needs its hosts listed in tls.probe.endpoints with their sni`);
  out.push(...gkeUnjudged(ctx).notes, ...istioUnversioned(ctx), ...istioMutualUnjudged(ctx), ...contourUnversioned(ctx), ...contourUnservedNotes(ctx.snapshot));
  out.push(...traefikUnjudged(ctx), ...traefikDefaultUnknown(ctx), ...traefikUnloadedOptions(ctx));
  const gwPassthrough = gatewayPassthroughListeners(ctx.snapshot);
  if (gwPassthrough.length > 0) {
    const unprobed = gwPassthrough.filter((l) => l.hostname === undefined || l.hostname.includes('*') || l.addresses.length === 0);
    out.push(`${gwPassthrough.length} Gateway API listener(s) pass TLS through to the backend (protocol TLS, tls.mode Passthrough), so the Gateway never terminates it and the backend decides the TLS version: ${gwPassthrough.map((l) => `${l.listenerSet ? `${l.listenerSet.kind} ${l.listenerSet.namespace}/${l.listenerSet.name} (of Gateway ${l.namespace}/${l.gateway})` : `Gateway ${l.namespace}/${l.gateway}`} listener ${JSON.stringify(l.listener)} (port ${l.port}, ${l.hostname === undefined ? 'no hostname' : `hostname ${JSON.stringify(l.hostname)}`})`).join(', ')}; run with --probe-tls to judge them (tls.probe-legacy-accepted): the probe sends each listener's hostname as SNI to the addresses in the Gateway's status${unprobed.length ? `; ${unprobed.map((l) => `${l.namespace}/${l.gateway} listener ${JSON.stringify(l.listener)}`).join(', ')} need${unprobed.length > 1 ? '' : 's'} its endpoint listed in tls.probe.endpoints with its sni (no hostname, a wildcard one, or no status address)` : ''}`);
  }
  const tcp = traefikTcpPassthroughRoutes(ctx.snapshot);
  if (tcp.length > 0) out.push(`${tcp.length} Traefik IngressRouteTCP(s) pass TLS through to the backend (tls.passthrough: true), so Traefik never terminates it, no TLSOption applies and the backend decides the TLS version: ${tcp.map((r) => `${r.namespace}/${r.name}${r.hosts.length ? ` (HostSNI ${r.hosts.map((h) => JSON.stringify(h)).join(', ')})` : ''}`).join(', ')}; list each host with its sni in tls.probe.endpoints and run with --probe-tls to judge them (tls.probe-legacy-accepted)`);
  const contour = contourPassthrough(ctx);
  if (contour.length > 0) out.push(`${contour.length} Contour HTTPProxy(ies) pass TLS through to the backend (virtualhost.tls.passthrough: true), so Envoy never terminates it and the backend decides the TLS version: ${contour.join(', ')}; list each fqdn with its sni in tls.probe.endpoints and run with --probe-tls to judge them (tls.probe-legacy-accepted)`);
  const conflicting = (d: LbcDefaultPolicy | undefined): d is { conflicting: string[] } => !!d && 'conflicting' in d;
  const named = (policy: string, annotation: string, d: LbcDefaultPolicy | undefined) => `${d && !conflicting(d) && d.flag ? `--default-ssl-policy of Deployment ${d.deployment}` : annotation}: ${JSON.stringify(policy)}`;
  const services = awsTlsServices(ctx.snapshot);
  const unknown = services.filter((lb) => lb.policy !== undefined && !lb.minTls && !conflicting(lb.lbcDefault));
  if (unknown.length > 0) out.push(`${unknown.length} Service(s) take an AWS security policy that is not in AWS's published policy tables, so the TLS versions their load balancer accepts are unknown: ${unknown.map((lb) => `${lb.resource.namespace}/${lb.resource.name} (${named(lb.policy!, AWS_SSL_NEGOTIATION_POLICY, lb.lbcDefault)})`).join(', ')}; check the name (aws elbv2 describe-ssl-policies) or run with --probe-tls`);
  const autoMode = services.filter(autoModeUnjudged);
  if (autoMode.length > 0) out.push(`${autoMode.length} Service(s) of loadBalancerClass ${EKS_AUTO_MODE_LOAD_BALANCER_CLASS} terminate TLS at an EKS Auto Mode Network Load Balancer whose security policy is not known here: AWS documents neither the policy EKS Auto Mode gives a listener when no annotation names one nor ${AWS_SSL_NEGOTIATION_POLICY} among the annotations EKS Auto Mode supports (docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html): ${autoMode.map((lb) => `${lb.resource.namespace}/${lb.resource.name} (${lb.policy === undefined ? `no ${AWS_SSL_NEGOTIATION_POLICY}` : `${AWS_SSL_NEGOTIATION_POLICY}: ${JSON.stringify(lb.policy)}`})`).join(', ')}; check the listener's policy (aws elbv2 describe-listeners) or run with --probe-tls`);
  const otherClass = otherClassTlsServices(ctx.snapshot);
  if (otherClass.length > 0) out.push(`${otherClass.length} Service(s) carry service.beta.kubernetes.io/aws-load-balancer-ssl-cert but their spec.loadBalancerClass is not an AWS load balancer ztaudit knows (the AWS Load Balancer Controller's service.k8s.aws/nlb or its --load-balancer-class, EKS Auto Mode's ${EKS_AUTO_MODE_LOAD_BALANCER_CLASS}), so their TLS policy is not judged: ${otherClass.map((o) => `${o.resource.namespace}/${o.resource.name} (loadBalancerClass ${JSON.stringify(o.loadBalancerClass)})`).join(', ')}; run with --probe-tls to judge what they accept`);
  const undecided = undecidedTlsServices(ctx.snapshot);
  if (undecided.length > 0) out.push(`${undecided.length} Service(s) carry service.beta.kubernetes.io/aws-load-balancer-ssl-cert without a spec.loadBalancerClass, and whether their AWS load balancer is a Classic ELB or the AWS Load Balancer Controller's NLB is unknown: ${undecided[0].why}; so their TLS policy is not judged: ${undecided.map((u) => `${u.resource.namespace}/${u.resource.name}`).join(', ')}; pin the controller's image to a version tag, set spec.loadBalancerClass, or run against the live cluster`);
  const albs = albIngresses(ctx);
  const unknownAlb = albs.filter((a) => a.alb.policy !== undefined && !a.alb.minTls && !conflicting(a.alb.lbcDefault) && !paramsMissing(a.alb));
  const albPolicyLabel = (alb: AlbIngress) => alb.policyFromParams ? `sslPolicy of IngressClassParams ${JSON.stringify(alb.ingressClassParams!.name)}: ${JSON.stringify(alb.policy)}` : named(alb.policy!, ALB_SSL_POLICY, alb.lbcDefault);
  if (unknownAlb.length > 0) out.push(`${unknownAlb.length} ALB Ingress(es) take an AWS security policy that is not in AWS's published policy tables, so the TLS versions their load balancer accepts are unknown: ${unknownAlb.map((a) => `${a.resource.namespace}/${a.resource.name} (${albPolicyLabel(a.alb)})`).join(', ')}; check the name (aws elbv2 describe-ssl-policies) or run with --probe-tls`);
  const autoAlb = albs.filter((a) => a.alb.policy === undefined && !paramsMissing(a.alb));
  if (autoAlb.length > 0) out.push(`${autoAlb.length} Ingress(es) of an IngressClass of controller ${EKS_AUTO_MODE_ALB_CONTROLLER} terminate TLS at an EKS Auto Mode Application Load Balancer that names no security policy (no sslPolicy in IngressClassParams, no ${ALB_SSL_POLICY} annotation), and AWS documents no default for EKS Auto Mode (docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html), so the TLS versions it accepts are unknown: ${autoAlb.map((a) => `${a.resource.namespace}/${a.resource.name}${a.alb.ingressClassParams ? ` (IngressClassParams ${JSON.stringify(a.alb.ingressClassParams.name)})` : ' (no IngressClassParams)'}`).join(', ')}; set sslPolicy in the IngressClassParams, check the listener's policy (aws elbv2 describe-listeners) or run with --probe-tls`);
  const noParams = albs.filter((a) => paramsMissing(a.alb));
  for (const by of ['eks-auto', 'lbc'] as const) {
    const missing = noParams.filter((a) => a.alb.by === by);
    const { who, group, certificates } = ALB_PARAMS[by];
    if (missing.length > 0) out.push(`${missing.length} ${who} Ingress(es) belong to an IngressClass whose IngressClassParams (${group}) does not exist, so the sslPolicy and ${certificates} of their load balancer are unknown: ${missing.map((a) => `${a.resource.namespace}/${a.resource.name} (IngressClassParams ${JSON.stringify(a.alb.ingressClassParams!.name)})`).join(', ')}; create it or fix the IngressClass's spec.parameters`);
  }
  out.push(...albUnjudgedNotes(ctx.snapshot, albUnjudgedIngresses(ctx)), ...albKeptNotes(albs));
  // Upstream supports one controller Deployment per cluster (configurations.md): with several
  // that disagree, which one provisions a load balancer is not known here.
  const split = [...services.filter((lb) => conflicting(lb.lbcDefault)).map((lb) => `Service ${lb.resource.namespace}/${lb.resource.name}`), ...albs.filter((a) => conflicting(a.alb.lbcDefault)).map((a) => `Ingress ${a.resource.namespace}/${a.resource.name}`)];
  const which = [...services.map((lb) => lb.lbcDefault), ...albs.map((a) => a.alb.lbcDefault)].find(conflicting);
  if (which && split.length > 0) out.push(`${split.length} AWS load balancer(s) name no security policy and take the AWS Load Balancer Controller's default, which its Deployments set differently (${which.conflicting.join('; ')}), so which policy applies is not known: ${split.join(', ')}; name the policy on each or run one controller`);
  return out;
}

/** The kinds the check reads (in `reads`); TRAEFIK_ROUTER_REFUSAL_KINDS beyond them are best-effort. */
const READS: KindKey[] = ['statefulsets', 'services', 'ingresses', 'ingressclasses', 'istio.gateways', 'gatewayapi.gateways', 'gatewayapi.gatewayclasses', 'envoygateway.clienttrafficpolicies', 'traefik.tlsoptions', 'traefik-legacy.tlsoptions', 'traefik.ingressroutetcps', 'traefik-legacy.ingressroutetcps', 'contour.httpproxies'];

export const legacyProtocolEnabled: Check = {
  id: 'tls.legacy-protocol-enabled',
  area: 'tls',
  title: 'Edge TLS configuration disallows TLS 1.0 and 1.1',
  protectsAgainst: 'edge TLS configuration that still allows TLS 1.0/1.1 (RFC 8996; NIST SP 800-52r2 requires 1.2+)',
  severity: 'high',
  controls: EDGE_ENCRYPTION,
  remediation: 'Require TLS 1.2+: remove TLSv1/TLSv1.1 from ingress-nginx ssl-protocols; set Istio minProtocolVersion TLSV1_2 on each SIMPLE, MUTUAL or OPTIONAL_MUTUAL Gateway server: before Istio 1.14 set it explicitly, as a server without it takes Envoy\'s default minimum there, TLS 1.0 (from 1.14, on Envoy 1.22, omitting it means TLS 1.2); a server without its own takes meshConfig.tlsDefaults.minProtocolVersion from Istio 1.18, which istiod before 1.27.6, 1.28.4 and 1.29.1 writes to Envoy as TLS 1.0 (TLSV1_2) or TLS 1.1 (TLSV1_3): there set it on the server too, or upgrade istiod; an ISTIO_MUTUAL server takes its own minProtocolVersion before Istio 1.18 (set it to TLSV1_2 or drop it) and Envoy\'s defaults from 1.18; a Gateway API listener of Istio\'s class (istio.io/gateway-controller) gets no minProtocolVersion from istiod: run Istio 1.14 or later and a meshConfig.tlsDefaults.minProtocolVersion only on an istiod that maps it right; Traefik minVersion VersionTLS12 in every TLSOption (without it Traefik before v2.11, built with a Go older than 1.22, accepts TLS 1.0) and, on Traefik before v2.9, whose built-in default sets no minimum, in a TLSOption named default in a namespace its CRD provider watches (providers.kubernetesCRD.namespaces; a TLSOption elsewhere does not exist for it; a minVersion that is not one of VersionTLS10-VersionTLS13, such as "TLS12", is ignored and leaves Go\'s default); Contour minimumProtocolVersion "1.2"; in the Envoy Gateway ClientTrafficPolicy that applies to a Gateway listener (one naming it in targetRefs sectionName, for a listener a ListenerSet adds the ListenerSet\'s sectionName, else the oldest targeting its whole ListenerSet, else the oldest targeting the whole Gateway) set tls.minVersion "1.2" or "1.3", or leave it unset (1.2) (a lower minVersion with no tls.ciphers, Envoy\'s default list, or only AES-GCM, ChaCha20-Poly1305 and SHA-256/384 suites is a low finding: no handshake below TLS 1.2 completes; a CBC-SHA suite listed keeps it high); on a Service with service.beta.kubernetes.io/aws-load-balancer-ssl-cert set service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy to a TLS 1.2+ policy (ELBSecurityPolicy-TLS13-1-2-2021-06 on a Network Load Balancer, ELBSecurityPolicy-TLS-1-2-2017-01 on a Classic one, which has none of the TLS13/FS policies and otherwise keeps the default; from manifests, a Service without spec.loadBalancerClass is the AWS Load Balancer Controller\'s NLB when its v2.5+ Service webhook is there, shown by its MutatingWebhookConfiguration or its image tag, and unjudged, in the coverage note, when the image names no version): without it AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0; on an AWS Load Balancer Controller (ALB) Ingress set alb.ingress.kubernetes.io/ssl-policy to a TLS 1.2+ policy (ELBSecurityPolicy-TLS13-1-2-2021-06), its default being ELBSecurityPolicy-2016-08 too; or run the AWS Load Balancer Controller with --default-ssl-policy=ELBSecurityPolicy-TLS13-1-2-2021-06, which its ALBs and NLBs take when no annotation names a policy (an sslPolicy in the IngressClassParams (elbv2.k8s.aws) an ALB Ingress\'s class names overrides the annotation: set it there to a TLS 1.2+ policy); on a GKE Ingress (class gce, gce-internal, gce-regional-external) name a FrontendConfig (networking.gke.io/v1beta1.FrontendConfig) whose sslPolicy is a Google Cloud SSL policy with minimum TLS 1.2 (gcloud compute ssl-policies create --min-tls-version 1.2 --profile MODERN), and on a GKE Gateway attach a GCPGatewayPolicy naming one: without either Google Cloud\'s default policy applies, which accepts TLS 1.0; on EKS Auto Mode (loadBalancerClass eks.amazonaws.com/nlb) name a TLS 1.2+ policy the same way and confirm it on the listener (aws elbv2 describe-listeners), AWS documenting neither Auto Mode\'s default nor that it reads the annotation; on an EKS Auto Mode ALB Ingress (IngressClass controller eks.amazonaws.com/alb) set sslPolicy in the IngressClassParams its class names to a TLS 1.2+ policy (it overrides alb.ingress.kubernetes.io/ssl-policy): with neither, AWS documents no Auto Mode default and the policy is noted as unknown (a Service of another spec.loadBalancerClass, e.g. MetalLB\'s, gets no AWS load balancer: its policy is not judged, and the coverage note names it).',
  needs: ['deployments', 'daemonsets'],
  reads: READS,
  readsWhen: [NGINX_CONTROLLER_CONFIG_READ, NGINX_WATCH_SELECTOR_READ, ISTIO_TLS_DEFAULTS_READ, TRAEFIK_TLS_ROUTERS_READ, ENVOY_GATEWAY_TARGETS_READ, EKS_ALB_PARAMS_READ, LBC_ALB_PARAMS_READ, ALB_NAMESPACES_READ, LBC_SERVICE_WEBHOOK_READ, CONTOUR_CONFIGURATION_READ],
  // The routers a TLSOption's finding names (lib/traefik-option-users.ts): unreadable, the finding says so.
  readsBestEffort: [...new Set([...TLS_OPTION_USER_KINDS.filter((k) => !k.endsWith('ingressroutetcps')), ...GKE_SSL_POLICY_KINDS, ...TRAEFIK_ROUTER_REFUSAL_KINDS])].filter((k) => !READS.includes(k)),
  evaluate(ctx) {
    return [...nginxVerdicts(ctx), ...istioVerdicts(ctx), ...gatewayApiVerdicts(ctx), ...traefikVerdicts(ctx), ...contourVerdicts(ctx), ...awsLoadBalancerVerdicts(ctx), ...albVerdicts(ctx), ...gkeVerdicts(ctx)];
  },
  excluded(ctx) {
    const notes = excludedSubjects(ctx);
    const down = nginxNotStarting(ctx.snapshot);
    if (down) notes.unshift(down);
    return notes.length > 0 ? notes.join('; ') : undefined;
  },
  unjudgedNamespaces: (ctx) => gkeUnjudged(ctx).namespaces,
};
