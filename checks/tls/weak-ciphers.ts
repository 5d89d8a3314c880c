import type { AuditContext } from '../../src/analysis/context.ts';
import type { Check } from '../../src/engine/types.ts';
import type { ResourceRef, Verdict } from '../../src/base/vocabulary.ts';
import { nginxConfigRefused, NGINX_CONFIG_REFUSED_EFFECT, nginxNoConfigMap, nginxNotStarting, clientTrafficPolicies, istioGatewayServers, istioTlsDefaults, ISTIO_CIPHER_MODES, clientTrafficPolicyCiphers, clientTrafficPolicyLegacy, configMapData, gatewayListenerPolicies, describeWeakCipher, GO_CIPHER_SUITES, GO_PRE_122_EXTRA_SUITES, goCipherSuiteWeaknesses, traefikDefaultMinTls, traefikOptionAcceptsNoVersion, nginxCanary, nginxCipherAnnotations, nginxCipherAnnotationKeys, nginxCipherOnServer, nginxPrefixUnknown, nginxConfigSources, nginxServerKeys, opensslCipherWeaknesses, traefikTlsOptions, traefikOptionScope, traefikDefaultsReadBy, type TraefikInstance, versionTokens, type CipherAnalysis, ENVOY_PRE_123_DEFAULT_CIPHERS, istioGatewayRelease, istioGatewayApiServers, istioMutualSettingsApplied } from '../../src/analysis/tls/index.ts';
import { TRAEFIK_ROUTER_REFUSAL_KINDS, traefikTlsRouterOf } from '../../src/analysis/edge/traefik-tls-routers.ts';
import type { KindKey } from '../../src/snapshot/kinds.ts';
import { AWS_POLICY_CIPHERS, AWS_SSL_POLICIES_DOC, awsTlsServices, contourCipherConfigs, contourCipherNames, contourTlsVirtualHosts, contourUnservedNotes, GKE_DEFAULT_SSL_POLICY, gkeFrontendConfigs, gkeGatewaySslPolicies, gkeIngressSslPolicy, gkeTlsGateways, type GkeSslPolicy } from '../../src/analysis/tls/index.ts';
import { arr, obj, str } from '../../src/analysis/mesh/util.ts';
import { albIngresses, paramsMissing } from './lib/alb-ingresses.ts';
import { ALB_NAMESPACES_READ, EKS_ALB_PARAMS_READ, LBC_ALB_PARAMS_READ } from './lib/alb-params-read.ts';
import { LBC_SERVICE_WEBHOOK_READ } from './lib/lbc-webhook-read.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';
import { NGINX_CONTROLLER_CONFIG_READ, NGINX_WATCH_SELECTOR_READ, nginxSettingsUnconfirmed } from './lib/nginx-config-read.ts';
import { ENVOY_GATEWAY_TARGETS_READ } from './lib/envoy-gateway-read.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { ISTIO_TLS_DEFAULTS_READ } from './lib/istio-mesh-tls-read.ts';
import { istioGatewayIstiodRelease, istioGatewayRevision } from '../../src/analysis/tls/istio.ts';
import { TRAEFIK_TLS_ROUTERS_READ } from './lib/traefik-tls-routers-read.ts';
import { TLS_OPTION_USER_KINDS, tlsOptionUsers, traefikUnloadedOptions } from './lib/traefik-option-users.ts';
import { CONTOUR_CONFIGURATION_READ } from './lib/contour-config-read.ts';
import { GKE_SSL_POLICY_KINDS, gkeHttpsIngresses, gkeUnjudged } from './lib/gke-ssl-policy-read.ts';
import { memoize } from '../../src/analysis/memo.ts';

function evidenceOf(a: CipherAnalysis, extra: Record<string, unknown>): Record<string, unknown> {
  const e: Record<string, unknown> = { ...extra, weakSuites: a.weak.map(describeWeakCipher) };
  if (a.unrecognized.length) e.unrecognized = a.unrecognized;
  return e;
}

/**
 * Cipher lists choose TLS 1.2-and-below suites only: OpenSSL's cipher list
 * (SSL_CTX_set_cipher_list(3), which nginx ssl_ciphers sets) does not touch the TLS 1.3 suites,
 * and Go ignores tls.Config.CipherSuites for TLS 1.3 (Traefik's TLSOption CRD: "cipherSuites
 * ... for TLS versions up to TLS 1.2"). A server that speaks nothing below TLS 1.3 never uses them.
 */
const TLS13_ONLY_NOTE = 'cipher lists apply to TLS 1.2 and below only; TLS 1.3 negotiates its own AEAD suites';

/** Whether an ingress-nginx ConfigMap's ssl-protocols enables TLS 1.3 alone (ssl-protocols, nginx ssl_protocols tokens). */
function nginxTls13Only(data: Record<string, string> | undefined): boolean {
  const tokens = versionTokens(data?.['ssl-protocols'] ?? '');
  return tokens.length > 0 && tokens.every((t) => t.toLowerCase() === 'tlsv1.3');
}

function tls13OnlyVerdict(resource: Verdict['resource'], what: string, why: string, evidence: Record<string, unknown>): Verdict {
  return { status: 'pass', resource, message: `${what} would enable weak suites, but ${why}: ${TLS13_ONLY_NOTE}.`, evidence: { ...evidence, tls13Only: true, note: TLS13_ONLY_NOTE } };
}

const NGINX_BUILTIN_CIPHERS = 'HIGH:!aNULL:!MD5';

function nginxConfigMapVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  for (const src of nginxConfigSources(ctx.snapshot)) {
    const controllers = src.controllers.map((c) => refString(c.ref));
    if (src.unknown !== undefined) {
      out.push(nginxSettingsUnconfirmed({ ...src, unknown: src.unknown }, 'ssl-ciphers', 'medium'));
      continue;
    }
    const where = src.configMap ? `ConfigMap ${src.configMap.namespace}/${src.configMap.name}` : `controller ${controllers[0]} (${nginxNoConfigMap(src.controllers[0])})`;
    const value = src.data?.['ssl-ciphers'];
    // Its ssl-protocols refused, none of the ConfigMap is in effect: neither these ciphers nor the defaults.
    const refused = nginxConfigRefused(src.data);
    if (refused !== undefined) {
      out.push({ status: 'fail', resource: src.resource, severity: 'medium', message: `The cipher suites every server of ${controllers.join(', ')} enables cannot be confirmed: ${where} sets ssl-protocols "${src.data?.['ssl-protocols']}", and ${refused}, ${NGINX_CONFIG_REFUSED_EFFECT}. Its ssl-ciphers (${value === undefined ? 'unset' : JSON.stringify(value)}) is not in effect until ssl-protocols is fixed.`, evidence: { controllers, sslCiphers: value ?? 'default', sslProtocols: src.data?.['ssl-protocols'], unconfirmed: refused } });
      continue;
    }
    if (value === undefined) {
      out.push({ status: 'pass', resource: src.resource, message: `${where} does not set ssl-ciphers: the ingress-nginx default (ECDHE/DHE with AES-GCM or ChaCha20-Poly1305) applies.`, evidence: { controllers, sslCiphers: 'default', weakSuites: [] } });
      continue;
    }
    // Set but empty, ssl-ciphers replaces the ingress-nginx default with nothing: the template then
    // writes no ssl_ciphers directive ({{ if not (empty $cfg.SSLCiphers) }}, ingress-nginx
    // rootfs/etc/nginx/template/nginx.tmpl) and nginx's own default applies
    // (nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_ciphers, "Default: ssl_ciphers HIGH:!aNULL:!MD5;").
    const empty = value.trim() === '';
    const a = opensslCipherWeaknesses(empty ? NGINX_BUILTIN_CIPHERS : value);
    const evidence = evidenceOf(a, { controllers, sslCiphers: empty ? `${NGINX_BUILTIN_CIPHERS} (nginx's default: ssl-ciphers is ${JSON.stringify(value)})` : value });
    const what = empty ? `${where} sets ssl-ciphers to ${JSON.stringify(value)}, so ingress-nginx writes no ssl_ciphers directive and nginx's own default "${NGINX_BUILTIN_CIPHERS}"` : `${where} ssl-ciphers`;
    if (a.weak.length && nginxTls13Only(src.data)) { out.push(tls13OnlyVerdict(src.resource, what, `its ssl-protocols "${src.data?.['ssl-protocols']}" enables TLS 1.3 only`, evidence)); continue; }
    out.push(a.weak.length
      ? { status: 'fail', resource: src.resource, message: `${what} enables weak suites for every server of ${controllers.join(', ')}: ${a.weak.slice(0, 5).map(describeWeakCipher).join('; ')}${a.weak.length > 5 ? ` and ${a.weak.length - 5} more` : ''}.`, evidence }
      : { status: 'pass', resource: src.resource, message: `${what} enables no weak suite (CBC, RSA key exchange, 3DES, RC4, NULL, EXPORT, anonymous).`, evidence });
  }
  return out;
}

function nginxIngressVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const all = nginxCipherAnnotations(ctx.snapshot);
  for (const self of all.served) {
    const { ing } = self;
    const resource = { kind: 'Ingress', namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' };
    const annotations = ing.metadata?.annotations ?? {};
    // Annotations a controller with a known prefix reads are judged under it; a controller whose
    // prefix is not known may read any "…/ssl-ciphers" annotation, judged once more only if no
    // known prefix reads it.
    const readSurely = new Set(self.groups.filter((g) => !nginxPrefixUnknown(g.prefix)).map((g) => `${g.prefix}ssl-ciphers`));
    // Each serving controller reads ssl-ciphers under its own --annotations-prefix.
    for (const { prefix, controllers } of self.groups) {
      for (const { annotation, value } of nginxCipherAnnotationKeys(annotations, prefix)) {
        if (nginxPrefixUnknown(prefix) && readSurely.has(annotation)) continue;
        const a = opensslCipherWeaknesses(value);
        const evidence = evidenceOf(a, { annotation, sslCiphers: value });
        const what = `Ingress ${resource.namespace}/${resource.name} annotation ${annotation}`;
        if (value.trim() !== '' && nginxCanary(annotations, prefix)) {
          out.push({ status: 'pass', resource, message: `${what} has no effect: the Ingress is a canary (${prefix}canary), and ingress-nginx takes no server settings from canary Ingresses.`, evidence: { ...evidence, applied: false, canary: true } });
          continue;
        }
        const keys = value.trim() === '' ? [] : nginxServerKeys(ing, prefix, controllers);
        const states = keys.map((k) => ({ host: k.host, on: nginxCipherOnServer(ctx.snapshot, all, self, k) }));
        const deciders = states.flatMap((s) => (s.on.state === 'overridden' ? [{ host: s.host, by: s.on.by }] : []));
        const overridden = deciders.map((d) => ({ host: d.host, ingress: d.by.id }));
        const orderNote = deciders.some((d) => !Number.isFinite(d.by.created)) || (deciders.length && !Number.isFinite(self.created))
          ? { orderNote: 'an Ingress here has no creationTimestamp: it is taken as created after every existing one, and ingress-nginx prefers the oldest' }
          : {};
        if (keys.length > 0 && overridden.length === keys.length) {
          const first = overridden[0];
          const hosts = [...new Set(overridden.map((o) => o.host))];
          out.push({ status: 'pass', resource, message: `${what} has no effect: ingress-nginx takes a host's ssl-ciphers from the oldest Ingress that sets it, and serves ${hosts.length > 1 ? `its hosts` : `host ${first.host}`} with those of Ingress ${first.ingress}${new Set(overridden.map((o) => o.ingress)).size > 1 ? ' and others' : ''}.`, evidence: { ...evidence, applied: false, decidedBy: overridden, ...orderNote } });
          continue;
        }
        if (overridden.length) Object.assign(evidence, { notAppliedOn: overridden, ...orderNote });
        // ssl-protocols is controller-wide (ConfigMap only): the servers of every controller here speak TLS 1.3 alone, or not.
        if (a.weak.length && controllers.length > 0 && controllers.every((c) => nginxTls13Only(c.configMap ? configMapData(ctx.snapshot, c.configMap) : undefined))) {
          out.push(tls13OnlyVerdict(resource, what, `the ssl-protocols of every controller serving it enable TLS 1.3 only`, evidence));
          continue;
        }
        // Applied on no server for certain, and on some it may be: a finding only if it is, so it cannot be confirmed.
        const maybe = states.find((s) => s.on.state === 'maybe')?.on;
        const unconfirmed = !states.some((s) => s.on.state === 'applied') && maybe?.state === 'maybe' ? maybe.why : undefined;
        const weakList = `${a.weak.slice(0, 5).map(describeWeakCipher).join('; ')}${a.weak.length > 5 ? ` and ${a.weak.length - 5} more` : ''}`;
        out.push(!a.weak.length
          ? { status: 'pass', resource, message: `${what} enables no weak suite (CBC, RSA key exchange, 3DES, RC4, NULL, EXPORT, anonymous).`, evidence }
          : unconfirmed !== undefined
          ? { status: 'fail', resource, severity: 'medium', message: `${what} would enable weak suites for its hosts: ${weakList}. Whether ingress-nginx applies it cannot be confirmed: ${unconfirmed}.`, evidence: { ...evidence, unconfirmed } }
          : { status: 'fail', resource, message: `${what} enables weak suites for its hosts: ${weakList}.`, evidence });
      }
    }
  }
  return out;
}

const TRAEFIK_DEFAULT_SUITES = "Traefik's default list (every suite Go's crypto/tls CipherSuites() lists)";

/** A Traefik's default cipher list: Go's, with the RSA key exchange suites before Go 1.22 (Traefik before v2.11), the first such Traefik named. */
function traefikDefaultList(instances: TraefikInstance[]): { old?: TraefikInstance; list: string[]; source: string } {
  const old = instances.find((i) => i.version !== undefined && traefikDefaultMinTls(i.version).goBefore122);
  return old
    ? { old, list: [...GO_CIPHER_SUITES, ...GO_PRE_122_EXTRA_SUITES], source: `${TRAEFIK_DEFAULT_SUITES}, with the RSA key exchange suites Go enabled by default before Go 1.22, as ${refString(old.ref)} runs ${old.image}` }
    : { list: [...GO_CIPHER_SUITES], source: TRAEFIK_DEFAULT_SUITES };
}

function traefikVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const { options, instances } = traefikTlsOptions(ctx.snapshot);
  // Traefiks dropping the "default" TLSOptions they read (traefikOptionScope.droppedFor).
  const dropping = new Set<string>();
  for (const o of options) {
    const ns = o.metadata?.namespace ?? 'default';
    const name = o.metadata?.name ?? '';
    const resource = { kind: 'TLSOption', namespace: ns, name };
    // Judged for the Traefiks that load it (traefikOptionScope): TLSOptions named "default" in more
    // than one namespace a Traefik reads are all dropped by it, and its routers without options of
    // their own use its built-in default (traefik pkg/provider/kubernetes/crd/kubernetes.go
    // buildTLSOptions, "Default TLS Options defined in multiple namespaces"; pkg/tls/tlsmanager.go DefaultTLSOptions).
    const scope = traefikOptionScope(ctx.snapshot, o);
    if (scope.unloaded !== undefined) continue; // traefikUnloadedOptions notes it
    for (const i of scope.droppedFor) dropping.add(refString(i.ref));
    // A Traefik built with a Go older than 1.22 (before v2.11) also enables the RSA key exchange
    // suites by default (GO_PRE_122_EXTRA_SUITES): the oldest release reading it decides.
    const { old, list: defaultList, source: defaultSource } = traefikDefaultList(scope.instances);
    if (scope.dropped !== undefined) {
      const who = scope.instances.length ? ` that ${scope.instances.map((i) => refString(i.ref)).join(', ')} read${scope.instances.length > 1 ? '' : 's'}` : '';
      out.push({ status: 'pass', resource, message: `TLSOption ${ns}/${name} is dropped by Traefik: ${scope.dropped} namespaces hold a TLSOption named "default"${who}, so its cipherSuites apply to no router: routers use the built-in default.`, evidence: { dropped: true, defaultTlsOptionNamespaces: scope.dropped, note: 'Traefik drops every TLSOption named "default" when more than one namespace it reads defines one' } });
      continue;
    }
    // Its minimum above its maximum: no handshake completes, so no suite is ever negotiated (traefikOptionAcceptsNoVersion).
    const none = traefikOptionAcceptsNoVersion(obj(o.spec) ?? {}, old ? '1.0' : scope.instances.some((i) => i.version === undefined) ? undefined : '1.2');
    if (none) {
      out.push({ status: 'pass', resource, message: `TLSOption ${ns}/${name} accepts no TLS version: ${none}, so every TLS handshake with it fails and none of its cipher suites is ever negotiated.`, evidence: { acceptedVersions: [], minVersion: obj(o.spec)?.minVersion ?? null, maxVersion: obj(o.spec)?.maxVersion ?? null } });
      continue;
    }
    const raw = obj(o.spec)?.cipherSuites;
    // Unset, Traefik fills in its default list, Go's crypto/tls CipherSuites() (GO_CIPHER_SUITES),
    // which keeps the ECDHE CBC-SHA suites. An empty list is a list: Traefik hands Go no suite.
    const unset = raw === undefined || raw === null;
    const list = unset ? defaultList : Array.isArray(raw) ? raw : [raw];
    const a = goCipherSuiteWeaknesses(list);
    const evidence = evidenceOf(a, unset ? { cipherSuites: list, source: defaultSource } : { cipherSuites: list });
    const what = unset ? `TLSOption ${ns}/${name} sets no cipherSuites, so ${defaultSource}` : `TLSOption ${ns}/${name} cipherSuites`;
    // The RSA key exchange suites first: they are what an older Traefik adds.
    if (unset && old) a.weak.sort((x, y) => Number(y.suite.startsWith('TLS_RSA_')) - Number(x.suite.startsWith('TLS_RSA_')));
    const min = obj(o.spec)?.minVersion;
    if (a.weak.length && min === 'VersionTLS13') { out.push(tls13OnlyVerdict(resource, what, 'its minVersion is VersionTLS13', evidence)); continue; }
    const users = a.weak.length ? tlsOptionUsers(ctx, o) : undefined;
    out.push(users
      ? { status: 'fail', resource, message: `${what} enables weak suites: ${a.weak.slice(0, 5).map(describeWeakCipher).join('; ')}${a.weak.length > 5 ? ` and ${a.weak.length - 5} more` : ''}.${users.text}`, evidence: { ...evidence, ...users.evidence } }
      : { status: 'pass', resource, message: `${what} lists no weak suite (CBC, RSA key exchange, 3DES, RC4, NULL, EXPORT, anonymous).`, evidence });
  }
  // No TLSOption "default" in effect for a Traefik (it reads none, or drops the several it reads):
  // its routers without TLS options take Traefik's built-in default (pkg/tls/tlsmanager.go
  // DefaultTLSOptions), whose cipher list is Go's (CipherSuites() from v2.9, Go's server default
  // before): the ECDHE CBC-SHA suites at every release. Judged per Traefik workload, on its own
  // TLS routers only (traefikTlsRouterOf): with none, nothing uses it.
  const judged = new Set<string>();
  for (const i of instances) {
    const id = refString(i.ref);
    if (judged.has(id)) continue;
    judged.add(id);
    const read = traefikDefaultsReadBy(ctx.snapshot, i.ref);
    const drops = dropping.has(id);
    if (!drops && (read.read.length > 0 || read.unknown.length > 0)) continue;
    const tlsRouter = traefikTlsRouterOf(ctx.snapshot, i.ref);
    if (!tlsRouter) continue;
    const { old, list: defaultList, source: defaultSource } = traefikDefaultList(instances.filter((x) => refString(x.ref) === id));
    const a = goCipherSuiteWeaknesses(defaultList);
    if (old) a.weak.sort((x, y) => Number(y.suite.startsWith('TLS_RSA_')) - Number(x.suite.startsWith('TLS_RSA_')));
    out.push({ status: 'fail', resource: i.ref, detailKey: 'traefik-default-tls-options', message: `${i.ref.kind} ${i.ref.namespace}/${i.ref.name} (${i.image}) has no TLSOption named "default" in effect${drops ? ` (${read.read.length + read.unknown.length} namespaces it reads define one, so Traefik drops them all)` : read.unread.length ? ' (it reads none of those that exist)' : ''}: routers without TLS options take Traefik's built-in default, ${defaultSource}, which enables weak suites: ${a.weak.slice(0, 5).map(describeWeakCipher).join('; ')}${a.weak.length > 5 ? ` and ${a.weak.length - 5} more` : ''}. Create a TLSOption named default listing ECDHE AEAD cipherSuites.`, evidence: evidenceOf(a, { cipherSuites: defaultList, source: defaultSource, tlsRouter, traefik: instances.map((x) => `${refString(x.ref)}: ${x.image}`), ...(read.unread.length ? { defaultTlsOptionsNotRead: read.unread } : {}) }) });
  }
  return out;
}

/**
 * Traefik workloads with a TLS router for which whether they read a TLSOption named "default" is
 * not known (traefikDefaultOptionsRead: a configuration file, namespaces the snapshot does not
 * show) and which surely read none: reading none, their routers without TLS options take the
 * built-in default's weak suites, so they are not judged.
 */
function traefikDefaultUnknown(ctx: AuditContext): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const i of traefikTlsOptions(ctx.snapshot).instances) {
    const id = refString(i.ref);
    if (seen.has(id)) continue;
    seen.add(id);
    const read = traefikDefaultsReadBy(ctx.snapshot, i.ref);
    if (read.read.length === 0 && read.unknown.length > 0 && traefikTlsRouterOf(ctx.snapshot, i.ref)) out.push(`whether ${id} (${i.image}) reads a TLSOption named "default" is not known (${read.unknown.join('; ')}); if it reads none, its routers without TLS options take Traefik's built-in default, whose cipher list enables weak CBC suites, so they are not judged`);
  }
  return out;
}

/** meshConfig.tlsDefaults per Gateway, from the mesh config of the revision configuring it (istioGatewayRevision), read once per revision. */
function istioGatewayMeshDefaults(ctx: AuditContext): (gateway: KubeObject) => ReturnType<typeof istioTlsDefaults> {
  const byRevision = new Map<string, ReturnType<typeof istioTlsDefaults>>();
  return (gateway) => {
    const { revision } = istioGatewayRevision(ctx.snapshot, gateway);
    if (!byRevision.has(revision)) byRevision.set(revision, istioTlsDefaults(ctx.snapshot, ctx.config, revision));
    return byRevision.get(revision);
  };
}

/**
 * Istio Gateway servers: istiod writes a SIMPLE, MUTUAL or OPTIONAL_MUTUAL server's cipherSuites,
 * else meshConfig.tlsDefaults.cipherSuites, to Envoy as its cipher list (src/analysis/tls/istio.ts).
 * With neither, Envoy's default list (AES-GCM and ChaCha20-Poly1305 only) applies and there is
 * nothing to judge. An ISTIO_MUTUAL server's cipherSuites are written before Istio 1.18 and not
 * from 1.18 (istioMutualSettingsApplied); tlsDefaults never apply to it. Gateway API listeners of
 * Istio's class are judged as the servers istiod makes of them (istioGatewayApiServers). With
 * istiod's release unknown, an ISTIO_MUTUAL server whose verdict depends on it is left unjudged.
 */
function istioJudgementOf(ctx: AuditContext): { verdicts: Verdict[]; unjudged: string[] } {
  const out: Verdict[] = [];
  const unjudged: string[] = [];
  const servers = [...istioGatewayServers(ctx.snapshot).judged, ...istioGatewayApiServers(ctx.snapshot)];
  if (servers.length === 0) return { verdicts: out, unjudged };
  const meshDefaults = istioGatewayMeshDefaults(ctx);
  const legacyEnvoy = (gateway: KubeObject) => { const r = istioGatewayRelease(ctx.snapshot, gateway); return r && 'legacyEnvoy' in r && r.legacyEnvoy ? r : undefined; };
  for (const s of servers) {
    const { resource, gateway, i, server, tls, mode } = s;
    const port = obj(server?.port);
    const detailKey = s.gatewayApi ? `listener/${s.gatewayApi.listener}` : `server/${str(port?.name) ?? port?.number ?? i}`;
    const given = arr(tls.cipherSuites).filter((c): c is string => typeof c === 'string');
    const at = `${s.gatewayApi ? `Listener ${JSON.stringify(s.gatewayApi.listener)}` : 'Server'} on port ${port?.number ?? '?'}`;
    let own = given;
    let serverMin = str(tls.minProtocolVersion);
    let why = s.gatewayApi ? ` It is the ${s.gatewayApi.conversion}.` : '';
    if (mode === 'ISTIO_MUTUAL') {
      const istiod = istioGatewayIstiodRelease(ctx.snapshot, gateway);
      const applied = istioMutualSettingsApplied(istiod);
      const istiodSaid = istiod && 'version' in istiod ? `Istio ${istiod.version.join('.')} (${istiod.from}, image ${istiod.image})` : 'istiod';
      const lead = 'The server is ISTIO_MUTUAL, so a client needs a certificate from the mesh CA';
      if (given.length && applied !== true) {
        // From Istio 1.18 istiod writes no TLS parameters for it: Envoy's default list applies.
        const old = legacyEnvoy(gateway);
        if (applied === undefined && (opensslCipherWeaknesses(given.join(':')).weak.length > 0) !== !!old) {
          unjudged.push(`${resource.namespace}/${resource.name} ${at.toLowerCase()}${istiod && 'unversioned' in istiod ? ` (${istiod.unversioned.join(', ')})` : ''}`);
          continue;
        }
        const said = applied === false ? `${istiodSaid} writes no TLS parameters for ISTIO_MUTUAL servers from Istio 1.18` : 'istiod writes them before Istio 1.18 and not after (its release is not known), either way with the same verdict';
        if (!old) { out.push({ status: 'pass', resource, detailKey, message: `${at} lists cipherSuites, but its tls.mode is ISTIO_MUTUAL: ${said}, so Envoy's default list applies (AES-GCM and ChaCha20-Poly1305 only).`, evidence: { port: port?.number, mode, cipherSuites: given, applied: false } }); continue; }
        own = [];
        serverMin = undefined;
        why = ` ${lead}; ${said}, so its cipherSuites have no effect.`;
      } else if (given.length) {
        why = ` ${lead}, but ${istiodSaid} writes its cipherSuites to Envoy in every mode (before Istio 1.18).`;
      } else {
        serverMin = applied === true ? serverMin : undefined;
        why = `${why} ${lead}; it sets no cipherSuites, so Envoy's default list applies.`;
      }
    }
    // The tlsDefaults of the mesh config of the revision configuring the gateway (ConfigMap istio-<rev>), for isSimpleOrMutual modes only.
    const defaults = ISTIO_CIPHER_MODES.has(mode) ? meshDefaults(gateway) : undefined;
    // Before Istio 1.15 (Envoy 1.22 and older) Envoy's own default list keeps CBC-SHA and RSA
    // key-exchange suites (istio.ts ENVOY_PRE_123_DEFAULT_CIPHERS).
    const oldEnvoy = own.length || defaults?.cipherSuites ? undefined : legacyEnvoy(gateway);
    const list = own.length ? own : defaults?.cipherSuites ?? (oldEnvoy ? [...ENVOY_PRE_123_DEFAULT_CIPHERS] : undefined);
    if (!list) continue;
    const source = own.length ? (s.gatewayApi ? 'tls.options gateway.istio.io/tls-cipher-suites' : 'tls.cipherSuites') : defaults?.cipherSuites ? defaults.source : `Envoy's default list before 1.23, which Istio ${oldEnvoy!.version.join('.')} ships (${oldEnvoy!.from}, image ${oldEnvoy!.image})`;
    const min = serverMin && serverMin !== 'TLS_AUTO' ? serverMin : defaults?.minProtocolVersion;
    const a = opensslCipherWeaknesses(list.join(':'));
    const evidence = evidenceOf(a, { port: port?.number, hosts: server?.hosts, mode, cipherSuites: list, source, minProtocolVersion: min ?? 'TLS_AUTO (TLSV1_2)', ...(s.gatewayApi ? { listener: s.gatewayApi.listener, conversion: s.gatewayApi.conversion } : {}) });
    const what = own.length ? `${at} cipherSuites` : oldEnvoy ? `${at} sets no cipherSuites, so ${source}` : `${at} sets no cipherSuites, so ${source}.cipherSuites`;
    if (a.weak.length && min === 'TLSV1_3') { const v = tls13OnlyVerdict(resource, what, `its minProtocolVersion is TLSV1_3${serverMin === min ? '' : ` (${defaults?.source}.minProtocolVersion)`}`, evidence); out.push({ ...v, message: `${v.message}${why}`, detailKey }); continue; }
    out.push(a.weak.length
      ? { status: 'fail', resource, detailKey, message: `${what} enable weak suites: ${a.weak.slice(0, 5).map(describeWeakCipher).join('; ')}${a.weak.length > 5 ? ` and ${a.weak.length - 5} more` : ''}.${why}`, evidence }
      : { status: 'pass', resource, detailKey, message: `${what} list no weak suite (CBC, RSA key exchange, 3DES, RC4, NULL, EXPORT, anonymous).${why}`, evidence });
  }
  return { verdicts: out, unjudged };
}

/** istioJudgementOf, once per audit: the check's verdicts and its note both ask for it. */
const istioJudgement = memoize(istioJudgementOf, 'tls');

function istioVerdicts(ctx: AuditContext): Verdict[] {
  return istioJudgement(ctx).verdicts;
}

/**
 * Envoy Gateway listeners whose ClientTrafficPolicy lists ciphers (src/analysis/tls/envoy-gateway.ts
 * picks the policy of each listener); a policy listing none leaves Envoy's default list.
 */
function envoyGatewayVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const policies = clientTrafficPolicies(ctx.snapshot);
  if (policies.size === 0) return out;
  for (const { resource, name, policy } of gatewayListenerPolicies(ctx.snapshot, policies)) {
    const ciphers = clientTrafficPolicyCiphers(policy?.tls);
    if (!policy || !ciphers) continue;
    const a = opensslCipherWeaknesses(ciphers);
    const evidence = evidenceOf(a, { listener: name, clientTrafficPolicy: policy.policy, via: policy.via, ciphers: policy.tls?.ciphers });
    const what = `Listener ${name}'s ClientTrafficPolicy ${policy.policy} (${policy.via}) ciphers`;
    if (a.weak.length && clientTrafficPolicyLegacy(policy.tls).min === '1.3') { out.push({ ...tls13OnlyVerdict(resource, what, 'its minVersion is 1.3', evidence), detailKey: `clienttrafficpolicy/${name}` }); continue; }
    out.push(a.weak.length
      ? { status: 'fail', resource, detailKey: `clienttrafficpolicy/${name}`, message: `${what} enable weak suites: ${a.weak.slice(0, 5).map(describeWeakCipher).join('; ')}${a.weak.length > 5 ? ` and ${a.weak.length - 5} more` : ''}.`, evidence }
      : { status: 'pass', resource, detailKey: `clienttrafficpolicy/${name}`, message: `${what} list no weak suite (CBC, RSA key exchange, 3DES, RC4, NULL, EXPORT, anonymous).`, evidence });
  }
  return out;
}

/**
 * Contour: each `contour serve` Deployment's tls.cipher-suites, else Contour's DefaultTLSCiphers
 * (src/analysis/tls/contour.ts), which Envoy applies to every TLS virtual host it serves when it
 * negotiates TLS 1.2: the list "is ignored when TLS 1.3 is in use"
 * (https://projectcontour.io/docs/main/configuration/#tls-configuration, cipher-suites), the
 * TLS 1.3 suites being fixed (RFC 8446 §9.1). So a weak list fails only for the virtual hosts
 * whose minimum is 1.2; with the global tls.minimum-protocol-version 1.3, or every virtual host it
 * serves requiring 1.3, it passes.
 */
function contourVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const cap = (xs: string[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ` and ${xs.length - 5} more` : ''}`;
  for (const c of contourCipherConfigs(ctx.snapshot)) {
    if (!('ciphers' in c)) continue; // contourUnread notes it
    const a = opensslCipherWeaknesses(contourCipherNames(c.ciphers).join(':'));
    const evidence = evidenceOf(a, { cipherSuites: c.ciphers, source: c.source, minimumProtocolVersion: c.minimumSource });
    const what = `Contour ${c.ref.kind} ${c.ref.namespace}/${c.ref.name}: ${c.source}`;
    const detailKey = 'contour-cipher-suites';
    if (!a.weak.length) {
      out.push({ status: 'pass', resource: c.ref, detailKey, message: `${what} lists no weak suite (CBC, RSA key exchange, 3DES, RC4, NULL, EXPORT, anonymous).`, evidence });
      continue;
    }
    if (c.minimum === '1.3') {
      out.push({ ...tls13OnlyVerdict(c.ref, what, `${c.minimumSource} makes every TLS virtual host it serves require TLS 1.3`, evidence), detailKey });
      continue;
    }
    const hosts = contourTlsVirtualHosts(ctx.snapshot, c.minimum, c.ingressClasses, c.release.version);
    const lifted = hosts.filter((h) => h.minimum === '1.3' && !h.fallback).map((h) => h.what);
    const exposed = hosts.filter((h) => h.minimum !== '1.3' || h.fallback).map((h) => `${h.what}${h.fallback ? ` (${h.fallback})` : ''}`);
    const ev = { ...evidence, ...(exposed.length ? { tls12VirtualHosts: exposed } : {}), ...(lifted.length ? { tls13OnlyVirtualHosts: lifted } : {}) };
    if (hosts.length > 0 && exposed.length === 0) {
      out.push({ ...tls13OnlyVerdict(c.ref, what, `every TLS virtual host it serves requires TLS 1.3 (minimumProtocolVersion "1.3"): ${cap(lifted)}`, ev), detailKey });
      continue;
    }
    const where = exposed.length ? `the TLS virtual hosts that accept TLS 1.2${hosts.some((h) => h.minimum === '1.1') ? ' (or 1.1)' : ''}: ${cap(exposed)}` : 'every TLS virtual host it serves';
    const spared = lifted.length ? ` Not for ${cap(lifted)}, which require${lifted.length > 1 ? '' : 's'} TLS 1.3 and never negotiate${lifted.length > 1 ? '' : 's'} these suites.` : '';
    out.push({ status: 'fail', resource: c.ref, detailKey, message: `${what} enables weak suites for ${where}: ${a.weak.slice(0, 5).map(describeWeakCipher).join('; ')}${a.weak.length > 5 ? ` and ${a.weak.length - 5} more` : ''}.${spared}`, evidence: ev });
  }
  return out;
}

const conflicting = (d: unknown): boolean => !!d && typeof d === 'object' && 'conflicting' in d;

/** The AWS load balancers (ALB Ingresses, NLB and Classic Services) whose security policy is known, with its name. */
function awsEdges(ctx: AuditContext) {
  const albs = albIngresses(ctx).filter(({ alb }) => !paramsMissing(alb) && !conflicting(alb.lbcDefault)).map(({ resource, alb }) => ({ resource, policy: alb.policy, where: `an AWS Application Load Balancer`, detailKey: 'alb-ssl-policy' }));
  const services = awsTlsServices(ctx.snapshot).filter((lb) => lb.by !== 'eks-auto' && !conflicting(lb.lbcDefault)).map((lb) => ({ resource: lb.resource as Verdict['resource'], policy: lb.policy, where: `an AWS ${lb.loadBalancer === 'Classic' ? 'Classic' : 'Network'} Load Balancer`, detailKey: 'aws-ssl-negotiation-policy' }));
  return [...albs, ...services];
}

/** AWS load balancers: the suites of their security policy, from AWS's published table (AWS_POLICY_CIPHERS). */
function awsVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  for (const { resource, policy, where, detailKey } of awsEdges(ctx)) {
    const suites = policy === undefined ? undefined : AWS_POLICY_CIPHERS.get(policy);
    if (!suites) continue; // awsUnread notes it
    const at = `${resource.kind} ${resource.namespace}/${resource.name} terminates TLS at ${where} with security policy ${policy}`;
    const evidence = { sslPolicy: policy, ciphers: suites, source: AWS_SSL_POLICIES_DOC };
    if (suites.length === 0) { out.push({ status: 'pass', resource, detailKey, message: `${at}, which accepts TLS 1.3 only: ${TLS13_ONLY_NOTE}.`, evidence: { ...evidence, tls13Only: true } }); continue; }
    const a = opensslCipherWeaknesses(suites.join(':'));
    out.push(a.weak.length
      ? { status: 'fail', resource, detailKey, message: `${at}, whose suites (${AWS_SSL_POLICIES_DOC}) include weak ones: ${a.weak.slice(0, 5).map(describeWeakCipher).join('; ')}${a.weak.length > 5 ? ` and ${a.weak.length - 5} more` : ''}.`, evidence: evidenceOf(a, evidence) }
      : { status: 'pass', resource, detailKey, message: `${at}, whose suites are ECDHE with AES-GCM only (${AWS_SSL_POLICIES_DOC}).`, evidence: evidenceOf(a, evidence) });
  }
  return out;
}

/**
 * Suites Google's COMPATIBLE profile, that of Google Cloud's default SSL policy, enables that this
 * check calls weak (CBC, RSA key exchange, 3DES): a sample of the "Features" table of
 * https://cloud.google.com/load-balancing/docs/ssl-policies-concepts (Google-managed profiles).
 */
const GKE_COMPATIBLE_WEAK = ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'];

/** GKE load balancers: Google's default SSL policy (COMPATIBLE) fails; a named Compute Engine policy cannot be judged from Kubernetes. */
function gkeVerdict(resource: ResourceRef, at: string, policy: GkeSslPolicy, evidence: Record<string, unknown>): Verdict {
  if (policy.default) {
    return { status: 'fail', resource, detailKey: 'gke-ssl-policy', message: `${at} with no SSL policy (${policy.why}), so it takes ${GKE_DEFAULT_SSL_POLICY}, whose COMPATIBLE profile enables weak suites: ${GKE_COMPATIBLE_WEAK.join(', ')} (CBC mode, RSA key exchange, 3DES).`, evidence: { ...evidence, sslPolicy: GKE_DEFAULT_SSL_POLICY, profile: 'COMPATIBLE', weak: GKE_COMPATIBLE_WEAK } };
  }
  const names = policy.policies.map((p) => JSON.stringify(p)).join(', ');
  return { status: 'fail', resource, detailKey: 'gke-ssl-policy', severity: 'medium', message: `${at} with SSL policy ${names} (${policy.from}), which cannot be judged: SSL policy ${names} lives in Google Cloud, not in Kubernetes, so its profile and cipher suites are unknown here; check it (gcloud compute ssl-policies describe; MODERN or RESTRICTED with minimum TLS 1.2, or a CUSTOM profile of ECDHE AES-GCM/ChaCha20 suites) or run with --probe-tls.`, evidence: { ...evidence, sslPolicy: policy.policies, sslPolicyFrom: policy.from } };
}

function gkeVerdicts(ctx: AuditContext): Verdict[] {
  const frontendConfigs = gkeFrontendConfigs(ctx.snapshot);
  // What an unread FrontendConfig or GCPGatewayPolicy list hides is left out, named in the note (gkeUnjudged).
  const unjudged = gkeUnjudged(ctx);
  const ingresses = gkeHttpsIngresses(ctx).filter(({ resource }) => !unjudged.ingresses.has(`${resource.namespace}/${resource.name}`)).map(({ resource, gke }) => gkeVerdict(resource, `Ingress ${resource.namespace}/${resource.name} (${gke.by}) terminates TLS at a Google Cloud load balancer (${gke.certificates.join(', ')})`, gkeIngressSslPolicy(frontendConfigs, resource.namespace, gke), { loadBalancer: 'Google Cloud', gkeIngress: gke.by, ...(gke.frontendConfig !== undefined ? { frontendConfig: gke.frontendConfig } : {}) }));
  const gateways = unjudged.gateways ? [] : gkeTlsGateways(ctx.snapshot);
  const policies = gkeGatewaySslPolicies(ctx.snapshot, gateways);
  return [...ingresses, ...gateways.map((g) => gkeVerdict({ kind: 'Gateway', namespace: g.namespace, name: g.name }, `Gateway ${g.namespace}/${g.name} (GatewayClass ${JSON.stringify(g.gatewayClass)}) terminates TLS at a Google Cloud load balancer (listeners ${g.listeners.map((l) => JSON.stringify(l)).join(', ')})`, policies.get(`${g.namespace}/${g.name}`)!, { loadBalancer: 'Google Cloud', gatewayClass: g.gatewayClass, listeners: g.listeners }))];
}

/** Edges terminating TLS whose cipher suites this check does not read: each is named in the note. */
function unreadEdges(ctx: AuditContext): string[] {
  const out: string[] = [];
  const contour = contourCipherConfigs(ctx.snapshot).flatMap((c) => ('unread' in c ? [`${c.ref.kind} ${c.ref.namespace}/${c.ref.name}: ${c.unread}`] : []));
  if (contour.length) out.push(`the cipher suites of ${contour.length} Contour Deployment(s) are not read: ${contour.join('; ')}`);
  // Contour's default list depends on its release (contourDefaultCiphers: CBC-SHA suites before v1.13).
  const unversioned = contourCipherConfigs(ctx.snapshot).flatMap((c) => ('ciphers' in c && !c.release.version && c.source.startsWith('Contour\'s default list') && contourTlsVirtualHosts(ctx.snapshot, c.minimum, c.ingressClasses).length ? [`${c.ref.kind} ${c.ref.namespace}/${c.ref.name} (${c.release.image})`] : []));
  if (unversioned.length) out.push(`the Contour release of ${unversioned.join(', ')} could not be read, its image naming no version, and Contour's default cipher list kept CBC-SHA suites before v1.13: judged on today's default list; pin the image to a version tag or set tls.cipher-suites`);
  if ((ctx.snapshot.resources['contour.httpproxies'] ?? []).some((p) => obj(obj(obj(p.spec)?.virtualhost)?.tls)) && contourCipherConfigs(ctx.snapshot).length === 0) out.push('HTTPProxies terminate TLS but no `contour serve` Deployment is in the snapshot, so the cipher suites Contour gives Envoy are not read');
  const aws = awsEdges(ctx).filter((e) => e.policy === undefined || !AWS_POLICY_CIPHERS.has(e.policy));
  if (aws.length) out.push(`${aws.length} AWS load balancer(s) take a security policy whose suites are not in ztaudit's table of AWS's published policies (${AWS_SSL_POLICIES_DOC}): ${aws.map((e) => `${e.resource.kind} ${e.resource.namespace}/${e.resource.name} (${e.policy === undefined ? 'no policy named' : JSON.stringify(e.policy)})`).join(', ')}; check its suites with aws elbv2 describe-ssl-policies or run with --probe-tls`);
  return out;
}

/** The kinds the check reads (in `reads`); TRAEFIK_ROUTER_REFUSAL_KINDS beyond them are best-effort. */
const READS: KindKey[] = ['statefulsets', 'services', 'ingressclasses', 'ingresses', 'traefik.tlsoptions', 'traefik-legacy.tlsoptions', 'istio.gateways', 'gatewayapi.gateways', 'gatewayapi.gatewayclasses', 'envoygateway.clienttrafficpolicies', 'contour.httpproxies'];

export const weakCiphers: Check = {
  id: 'tls.weak-ciphers',
  area: 'tls',
  title: 'Edge TLS configuration enables only strong cipher suites',
  protectsAgainst: 'edge TLS that negotiates weak cipher suites: CBC mode, no forward secrecy (RSA/static key exchange), anonymous, 3DES/DES, RC4, NULL or EXPORT',
  severity: 'medium',
  controls: EDGE_ENCRYPTION,
  remediation: 'Remove ssl-ciphers from the ingress-nginx ConfigMap and the nginx.ingress.kubernetes.io/ssl-ciphers annotation (the default is ECDHE/DHE with AES-GCM or ChaCha20-Poly1305; an empty ssl-ciphers is not the default but nginx\'s own HIGH:!aNULL:!MD5), or list only such suites; in Traefik TLSOptions set cipherSuites to ECDHE AEAD suites only (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256): without it Traefik enables Go\'s default list, which keeps the ECDHE CBC-SHA suites; in an Istio Gateway server (SIMPLE, MUTUAL or OPTIONAL_MUTUAL) list in tls.cipherSuites only ECDHE AEAD suites, or drop tls.cipherSuites (and meshConfig.tlsDefaults.cipherSuites, which servers without their own take) for Envoy\'s default list (an ISTIO_MUTUAL server\'s cipherSuites apply before Istio 1.18 only, and a Gateway API listener of Istio\'s class takes tls.options gateway.istio.io/tls-cipher-suites from 1.29); where several Ingresses share an ingress-nginx host, the oldest one\'s ssl-ciphers annotation is the one served, so fix it there; in an Envoy Gateway ClientTrafficPolicy list in tls.ciphers only ECDHE AEAD suites (ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-SHA256, ECDHE-ECDSA-AES256-GCM-SHA384, ECDHE-RSA-AES256-GCM-SHA384, ECDHE-ECDSA-CHACHA20-POLY1305, ECDHE-RSA-CHACHA20-POLY1305), or drop tls.ciphers; in Contour\'s configuration file list in tls.cipher-suites (or, with --contour-config-name, its ContourConfiguration\'s spec.envoy.listener.tls.cipherSuites) only ECDHE AEAD suites, or drop it for Contour\'s default list, or require TLS 1.3 (tls.minimum-protocol-version "1.3", or an HTTPProxy\'s spec.virtualhost.tls.minimumProtocolVersion "1.3" without enableFallbackCertificate), where the list is never used; on an AWS load balancer name a security policy of ECDHE AES-GCM suites only (ELBSecurityPolicy-TLS13-1-2-Res-2021-06, or ELBSecurityPolicy-TLS13-1-3-2021-06 for TLS 1.3 alone): its default, ELBSecurityPolicy-2016-08, and ELBSecurityPolicy-TLS13-1-2-2021-06 keep CBC suites; on a GKE Ingress name a FrontendConfig whose sslPolicy, and on a GKE Gateway attach a GCPGatewayPolicy whose spec.default.sslPolicy, is a Google Cloud SSL policy of profile MODERN or RESTRICTED with minimum TLS 1.2 (gcloud compute ssl-policies create --profile RESTRICTED --min-tls-version 1.2): without one Google Cloud\'s default applies, whose COMPATIBLE profile keeps CBC, RSA key exchange and 3DES suites, and a named one, which lives in Google Cloud, is a medium finding saying it cannot be judged. Edges whose suites are not read (a Contour configuration not in the snapshot or in a ContourConfiguration, an AWS policy outside the table) are named in the note, not passed.',
  needs: ['deployments', 'daemonsets'],
  reads: READS,
  readsWhen: [NGINX_CONTROLLER_CONFIG_READ, NGINX_WATCH_SELECTOR_READ, ISTIO_TLS_DEFAULTS_READ, TRAEFIK_TLS_ROUTERS_READ, ENVOY_GATEWAY_TARGETS_READ, EKS_ALB_PARAMS_READ, LBC_ALB_PARAMS_READ, ALB_NAMESPACES_READ, LBC_SERVICE_WEBHOOK_READ, CONTOUR_CONFIGURATION_READ],
  // The routers a TLSOption's finding names (lib/traefik-option-users.ts): unreadable, the finding says so.
  readsBestEffort: [...new Set([...TLS_OPTION_USER_KINDS, ...GKE_SSL_POLICY_KINDS, ...TRAEFIK_ROUTER_REFUSAL_KINDS])].filter((k) => !READS.includes(k)),
  evaluate(ctx) {
    return [...nginxConfigMapVerdicts(ctx), ...nginxIngressVerdicts(ctx), ...traefikVerdicts(ctx), ...istioVerdicts(ctx), ...envoyGatewayVerdicts(ctx), ...contourVerdicts(ctx), ...awsVerdicts(ctx), ...gkeVerdicts(ctx)];
  },
  excluded(ctx) {
    // Servers listing no cipherSuites take the mesh's tlsDefaults: an unreadable mesh config leaves them unjudged, not passed.
    const notes = [...gkeUnjudged(ctx).notes, ...unreadEdges(ctx), ...contourUnservedNotes(ctx.snapshot)];
    const meshDefaults = istioGatewayMeshDefaults(ctx);
    const problems = new Map<string, number>();
    for (const s of [...istioGatewayServers(ctx.snapshot).judged, ...istioGatewayApiServers(ctx.snapshot)]) {
      const problem = ISTIO_CIPHER_MODES.has(s.mode) && arr(s.tls.cipherSuites).length === 0 ? meshDefaults(s.gateway)?.problem : undefined;
      if (problem) problems.set(problem, (problems.get(problem) ?? 0) + 1);
    }
    notes.unshift(...[...problems].map(([problem, n]) => `${n} Istio Gateway server(s) listing no cipherSuites are not judged: they take meshConfig.tlsDefaults.cipherSuites, and ${problem}`));
    const { unjudged } = istioJudgement(ctx);
    if (unjudged.length) notes.push(`${unjudged.length} ISTIO_MUTUAL Istio Gateway server(s) list cipherSuites that istiod writes to Envoy before Istio 1.18 and ignores from 1.18 (Envoy's default list then applies), and the release of the istiod configuring them is not known (no istio/pilot image naming a version), so they are not judged: ${unjudged.join(', ')}; pin istiod's image to a version tag or run with --probe-tls`);
    notes.push(...traefikDefaultUnknown(ctx), ...traefikUnloadedOptions(ctx));
    const down = nginxNotStarting(ctx.snapshot);
    if (down) notes.unshift(down);
    return notes.length ? notes.join('; ') : undefined;
  },
  unjudgedNamespaces: (ctx) => gkeUnjudged(ctx).namespaces,
};
