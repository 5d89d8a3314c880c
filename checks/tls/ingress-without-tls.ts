import type { AuditContext } from '../../src/analysis/context.ts';
import type { Check, ConditionalRead } from '../../src/engine/types.ts';
import type { ResourceRef, Verdict } from '../../src/base/vocabulary.ts';
import { ALB_PARAMS, albIngressOf, ingressesInNginxOrder, certificateStates, condition, describeCondition, tlsSecretUses, GKE_ALLOW_HTTP, gkeFrontendConfigRedirect, gkeFrontendConfigs, gkeIngressOf, albKeptNotes, albUnjudged, albUnjudgedNotes, ALB_LISTEN_PORTS, ingressClassOf, ingressTlsHostCovers, listenerCertificateRefs, listenerHostnameCovers, nginxAnnotationBool, nginxAnnotationGroups, nginxCanary, NGINX_ANNOTATION_PREFIX, nginxControllersFor, nginxIngressDoubt, nginxIngressFailDoubt, nginxRedirectSettings, nginxRedirectUnknown, nginxWatches, normalizeHost, servedByIngressNginx, servedByTraefik, traefikAttachedEntryPoints, traefikCrdProvidersFor, traefikCrdUnserved, traefikEntryPoints, traefikHttpsRedirect, traefikNamedEntryPoints, traefikRouterPlaintext, traefikRouterTls, traefikUnattached, unreadNginxConfigMapsOf, unreadServingNginxConfigMaps, upstreamTlsForIngressNginx, TRAEFIK_TCP_ROUTE_KEYS, type GkeIngress, type TraefikEntryPoints, type UpstreamTls, contourCipherConfigs, contourClassOf, contourTakesClass, type ContourCiphers } from '../../src/analysis/tls/index.ts';
import { refString } from '../../src/analysis/workloads.ts';
import type { KubeObject, Snapshot } from '../../src/snapshot/types.ts';
import { arr, obj, str } from '../../src/analysis/mesh/util.ts';
import { gatewayListeners, listenerSetNotes } from '../../src/analysis/edge/listener-sets.ts';
import { EDGE_ROUTE_BEST_EFFORT, EDGE_ROUTE_KINDS, edgeRoutes, ingressControllerOf, ISTIO_HTTP_PROTOCOLS, traefikIngressMiddlewares, traefikRefused, traefikRuleHosts, traefikTcpRouteRefused, type EdgeAttachment } from '../../src/analysis/edge/routes.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';
import { EKS_ALB_PARAMS_READ, LBC_ALB_PARAMS_READ } from './lib/alb-params-read.ts';
import { namedConfigMaps } from './lib/nginx-config-read.ts';
import { LBC_SERVICE_WEBHOOK_READ } from './lib/lbc-webhook-read.ts';
import { GKE_FRONTEND_CONFIG_READ } from './lib/gke-ssl-policy-read.ts';
import { CONTOUR_CONFIGURATION_READ } from './lib/contour-config-read.ts';

/**
 * ingress-nginx builds one server per host from every Ingress it serves and gives it the
 * certificate of the first Ingress whose spec.tls names the host for one of its own rules
 * (kubernetes/ingress-nginx internal/ingress/controller/controller.go, createServers: "only add
 * a certificate if the server does not have one previously configured"). `serversOf` names the
 * servers an Ingress's hosts land on (one per controller serving it, or its class when no
 * controller workload is known; undefined when ingress-nginx does not serve it); `certificates`
 * maps "server|host" to the Ingress whose spec.tls covers it. Built once, looked up per host.
 */
function nginxServerCertificates(snapshot: Snapshot) {
  const serversOf = (ing: KubeObject): string[] | undefined => {
    if (!servedByIngressNginx(snapshot, ing)) return undefined;
    const controllers = nginxControllersFor(snapshot, ing);
    return controllers.length ? controllers.map((c) => refString(c.ref)) : [`IngressClass ${ingressClassOf(ing) ?? '(default)'}`];
  };
  // `fallback`: the first Ingress's entry naming the host, or, when none of its entries names the
  // host, every entry's Secret, gives no certificate that serves it, so the server keeps the
  // controller's default certificate, which no later Ingress replaces. `tlsHost` is the entry
  // naming the host; without it, `secret` the entry whose certificate serves it.
  const certificates = new Map<string, ServerCertificate>();
  let dnsNames: Map<string, IssuedNames[]> | undefined;
  // In ingress-nginx's order (oldest creationTimestamp first): the first Ingress giving a host's
  // server a certificate keeps it, whatever order the snapshot lists them in.
  for (const ing of ingressesInNginxOrder(snapshot)) {
    const spec = obj(ing.spec) ?? {};
    // createServers skips an Ingress only when `len(ing.Spec.TLS) == 0`: an entry without hosts counts.
    if (arr(spec.tls).length === 0) continue;
    const servers = serversOf(ing);
    if (!servers) continue;
    const ns = ing.metadata?.namespace ?? 'default';
    // createServers skips a canary Ingress before it looks at spec.tls ("Ingress %v is marked as
    // Canary, ignoring"): a controller reading it as a canary takes no certificate from it.
    const canary = nginxCanaryFor(snapshot, ing);
    // A controller that may not watch this Ingress's namespace may not take its certificate either.
    const doubts = nginxControllersFor(snapshot, ing).map((c, i) => { const w = nginxWatches(snapshot, c, ns); return w.sees === undefined ? `controller ${refString(c.ref)}: ${w.why}` : typeof canary[i] === 'string' ? canary[i] : undefined; });
    const tls = arr(spec.tls).map(obj);
    for (const r of arr(spec.rules)) {
      const host = str(obj(r)?.host);
      if (!host) continue;
      // Only an entry naming the host exactly gives it this Ingress's certificate, and only when
      // that certificate serves it (a known mismatch gives the default certificate).
      const named = nginxNamingEntry(tls, host);
      // createServers (kubernetes/ingress-nginx internal/ingress/controller/controller.go; read
      // at commit 019cd07a and at controller-v1.15.1): an entry naming the host without a secretName ("Host %q is listed in
      // the TLS section but secretName is empty. Using default certificate"), or whose certificate
      // does not verify for it ("does not contain a Common Name or Subject Alternative Name ...
      // Using default certificate"), sets the server's certificate to the default one, and
      // `if servers[host].SSLCert != nil { continue }` then keeps any later Ingress's from replacing it.
      // With no entry naming the host, extractTLSSecretName takes the first entry whose Secret's
      // certificate verifies for it, and returns "" (the default certificate, kept) when none does.
      const found = named ? namedHostCertificate(snapshot, dnsNames ??= certificateDnsNames(snapshot), ns, named, host) : unnamedHostCertificate(unnamedHostSecrets(snapshot, dnsNames ??= certificateDnsNames(snapshot), ns, tls, host));
      servers.forEach((server, i) => {
        if (canary[i] === true) return;
        const key = `${server}|${normalizeHost(host)}`;
        const doubt = doubts[i] ?? found.doubt;
        if (!certificates.has(key)) certificates.set(key, { ingress: `${ns}/${ing.metadata?.name ?? ''}`, ...(named ? { tlsHost: named.tlsHost } : {}), ...(found.secret ? { secret: found.secret } : {}), ...(doubt ? { doubt } : {}), ...(doubts[i] ? { counts: doubts[i] } : {}), ...(found.fallback ? { fallback: found.fallback } : {}) });
      });
    }
  }
  return { serversOf, certificates };
}

/**
 * Per server of nginxServerCertificates' `serversOf` (one per controller serving the Ingress, or
 * one on the default prefix when none is known): true when that controller reads the Ingress as a
 * canary (`canary` under its --annotations-prefix, strconv.ParseBool true: a value that does not
 * parse is "invalid, defaulting to 'false'", internal/ingress/annotations/canary/main.go Parse at
 * controller-v1.15.1); why that is not known when its prefix is unknown and the Ingress has some
 * "…/canary" annotation reading true; false otherwise. ingress-nginx makes no server of a canary
 * Ingress and takes neither certificate nor server settings from it (controller.go createServers,
 * both loops: "Ingress %v is marked as Canary, ignoring"); its paths join the non-canary Ingress's
 * server of the same host as alternative backends.
 */
function nginxCanaryFor(snapshot: Snapshot, ing: KubeObject): Array<boolean | string> {
  const annotations = ing.metadata?.annotations ?? {};
  // Without any "…/canary" annotation no controller reads it as a canary, whatever its prefix
  // (one false stands for all: a missing entry reads as no canary).
  if (!Object.keys(annotations).some((k) => k.endsWith('/canary'))) return [false];
  const controllers = nginxControllersFor(snapshot, ing);
  if (controllers.length === 0) return [nginxCanary(annotations, NGINX_ANNOTATION_PREFIX)];
  return controllers.map((c) => {
    if (c.annotationPrefixUnknown === undefined) return nginxCanary(annotations, c.annotationPrefix);
    const key = Object.keys(annotations).find((k) => k.endsWith('/canary') && nginxAnnotationBool(annotations[k]) === true);
    return key === undefined ? false : `whether ingress-nginx controller ${refString(c.ref)} reads Ingress ${ingressName(ing)} as a canary (${key}), from which it takes no certificate, is not known: ${c.annotationPrefixUnknown}`;
  });
}

/** Whether every controller serving the Ingress reads it as a canary (nginxCanaryFor): it has no server, nor certificate, of its own. */
const nginxCanaryOnly = (snapshot: Snapshot, ing: KubeObject) => nginxCanaryFor(snapshot, ing).every((c) => c === true);

/** An Ingress host that takes its certificate from another Ingress ingress-nginx merges it with, if any (of an Ingress `of` accepts). */
function firstMergedHost(snapshot: Snapshot, of: (ing: KubeObject) => boolean = () => true): string | undefined {
  const nginx = nginxServerCertificates(snapshot);
  for (const ing of snapshot.resources.ingresses ?? []) {
    const servers = nginx.serversOf(ing);
    if (!servers || nginxCanaryOnly(snapshot, ing) || !of(ing)) continue;
    const spec = obj(ing.spec) ?? {};
    const tlsHosts = arr(spec.tls).flatMap((t) => arr(obj(t)?.hosts)).filter((h): h is string => typeof h === 'string');
    for (const r of arr(spec.rules)) {
      const host = str(obj(r)?.host);
      if (host && !tlsHosts.some((t) => normalizeHost(t) === normalizeHost(host)) && servers.every((server) => { const c = nginx.certificates.get(`${server}|${normalizeHost(host)}`); return c !== undefined && c.fallback === undefined && c.ingress !== `${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`; })) return `${host} of Ingress ${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`;
    }
  }
  return undefined;
}

const NGINX_REDIRECT_READ: ConditionalRead = {
  kinds: ['deployments', 'daemonsets', 'statefulsets'],
  when: 'when an Ingress ingress-nginx serves takes a host\'s certificate from another Ingress: the controllers (their ConfigMaps hold ssl-redirect, force-ssl-redirect)',
  holds(ctx) {
    const host = firstMergedHost(ctx.snapshot);
    return host ? `ingress-nginx's redirect settings for host ${host}` : undefined;
  },
};

/**
 * The ConfigMaps of the controllers serving such an Ingress (its redirect settings), for the same
 * hosts: an input only when one of them may be the one refused.
 */
const NGINX_REDIRECT_CONFIG_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when an Ingress ingress-nginx serves takes a host\'s certificate from another Ingress: the ConfigMaps of the controllers serving it (ssl-redirect, force-ssl-redirect)',
  holds(ctx) {
    if (unreadServingNginxConfigMaps(ctx.snapshot).length === 0) return undefined;
    let unread: ReturnType<typeof unreadNginxConfigMapsOf> = [];
    const host = firstMergedHost(ctx.snapshot, (ing) => (unread = unreadNginxConfigMapsOf(ctx.snapshot, nginxControllersFor(ctx.snapshot, ing))).length > 0);
    return host ? `ingress-nginx's redirect settings for host ${host} (${namedConfigMaps(unread)})` : undefined;
  },
};

/**
 * ingress-nginx SSL passthrough (docs/user-guide/tls.md, "SSL Passthrough";
 * https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#ssl-passthrough):
 * with the annotation under a serving controller's --annotations-prefix and that controller
 * started with --enable-ssl-passthrough, TLS connections on port 443 for the Ingress's hosts go
 * to the backend undecrypted, so the backend terminates TLS. Without the flag the controller
 * ignores the annotation. `on` when every controller serving the Ingress honours it; otherwise
 * `ignored` says which does not. Undefined without the annotation.
 */
type NginxPassthrough = { annotation: string; on: true } | { annotation: string; on: false; ignored: string; unknown?: string };

function nginxPassthrough(snapshot: Snapshot, ing: KubeObject): NginxPassthrough | undefined {
  const annotations = ing.metadata?.annotations ?? {};
  const groups = nginxAnnotationGroups(snapshot, ing);
  const set = groups.filter((g) => {
    const raw = annotations[`${g.prefix}ssl-passthrough`];
    return raw !== undefined && nginxAnnotationBool(raw) === true;
  });
  if (set.length === 0) return undefined;
  const key = `${set[0].prefix}ssl-passthrough`;
  const annotation = `${key}: "${annotations[key]}"`;
  const serving = groups.flatMap((g) => g.controllers);
  if (serving.length === 0) return { annotation, on: false, ignored: 'no ingress-nginx controller serving it is in the snapshot, so nothing shows it runs with --enable-ssl-passthrough' };
  const reading = new Set(set.flatMap((g) => g.controllers));
  const off = serving.filter((c) => !reading.has(c) || (!c.sslPassthrough && c.sslPassthroughUnknown === undefined)).map((c) => `controller ${refString(c.ref)} ${reading.has(c) ? 'runs without --enable-ssl-passthrough' : `reads annotations under ${c.annotationPrefix} only`}`);
  if (off.length) return { annotation, on: false, ignored: off.join('; ') };
  // --enable-ssl-passthrough from a value ztaudit cannot know: judged as ignored, and a pass on
  // that reading is not confirmed (the host may be passed through, port 80 then redirected only
  // with force-ssl-redirect).
  const unknown = serving.find((c) => c.sslPassthroughUnknown !== undefined);
  if (unknown) {
    const why = `whether ingress-nginx controller ${refString(unknown.ref)} honours ${annotation} is not known: ${unknown.sslPassthroughUnknown}`;
    return { annotation, on: false, ignored: `controller ${refString(unknown.ref)} may run without --enable-ssl-passthrough (${unknown.sslPassthroughUnknown})`, unknown: why };
  }
  return { annotation, on: true };
}

/** An Ingress asking for ingress-nginx SSL passthrough: its redirect settings decide port 80. */
function firstPassthroughIngress(snapshot: Snapshot, of: (ing: KubeObject) => boolean = () => true): KubeObject | undefined {
  return (snapshot.resources.ingresses ?? []).find((ing) => Object.entries(ing.metadata?.annotations ?? {}).some(([k, v]) => k.endsWith('/ssl-passthrough') && nginxAnnotationBool(v) === true) && servedByIngressNginx(snapshot, ing) && of(ing));
}

/** Contour's Ingress annotations for port 80 (https://projectcontour.io/docs/main/config/annotations/). */
const CONTOUR_FORCE_SSL_REDIRECT = 'ingress.kubernetes.io/force-ssl-redirect';
const CONTOUR_ALLOW_HTTP = 'kubernetes.io/ingress.allow-http';

const ingressName = (ing: KubeObject) => `${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`;

const NGINX_PASSTHROUGH_READ: ConditionalRead = {
  kinds: ['deployments', 'daemonsets', 'statefulsets'],
  when: 'when an Ingress ingress-nginx serves asks for SSL passthrough: the controllers (whether they run with --enable-ssl-passthrough, their ConfigMaps hold force-ssl-redirect)',
  holds(ctx) {
    const ing = firstPassthroughIngress(ctx.snapshot);
    return ing ? `ingress-nginx's --enable-ssl-passthrough for Ingress ${ingressName(ing)}` : undefined;
  },
};

const NGINX_PASSTHROUGH_CONFIG_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when an Ingress ingress-nginx serves asks for SSL passthrough: the ConfigMaps of the controllers serving it (force-ssl-redirect)',
  holds(ctx) {
    if (unreadServingNginxConfigMaps(ctx.snapshot).length === 0) return undefined;
    let unread: ReturnType<typeof unreadNginxConfigMapsOf> = [];
    const ing = firstPassthroughIngress(ctx.snapshot, (i) => (unread = unreadNginxConfigMapsOf(ctx.snapshot, nginxControllersFor(ctx.snapshot, i))).length > 0);
    return ing ? `ingress-nginx's redirect settings for SSL-passthrough Ingress ${ingressName(ing)} (${namedConfigMaps(unread)})` : undefined;
  },
};

/** The names a certificate in a Secret is issued for, and by what; `notReady` says why the Secret may not hold it yet. */
interface IssuedNames { certificate: string; dnsNames: string[]; commonName?: string; notReady?: string; shim?: true }

/**
 * The dnsNames of the cert-manager Certificates writing each Secret, by "namespace/secretName".
 * ingress-nginx gives a host no spec.tls hosts entry names the certificate of any entry's Secret
 * that verifies for it (kubernetes/ingress-nginx internal/ingress/controller/controller.go,
 * extractTLSSecretName: "no TLS host matching host name, try each TLS host for matching SAN or
 * CN", cert.Certificate.VerifyHostname(host)); Secrets are never read, but a Certificate's
 * spec.dnsNames are the SANs cert-manager issues into its spec.secretName.
 *
 * A Secret no Certificate writes, named by a tls entry with hosts of an Ingress carrying a shim
 * annotation, gets the Certificate cert-manager's ingress-shim creates, whose dnsNames are the
 * entry's hosts ("placing a host in the TLS config will determine what ends up in the cert's
 * subjectAltNames", https://cert-manager.io/docs/usage/ingress/); tlsSecretUses decides which
 * entries the shim issues for. In a live cluster the shim has created no such Certificate yet.
 *
 * In a live cluster a Certificate describes its Secret only once Ready: until then (a dnsName just
 * added whose issuance fails) the Secret holds an earlier certificate or none. Manifests carry no
 * status, so their spec is trusted.
 */
const certificatesRead = (snapshot: Snapshot) => ['ok', 'absent'].includes(snapshot.coverage['certmanager.certificates']?.status ?? 'absent');

function certificateDnsNames(snapshot: Snapshot): Map<string, IssuedNames[]> {
  const out = new Map<string, IssuedNames[]>();
  const add = (key: string, entry: IssuedNames) => {
    const here = out.get(key);
    if (here) here.push(entry);
    else out.set(key, [entry]);
  };
  const live = snapshot.origin === 'live';
  const states = live ? certificateStates(snapshot) : [];
  (snapshot.resources['certmanager.certificates'] ?? []).forEach((c, i) => {
    const spec = obj(c.spec);
    const secret = str(spec?.secretName);
    if (!secret) return;
    const ns = c.metadata?.namespace ?? 'default';
    const ready = live ? condition(states[i], 'Ready') : undefined;
    const notReady = !live || ready?.status === 'True' ? undefined : ready ? `Ready ${ready.status}: ${describeCondition(ready)}` : 'it has no Ready condition';
    const commonName = str(spec?.commonName);
    add(`${ns}/${secret}`, { certificate: `${ns}/${c.metadata?.name ?? ''}`, dnsNames: arr(spec?.dnsNames).filter((d): d is string => typeof d === 'string'), ...(commonName ? { commonName } : {}), ...(notReady ? { notReady } : {}) });
  });
  const written = new Set(out.keys());
  // tlsSecretUses leaves shimAnnotation unset where the shim refuses, a same-named Certificate
  // the Ingress does not control included.
  for (const use of tlsSecretUses(snapshot).uses) {
    const key = `${use.namespace}/${use.secretName}`;
    // An auto-certificate annotation issues only with --default-issuer-name, empty by default
    // (cert-manager internal/apis/config/controller/v1alpha1/defaults.go, defaultTLSACMEIssuerName).
    if (use.owner.kind !== 'Ingress' || !use.shimAnnotation || use.shimDefaultIssuerUnread || !use.hosts || written.has(key)) continue;
    add(key, { shim: true, certificate: `ingress-shim (Ingress ${use.owner.namespace ?? 'default'}/${use.owner.name}, ${use.shimAnnotation})`, dnsNames: use.hosts, ...(live ? { notReady: certificatesRead(snapshot) ? 'cert-manager has created no Certificate for it' : 'cert-manager Certificates could not be read to show the one it created' } : {}) });
  }
  return out;
}

/**
 * The spec.tls entry ingress-nginx takes for a host: the first whose hosts hold the host, compared
 * lower-cased and exactly, never as a wildcard (internal/ingress/controller/controller.go at
 * controller-v1.12.0, extractTLSSecretName lines 1695-1703).
 */
function nginxNamingEntry(tls: Array<Record<string, unknown> | undefined>, host: string): { tlsHost: string; secretName?: string } | undefined {
  const h = normalizeHost(host);
  for (const t of tls) {
    const tlsHost = arr(t?.hosts).find((x): x is string => typeof x === 'string' && normalizeHost(x) === h);
    if (tlsHost !== undefined) return { tlsHost, secretName: str(t?.secretName) || undefined };
  }
  return undefined;
}

/**
 * Whether the certificate of Secret `secret` serves `host` in ingress-nginx, which checks it with
 * cert.Certificate.VerifyHostname(host) and, failing that, the Common Name of a certificate
 * without DNS SANs (controller.go createServers, lines 1449-1460; certificate.go verifyHostname),
 * serving its default certificate otherwise. Known only from the cert-manager Certificates
 * writing the Secret (Secrets are not read): `unknown` without one, as when Certificates could not
 * be read; `serves` with a Ready one naming it; `doubt` when one naming it is not Ready or names it
 * only in its commonName beside dnsNames; else `mismatch`, with the names issued.
 */
type SecretServes = { kind: 'unknown'; why: string } | { kind: 'serves'; cert: IssuedNames; names: string[] } | { kind: 'doubt'; why: string } | { kind: 'mismatch'; certs: IssuedNames[] };

function secretServes(snapshot: Snapshot, dnsNames: Map<string, IssuedNames[]>, ns: string, secret: string, host: string): SecretServes {
  // ingress-shim's Certificate-to-be issues exactly the entry's hosts: it says nothing new of a host the entry names.
  const certs = (dnsNames.get(`${ns}/${secret}`) ?? []).filter((c) => !c.shim);
  if (certs.length === 0) return { kind: 'unknown', why: certificatesRead(snapshot) ? `Secrets are not read and no cert-manager Certificate writes Secret ${secret}, so its certificate is taken to name the host` : `Secrets are not read and cert-manager Certificates could not be read, so Secret ${secret}'s certificate is taken to name the host` };
  const names = (c: IssuedNames) => c.dnsNames.filter((d) => ingressTlsHostCovers(d, host));
  const cn = (c: IssuedNames) => c.commonName !== undefined && ingressTlsHostCovers(c.commonName, host);
  const covering = certs.filter((c) => names(c).length > 0 || (c.dnsNames.length === 0 && cn(c)));
  const ready = covering.find((c) => !c.notReady);
  if (ready) return { kind: 'serves', cert: ready, names: names(ready).length ? names(ready) : [`commonName ${ready.commonName}`] };
  if (covering.length) return { kind: 'doubt', why: `cert-manager Certificate ${covering[0].certificate} names the host but is not Ready (${covering[0].notReady}), so Secret ${secret} may hold an earlier certificate, or none, until it is` };
  const byCn = certs.find(cn);
  if (byCn) return { kind: 'doubt', why: `cert-manager Certificate ${byCn.certificate} names the host only as its commonName beside dnsNames ${byCn.dnsNames.join(', ')}, and a certificate with DNS names is checked against them alone` };
  return { kind: 'mismatch', certs };
}

/**
 * The certificate a host's ingress-nginx server takes from the first Ingress giving it one
 * (nginxServerCertificates); `counts` says why it is not known that this Ingress gives the server
 * a certificate at all (a controller that may not watch it, or may read it as a canary), a part of
 * `doubt`, which also holds why the certificate given may not serve the host.
 */
interface ServerCertificate { ingress: string; tlsHost?: string; secret?: string; doubt?: string; counts?: string; fallback?: string }

/** How a ServerCertificate came from its Ingress: the entry naming the host, or the entry's Secret whose certificate names it. */
const certificateSource = (c: ServerCertificate) => (c.tlsHost !== undefined ? `TLS entry ${c.tlsHost}` : c.secret !== undefined ? `Secret ${c.secret}, whose certificate names the host` : 'no TLS entry naming the host');

/** What a host's server gets from the entry of an Ingress naming it: its Secret's certificate, unless it is known not to serve the host (`fallback`), or that is in doubt. */
function namedHostCertificate(snapshot: Snapshot, dnsNames: Map<string, IssuedNames[]>, ns: string, named: { tlsHost: string; secretName?: string }, host: string): { secret?: string; doubt?: string; fallback?: string } {
  if (!named.secretName) return { fallback: `its TLS entry ${named.tlsHost} has no secretName` };
  const serves = secretServes(snapshot, dnsNames, ns, named.secretName, host);
  if (serves.kind === 'mismatch') return { fallback: `Secret ${named.secretName}'s certificate does not name the host (${serves.certs.map((c) => `cert-manager Certificate ${c.certificate}: ${c.dnsNames.join(', ') || (c.commonName ? `commonName ${c.commonName}` : 'no name')}`).join('; ')})` };
  return serves.kind === 'doubt' ? { doubt: serves.why } : {};
}

/**
 * The Secrets ingress-nginx tries for a host no spec.tls hosts entry of the Ingress names
 * (controller.go extractTLSSecretName: "no TLS host matching host name, try each TLS host for
 * matching SAN or CN"), as the cert-manager Certificates writing them show (certificateDnsNames):
 * the first whose Ready Certificate names the host (`serving`); those no Certificate writes
 * (`unmanaged`: Secrets are not read); those whose Certificate naming the host is not Ready
 * (`pending`); `read`: whether Certificates could be read.
 */
interface UnnamedHostSecrets { secrets: string[]; serving?: { secret: string; cert: IssuedNames }; unmanaged: string[]; pending: Array<{ secret: string } & IssuedNames>; read: boolean; issued: string[] }

function unnamedHostSecrets(snapshot: Snapshot, dnsNames: Map<string, IssuedNames[]>, ns: string, tls: Array<Record<string, unknown> | undefined>, host: string): UnnamedHostSecrets {
  const secrets = [...new Set(tls.map((t) => str(t?.secretName)).filter((n): n is string => !!n))];
  const covering = (secret: string) => (dnsNames.get(`${ns}/${secret}`) ?? []).filter((c) => c.dnsNames.some((d) => ingressTlsHostCovers(d, host)));
  const read = certificatesRead(snapshot);
  const unmanaged = secrets.filter((n) => !dnsNames.has(`${ns}/${n}`));
  const issued = secrets.flatMap((n) => (dnsNames.get(`${ns}/${n}`) ?? []).map((c) => `Secret ${n}: ${c.certificate.startsWith('ingress-shim ') ? `cert-manager's ${c.certificate}` : `cert-manager Certificate ${c.certificate}`}: ${c.dnsNames.join(', ') || 'no name'}`));
  for (const secret of secrets) {
    const cert = covering(secret).find((c) => !c.notReady);
    if (cert) return { secrets, serving: { secret, cert }, unmanaged, pending: [], read, issued };
  }
  return { secrets, unmanaged, pending: secrets.flatMap((secret) => covering(secret).map((c) => ({ secret, ...c }))), read, issued };
}

/** What a host's server gets from an Ingress with spec.tls naming it in no entry (unnamedHostSecrets): as namedHostCertificate. */
function unnamedHostCertificate(u: UnnamedHostSecrets): { secret?: string; doubt?: string; fallback?: string } {
  if (u.serving) return { secret: u.serving.secret };
  if (u.secrets.length === 0) return { fallback: 'no spec.tls entry names it and none has a secretName' };
  if (u.read && u.unmanaged.length === 0 && u.pending.length === 0) return { fallback: `no spec.tls entry names it, and no entry's Secret holds a certificate naming it (${u.issued.join('; ')})` };
  const why = u.unmanaged.length ? (u.read ? `Secrets are not read and no cert-manager Certificate writes Secret ${u.unmanaged.join(', ')}` : 'Secrets are not read and cert-manager Certificates could not be read') : `${u.pending[0].certificate.startsWith('ingress-shim ') ? `cert-manager's ${u.pending[0].certificate}` : `cert-manager Certificate ${u.pending[0].certificate}`} names the host but is not Ready (${u.pending[0].notReady})`;
  return { doubt: `no spec.tls entry names the host, and whether an entry's Secret holds a certificate naming it is not known: ${why}` };
}

const TRAEFIK_ROUTER_ENTRYPOINTS = 'traefik.ingress.kubernetes.io/router.entrypoints';

/**
 * How Traefik serves an Ingress's routers: TLS-only (how), TLS-only at the edge but plaintext on
 * entryPoints only clients inside the cluster reach (inCluster), or plaintext at the edge.
 */
type TraefikIngressTls =
  | { secure: string; served: string; evidence: Record<string, unknown>; inCluster?: { secured: string[]; entryPoints: string[] } }
  /** `unproven`: its middlewares may redirect to https, which cannot be confirmed (traefikHttpsRedirect). */
  | { secure?: undefined; where: string; evidence: Record<string, unknown>; inCluster?: undefined; unproven?: string };

/** "entryPoint metrics (port 9100), which no … publishes …: only clients inside the cluster reach it". */
function inClusterEntryPoints(entryPoints: string[]): string {
  return `entryPoint${entryPoints.length > 1 ? 's' : ''} ${entryPoints.join(', ')}, which no LoadBalancer, NodePort or externalIPs Service selecting the Traefik pods publishes (nor hostNetwork or a hostPort): only clients inside the cluster reach ${entryPoints.length > 1 ? 'them' : 'it'}`;
}

/**
 * Traefik's Kubernetes Ingress provider gives a router TLS only from the Ingress's annotations
 * (traefik/traefik pkg/provider/kubernetes/ingress/kubernetes.go: rt.TLS = rtConfig.Router.TLS);
 * spec.tls only feeds its certificate store (getCertificates). Documented at
 * doc.traefik.io reference/routing-configuration/kubernetes/ingress, "Enabling TLS via
 * Annotations". Without that annotation the router answers plain HTTP on its entryPoints
 * (router.entrypoints, else the default entryPoints) unless each of them has TLS or redirects
 * to https, as for an IngressRoute without spec.tls (traefikRouterPlaintext judges both).
 */
function traefikIngressTls(snapshot: Snapshot, eps: TraefikEntryPoints, ing: KubeObject): TraefikIngressTls {
  const annotation = traefikRouterTls(ing);
  if (annotation) return { secure: annotation, served: `by a Traefik router with TLS (${annotation}), which answers only TLS requests`, evidence: { traefikRouterTls: annotation } };
  const raw = ing.metadata?.annotations?.[TRAEFIK_ROUTER_ENTRYPOINTS];
  const named = raw === undefined ? [] : raw.split(',').map((e) => e.trim()).filter(Boolean);
  const r = traefikRouterPlaintext(eps, named);
  const ns = ing.metadata?.namespace ?? 'default';
  const mw = r.plaintext === 'none' ? {} : traefikHttpsRedirect(snapshot, traefikIngressMiddlewares(snapshot, ing), ns, `Ingress ${ns}/${ing.metadata?.name ?? ''}`, { ingress: ing });
  if (mw.redirect) return { secure: `router middleware: ${mw.redirect}`, served: `by a Traefik router that answers every plaintext request with a redirect to https (${mw.redirect}, traefik.ingress.kubernetes.io/router.middlewares)`, evidence: { ...r.evidence, httpsRedirect: mw.redirect } };
  if (mw.note ?? mw.unproven) r.evidence.middlewareNote = mw.note ?? mw.unproven;
  if (r.plaintext === 'none') return { secure: `entryPoint TLS or redirection: ${r.secured.join('; ')}`, served: `by a Traefik router every entryPoint of which keeps it off plaintext HTTP (${r.secured.join('; ')})`, evidence: r.evidence };
  if (r.plaintext === 'in-cluster') {
    return {
      secure: `entryPoint TLS or redirection at the edge: ${r.secured.join('; ') || 'no entryPoint reached from outside the cluster'}`,
      served: r.secured.length ? `by a Traefik router every entryPoint of which reached from outside the cluster keeps it off plaintext HTTP (${r.secured.join('; ')})` : `by a Traefik router only on ${inClusterEntryPoints(r.inCluster)}`,
      evidence: r.evidence,
      inCluster: { secured: r.secured, entryPoints: r.inCluster },
    };
  }
  // Not proven plaintext either when a Traefik's entryPoints are in a file ztaudit does not read (r.unread).
  const unproven = mw.unproven ?? r.unread;
  return { where: r.plain.length ? `entryPoint${r.plain.length > 1 ? 's' : ''} ${r.plain.join(', ')}` : 'every default entryPoint', evidence: r.evidence, ...(unproven ? { unproven } : {}) };
}

/**
 * An Ingress an AWS ALB serves, the AWS Load Balancer Controller's or EKS Auto Mode's
 * (src/analysis/tls/aws-alb.ts): TLS ends at the ALB's HTTPS listeners whatever spec.tls says
 * (spec.tls only lets it discover certificates), so its listen-ports decide. Plain HTTP
 * listeners are fine only with ssl-redirect, which gives each a default action redirecting to
 * HTTPS. An IngressClass naming IngressClassParams (EKS Auto Mode's or the LBC's) that do not exist leaves the
 * ALB's settings unknown, as an unreadable listen-ports does. One whose IngressClassParams were not
 * read, or whose namespaceSelector refuses (or may refuse) the Ingress's namespace, gets no verdict:
 * the coverage note names it (albUnjudged).
 */
function albVerdict(ing: KubeObject, resource: { kind: string; namespace: string; name: string }, alb: NonNullable<ReturnType<typeof albIngressOf>>): Verdict {
  const who = `Ingress ${resource.namespace}/${resource.name} (${alb.by === 'eks-auto' ? 'EKS Auto Mode' : 'AWS Load Balancer Controller'})`;
  const listeners = alb.listeners.map((l) => `${l.protocol} ${l.port}`).join(', ');
  const params = alb.ingressClassParams ? `IngressClassParams ${JSON.stringify(alb.ingressClassParams.name)}` : undefined;
  const field = ALB_PARAMS[alb.by].certificates;
  const certificate = alb.certificateFromParams ? `with the ${field} of ${params}` : alb.certificateArn ? 'with alb.ingress.kubernetes.io/certificate-arn' : `without alb.ingress.kubernetes.io/certificate-arn${alb.by === 'eks-auto' || alb.ingressClassParams ? ` or IngressClassParams ${field}` : ''}`;
  const source = alb.listenPortsFromAnnotation ? ALB_LISTEN_PORTS : `default listen-ports, ${certificate}`;
  const evidence = { ...(alb.group ? { ingressGroup: alb.group.name, members: alb.group.members } : {}), listenPorts: listeners, listenPortsSource: alb.listenPortsFromAnnotation ? 'annotation' : 'default', certificateArn: alb.certificateArn, ...(alb.certificateFromParams ? { certificateArnSource: params } : {}), ...(alb.sslRedirect ? { sslRedirect: alb.sslRedirect } : {}), ...(alb.sslRedirectFromParams !== undefined ? { sslRedirectSource: `${params} sslRedirectPort` } : {}) };
  if (alb.invalidListenPorts) return { status: 'fail', resource, detailKey: 'alb-listeners', severity: 'medium', message: `${who}: ${ALB_LISTEN_PORTS} cannot be read (${alb.invalidListenPorts}); the controller does not reconcile it, so its listeners are unknown.`, evidence: { invalidListenPorts: alb.invalidListenPorts } };
  const group = alb.group ? `IngressGroup ${JSON.stringify(alb.group.name)} (Ingresses ${alb.group.members.join(', ')})` : undefined;
  if (alb.group?.error) return { status: 'fail', resource, detailKey: 'alb-listeners', severity: 'medium', message: `${who}: its ${group} shares one ALB, whose model the controller cannot build (${alb.group.error}); it reconciles none of the group's Ingresses, so their listeners and redirect are unknown.`, evidence: { ingressGroup: alb.group.name, members: alb.group.members, groupError: alb.group.error } };
  if (alb.invalidSslRedirect) return { status: 'fail', resource, detailKey: 'alb-listeners', severity: 'medium', message: `${who}: ${alb.invalidSslRedirect}, which the controller refuses; it does not reconcile ${group ? `its ${group}` : 'the Ingress'}, so its listeners and redirect are unknown.`, evidence: { invalidSslRedirect: alb.invalidSslRedirect, ...(alb.group ? { ingressGroup: alb.group.name } : {}) } };
  if (alb.ingressClassParams?.state === 'missing') return { status: 'fail', resource, detailKey: 'alb-listeners', severity: 'medium', message: `${who}: its IngressClass names ${params}, which does not exist, so the ALB's settings (${field}, sslPolicy) and its listeners are unknown.`, evidence: { ingressClassParams: alb.ingressClassParams.name, found: false } };
  const http = alb.listeners.filter((l) => l.protocol === 'HTTP').map((l) => l.port);
  const hosts = arr(obj(ing.spec)?.rules).map((r) => str(obj(r)?.host)).filter((h): h is string => !!h);
  const served = hosts.length ? hosts.join(', ') : 'any host';
  if (http.length === 0) return { status: 'pass', resource, detailKey: 'alb-listeners', message: `${who}: the ALB listens only on HTTPS (${source}: ${listeners}).`, evidence };
  const redirectSource = alb.group?.redirectBy ? `${alb.group.redirectBy}, which applies to every HTTP listener of its ${group}` : alb.sslRedirectFromParams !== undefined ? `sslRedirectPort of ${params}, which overrides alb.ingress.kubernetes.io/ssl-redirect` : 'alb.ingress.kubernetes.io/ssl-redirect';
  // Before the HTTPS-less case: a member of an IngressGroup listening on HTTP only is redirected
  // by the group's ssl-redirect too ("other rules will be ignored").
  if (alb.sslRedirect) return { status: 'pass', resource, detailKey: 'alb-listeners', message: `${who}: the ALB's HTTP listener${http.length > 1 ? 's' : ''} (port ${http.join(', ')}) redirect${http.length > 1 ? '' : 's'} to HTTPS (${redirectSource}: ${JSON.stringify(alb.sslRedirect)}).`, evidence };
  if (http.length === alb.listeners.length) return { status: 'fail', resource, detailKey: 'alb-listeners', message: `${who} has no HTTPS listener (${source}: ${listeners}): ${served} ${hosts.length > 1 ? 'are' : 'is'} served over plaintext HTTP.`, evidence };
  const without = group ? ` without an ssl-redirect that applies to its ${group}` : alb.sslRedirectFromParams !== undefined ? `: the ${redirectSource}, ${JSON.stringify(alb.sslRedirectFromParams)}, is not a port number, so the controller builds no redirect` : ' without alb.ingress.kubernetes.io/ssl-redirect';
  return { status: 'fail', resource, detailKey: 'alb-listeners', message: `${who} has HTTPS, but the ALB also serves ${served} over plaintext HTTP on port ${http.join(', ')} (${source}: ${listeners})${without}.`, evidence };
}

/**
 * A host a GKE Ingress serves over HTTPS, with the certificate of spec.tls entry `by` or, when no
 * entry covers it, of the certificates its annotations name (GkeIngress.certificates), whose
 * load balancer keeps its port-80 frontend (src/analysis/tls/gke.ts): served over plaintext HTTP
 * too, unless the FrontendConfig it names redirects port 80 to HTTPS (redirectToHttps).
 */
function gkePlainHttp(resource: { kind: string; namespace: string; name: string }, host: string | undefined, by: string | undefined, gke: GkeIngress, frontendConfigs: ReadonlyMap<string, KubeObject>): Verdict {
  const detailKey = host !== undefined ? `host/${host}` : 'default';
  const subject = host !== undefined ? `Host ${host}` : 'The host-less rule (any Host header)';
  const setting = gke.allowHttpRaw === undefined ? `${GKE_ALLOW_HTTP} is unset ("true" by default)` : `${GKE_ALLOW_HTTP} is ${JSON.stringify(gke.allowHttpRaw)}, not "false"`;
  const evidence = { ...(host !== undefined ? { host } : {}), ...(by !== undefined ? { tlsHost: by } : { certificates: gke.certificates }), gkeIngress: gke.by, allowHttp: gke.allowHttpRaw ?? '(unset)', ...(gke.frontendConfig !== undefined ? { frontendConfig: gke.frontendConfig } : {}) };
  const who = `GKE Ingress ${resource.namespace}/${resource.name} (${gke.by})`;
  const fromTls = gke.certificates.some((c) => c.startsWith('spec.tls '));
  const covered = by !== undefined ? `${subject} is covered by TLS entry ${by}` : `${subject} is served over HTTPS with the certificate of ${gke.certificates.join(' and ')} (${fromTls ? 'no spec.tls entry names it in hosts, which ingress-gce ignores' : 'no spec.tls entry covers it'})`;
  const redirect = gkeFrontendConfigRedirect(frontendConfigs, resource.namespace, gke);
  if (redirect.redirects) return { status: 'pass', resource, detailKey, evidence: { ...evidence, redirectToHttps: true }, message: `${covered}; ${who} keeps its port-80 frontend (${setting}), but it answers with a redirect to HTTPS: ${redirect.why}.` };
  if (gke.frontendConfig !== undefined) return { status: 'fail', resource, detailKey, evidence, message: `${covered}, but ${who} also serves it over plaintext HTTP on port 80: ${setting}, and ${redirect.why}. Set ${GKE_ALLOW_HTTP}: "false", or redirectToHttps.enabled: true in the FrontendConfig.` };
  return { status: 'fail', resource, detailKey, evidence, message: `${covered}, but ${who} also serves it over plaintext HTTP on port 80: ${setting}. Set ${GKE_ALLOW_HTTP}: "false", or redirect port 80 with a FrontendConfig (redirectToHttps).` };
}

/**
 * A host no spec.tls hosts entry covers on a GKE Ingress with a certificate (a spec.tls secretName,
 * a Google-managed or pre-shared certificate): the load balancer serves it over HTTPS with that
 * certificate, and only over HTTPS when allow-http is "false"
 * (cloud.google.com/kubernetes-engine/docs/how-to/managed-certs, …/ingress-multi-ssl).
 */
function gkeAnnotatedCertificate(resource: { kind: string; namespace: string; name: string }, host: string | undefined, gke: GkeIngress, frontendConfigs: ReadonlyMap<string, KubeObject>): Verdict {
  if (gke.allowHttp) return gkePlainHttp(resource, host, undefined, gke, frontendConfigs);
  return { status: 'pass', resource, detailKey: host !== undefined ? `host/${host}` : 'default', message: `${host !== undefined ? `Host ${host}` : `The host-less rule (any Host header)`} is served over HTTPS only: GKE Ingress ${resource.namespace}/${resource.name} (${gke.by}) takes its certificate from ${gke.certificates.join(' and ')}, and ${GKE_ALLOW_HTTP}: ${JSON.stringify(gke.allowHttpRaw)} leaves its load balancer no port-80 frontend.`, evidence: { ...(host !== undefined ? { host } : {}), certificates: gke.certificates, gkeIngress: gke.by, allowHttp: gke.allowHttpRaw } };
}

function ingressVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  // Ingresses whose serving ingress-nginx controller is in doubt (its class flags or annotation
  // prefix not known, or nginx refusing the configuration it renders, so that it serves what it
  // last loaded: nginxAppliedDoubt): their passes are not confirmed, nor their fails when every
  // controller serving them is (unconfirmedVerdict). Every verdict of such an Ingress rests on
  // what the controller serves of it (its server, certificate, redirect), so none is kept.
  const doubts = new Map<string, { pass: string; fail?: string }>();
  const frontendConfigs = gkeFrontendConfigs(ctx.snapshot);
  const nginx = nginxServerCertificates(ctx.snapshot);
  let dnsNames: ReturnType<typeof certificateDnsNames> | undefined;
  let eps: TraefikEntryPoints | undefined;
  for (const ing of ctx.snapshot.resources.ingresses ?? []) {
    const ns = ing.metadata?.namespace ?? 'default';
    const resource = { kind: 'Ingress', namespace: ns, name: ing.metadata?.name ?? '' };
    const alb = albIngressOf(ctx.snapshot, ing);
    if (alb) {
      if (!albUnjudged(alb)) out.push(albVerdict(ing, resource, alb));
      continue;
    }
    const servers = nginx.serversOf(ing);
    // A canary Ingress (under every serving controller's prefix) has no server of its own:
    // createServers skips it ("Ingress %v is marked as Canary, ignoring") and its paths are served
    // through the server of the host's non-canary Ingress, whose certificate and redirect that
    // Ingress's verdict judges; with no such Ingress ingress-nginx serves none of them.
    if (servers && nginxCanaryOnly(ctx.snapshot, ing)) continue;
    // Traefik alone decides only when no ingress-nginx serves the Ingress too (a class-less
    // Ingress with --watch-ingress-without-class on both): ingress-nginx answers the same host
    // over plain HTTP on its own port 80, and there spec.tls is what gives a host its certificate.
    let traefik: TraefikIngressTls | undefined;
    if (servers === undefined && servedByTraefik(ctx.snapshot, ing)) {
      // A chain Traefik refuses to build fails every router of the Ingress: it serves nothing (edgeRoutes' note says why).
      if (traefikRefused(ctx.snapshot, ing)) continue;
      traefik = traefikIngressTls(ctx.snapshot, eps ??= traefikEntryPoints(ctx.snapshot), ing);
    }
    // The redirect is a location setting from the annotations of the Ingress that defines the
    // path, applied when the server has a certificate whichever Ingress gave it
    // (rootfs/etc/nginx/lua/lua_ingress.lua, redirect_to_https).
    let redirect: ReturnType<typeof nginxRedirectSettings> | undefined;
    const spec = obj(ing.spec) ?? {};
    const tls = arr(spec.tls).map(obj).filter((t) => !!t);
    const tlsHosts = tls.flatMap((t) => arr(t!.hosts).filter((h): h is string => typeof h === 'string'));
    const hostlessTls = tls.some((t) => arr(t!.hosts).length === 0);
    const rules = arr(spec.rules).map(obj);
    const hosts = new Set<string>();
    let hostless = false;
    for (const r of rules) {
      const h = str(r?.host);
      if (h) hosts.add(h);
      else if (r) hostless = true;
    }
    if (rules.length === 0 && spec.defaultBackend) hostless = true;
    const merged = (host: string): Verdict | undefined => {
      const from = servers?.map((server) => nginx.certificates.get(`${server}|${normalizeHost(host)}`));
      if (!from || from.length === 0 || !from.every((f) => !!f)) return undefined;
      // This Ingress itself gave the host its certificate through no entry naming it: its own
      // Secrets decide (secretFallback), not another Ingress's.
      if (from.some((f) => f!.ingress === `${ns}/${resource.name}` && f!.tlsHost === undefined)) return undefined;
      const by = from[0]!;
      const fallback = from.find((f) => f!.fallback !== undefined);
      if (fallback) return defaultKept(host, fallback);
      const doubt = from.find((f) => f!.doubt)?.doubt;
      if (doubt) return { status: 'fail', resource, detailKey: `host/${host}`, severity: 'medium', message: `Host ${host} may take its certificate from Ingress ${by.ingress} (ingress-nginx merges the Ingresses of a host into one server), but that cannot be confirmed: ${doubt}. Otherwise it gets the controller's default certificate.`, evidence: { host, tlsHosts, certificateFrom: `Ingress ${by.ingress}`, tlsHost: by.tlsHost, ...(by.secret ? { secretName: by.secret } : {}), unconfirmed: doubt } };
      redirect ??= nginxRedirectSettings(ctx.snapshot, ing);
      const off = redirect.settings.find((x) => !x.force.v && !x.redirect.v);
      const on = redirect.settings[0].force.v ? redirect.settings[0].force : redirect.settings[0].redirect;
      const evidence = { host, tlsHosts, certificateFrom: `Ingress ${by.ingress}`, tlsHost: by.tlsHost, ...(by.secret ? { secretName: by.secret } : {}), redirect: (off ?? { redirect: on }).redirect.source, ...(redirect.notes.length ? { notes: redirect.notes } : {}) };
      // The redirect on the defaults of a controller whose ConfigMap is not known: it may turn it off.
      const unknown = off ? undefined : redirect.settings.map((x) => nginxRedirectUnknown(x, true)).find((u) => u !== undefined);
      if (unknown) return { status: 'fail', resource, detailKey: `host/${host}`, severity: 'medium', message: `Host ${host} takes its certificate from Ingress ${by.ingress} (ingress-nginx merges the Ingresses of a host into one server), but whether its paths here redirect HTTP to HTTPS cannot be confirmed: ${unknown}. It is not judged on the ingress-nginx defaults.`, evidence: { ...evidence, unconfirmed: unknown } };
      return off
        ? { status: 'fail', resource, detailKey: `host/${host}`, message: `Host ${host} has a certificate from Ingress ${by.ingress} (ingress-nginx merges the Ingresses of a host into one server), but ${off.redirect.source} turns the redirect off for the paths Ingress ${ns}/${resource.name} defines: they are served over plaintext HTTP.`, evidence }
        : { status: 'pass', resource, detailKey: `host/${host}`, message: `Host ${host} takes its certificate from Ingress ${by.ingress} (${certificateSource(by)}; ingress-nginx merges the Ingresses of a host into one server) and its paths here redirect HTTP to HTTPS (${on.source}).`, evidence };
    };
    const passthrough = servers ? nginxPassthrough(ctx.snapshot, ing) : undefined;
    const ignored = passthrough && !passthrough.on ? passthrough : undefined;
    // An unknown --enable-ssl-passthrough is judged apart, host by host, on both readings (passthroughInDoubt).
    const doubt = servers ? nginxIngressDoubt(ctx.snapshot, ing) : undefined;
    if (doubt !== undefined) { const fail = nginxIngressFailDoubt(ctx.snapshot, ing); doubts.set(`${ns}/${resource.name}`, { pass: doubt, ...(fail !== undefined ? { fail } : {}) }); }
    // The certificate is never presented for a passed-through host (port 443 goes to the backend by
    // SNI), so only whether the host's server holds one counts here: ssl-redirect redirects port 80
    // when it does (certificate.lua configured_for_current_request: any certificate uid for the
    // host). createServers gives one to the host of every non-canary Ingress with spec.tls, the
    // first in order keeping it: the Secret of the entry naming the host, else the first entry's
    // whose certificate verifies for it (extractTLSSecretName), else the default certificate
    // (getDefaultSSLCertificate, never nil: the fake one without --default-ssl-certificate);
    // controller.go at controller-v1.15.1. The passthrough server keeps it, and
    // nginx.go configureCertificates hands every server's certificate to Lua.
    const heldCertificate = (host: string): { from: string; doubt?: string } | undefined => {
      const held = servers?.map((server) => nginx.certificates.get(`${server}|${normalizeHost(host)}`));
      if (!held || held.length === 0 || !held.every((c) => !!c)) return undefined;
      const first = held[0]!;
      // Whichever it is, a certificate is held: a Secret not known to name the host leaves only which one in doubt.
      const secretInDoubt = first.doubt !== undefined && first.counts === undefined;
      const what = first.fallback !== undefined ? `the controller's default certificate (${first.fallback})`
        : first.secret !== undefined ? `the certificate of Secret ${first.secret}, which names the host`
        : first.tlsHost !== undefined ? `the certificate of TLS entry ${first.tlsHost}${secretInDoubt ? ', or the controller\'s default one if its Secret does not name the host' : ''}`
        : `the certificate of a Secret of its spec.tls if one names the host, else the controller's default one`;
      const doubt = held.find((c) => c!.ingress !== `${ns}/${resource.name}` && c!.counts !== undefined)?.counts;
      return { from: `${what}, given by Ingress ${first.ingress}`, ...(doubt !== undefined ? { doubt } : {}) };
    };
    // Port 443 goes to the backend as it is; port 80 still reaches ingress-nginx, which redirects
    // it only with force-ssl-redirect, ssl-redirect needing a certificate of its own for the host
    // (rootfs/etc/nginx/lua/lua_ingress.lua, redirect_to_https).
    const passedThrough = (host: string, pt: NginxPassthrough | undefined): Verdict | undefined => {
      if (!pt?.on) return undefined;
      redirect ??= nginxRedirectSettings(ctx.snapshot, ing);
      const off = redirect.settings.find((x) => !x.force.v);
      const evidence = { host, tlsHosts, sslPassthrough: pt.annotation, redirect: (off ?? redirect.settings[0]).force.source, ...(redirect.notes.length ? { notes: redirect.notes } : {}) };
      const passed = `Host ${host} is passed through to the backend on port 443 (${pt.annotation}, with --enable-ssl-passthrough): the backend terminates TLS and decides its version, probe it;`;
      if (!off) return { status: 'pass', resource, detailKey: `host/${host}`, message: `${passed} ingress-nginx redirects plain HTTP on port 80 to HTTPS (${redirect.settings[0].force.source}).`, evidence };
      const held = heldCertificate(host);
      const plain = redirect.settings.find((x) => !x.force.v && !x.redirect.v);
      if (held && !plain) {
        const ev = { ...evidence, redirect: off.redirect.source, certificateHeld: held.from };
        const unknown = redirect.settings.map((x) => nginxRedirectUnknown(x, true)).find((u) => u !== undefined) ?? held.doubt;
        if (unknown !== undefined) return { status: 'fail', resource, detailKey: `host/${host}`, severity: 'medium', message: `${passed} whether ingress-nginx redirects plain HTTP on port 80 to HTTPS cannot be confirmed: ${unknown}. With ${off.redirect.source} it does when it holds a certificate for the host (${held.from}). Set force-ssl-redirect: "true".`, evidence: { ...ev, unconfirmed: unknown } };
        return { status: 'pass', resource, detailKey: `host/${host}`, message: `${passed} ingress-nginx redirects plain HTTP on port 80 to HTTPS (${off.redirect.source}), as it holds a certificate for the host (${held.from}), which ssl-redirect needs.`, evidence: ev };
      }
      if (held && plain) return { status: 'fail', resource, detailKey: `host/${host}`, message: `Host ${host} is passed through to the backend on port 443 (${pt.annotation}), but ingress-nginx serves it over plaintext HTTP on port 80: ${plain.force.source}, and ${plain.redirect.source}. Set force-ssl-redirect: "true".`, evidence: { ...evidence, redirect: plain.redirect.source, certificateHeld: held.from } };
      return { status: 'fail', resource, detailKey: `host/${host}`, message: `Host ${host} is passed through to the backend on port 443 (${pt.annotation}), but ingress-nginx serves it over plaintext HTTP on port 80: ${off.force.source}, and ssl-redirect needs a certificate ingress-nginx holds for the host. Set force-ssl-redirect: "true".`, evidence };
    };
    // The reference's §5.1: no spec.tls is a plaintext Ingress, INFO when TLS provably terminates
    // upstream (a cloud load balancer). The severity scale has no INFO; its lowest step stands for
    // it, as a finding: the hop from the load balancer to the controller is plaintext unless the
    // load balancer re-encrypts (aws-load-balancer-backend-protocol ssl, UpstreamTls.plaintextServices).
    let upstream: UpstreamTls | undefined | null = null;
    const upstreamTls = (what: string, detailKey: string, evidence: Record<string, unknown>): Verdict | undefined => {
      if (tls.length > 0) return undefined;
      if (upstream === null) upstream = upstreamTlsForIngressNginx(ctx.snapshot, ing);
      if (!upstream) return undefined;
      return { status: 'fail', resource, detailKey, severity: 'low', message: `Ingress ${ns}/${resource.name} has no spec.tls, but TLS for ${what} terminates upstream: ${upstream.services.join('; ')}, and nothing else exposes the controller. Informational: ${upstream.plaintextServices.length === 0 ? 'the load balancer re-encrypts to ingress-nginx, and the Service\'s NodePorts reach its TLS port directly' : upstream.plaintextServices.length === upstream.services.length ? 'the load balancer forwards to ingress-nginx over plaintext HTTP inside the network, and the Service\'s NodePorts answer plaintext to whoever reaches the nodes' : `plaintext HTTP reaches ingress-nginx inside the network from ${upstream.plaintextServices.join('; ')}`}.`, evidence: { ...evidence, upstreamTls: upstream.services } };
    };
    // ingress-nginx's fallback for a host no tls hosts entry names: the Secret of any entry whose
    // certificate verifies for it (certificateDnsNames). The dnsNames of the cert-manager
    // Certificate writing a Secret say whether it does; a Secret no Certificate writes is unknown.
    const secretFallback = (host: string, wildcardOnly: string, ignored: Extract<NginxPassthrough, { on: false }> | undefined): Verdict | undefined => {
      if (!servers) return undefined;
      const { secrets, serving, unmanaged, pending, read } = unnamedHostSecrets(ctx.snapshot, dnsNames ??= certificateDnsNames(ctx.snapshot), ns, tls, host);
      if (secrets.length === 0) return undefined;
      if (serving) {
        const { secret, cert } = serving;
        return { status: 'pass', resource, detailKey: `host/${host}`, message: `Host ${host} is named by no spec.tls hosts entry, but ingress-nginx gives it the certificate of Secret ${secret}, which ${cert.certificate.startsWith('ingress-shim ') ? `cert-manager's ${cert.certificate}` : `cert-manager Certificate ${cert.certificate}`} issues for ${cert.dnsNames.filter((d) => ingressTlsHostCovers(d, host)).join(', ')}.`, evidence: { host, tlsHosts, secretName: secret, certificate: cert.certificate, dnsNames: cert.dnsNames } };
      }
      // `pending`: a Certificate naming the host that is not Ready: the Secret may hold an earlier
      // certificate or none, and ingress-nginx then finds no certificate for the host (certificateDnsNames).
      // Every Secret written by a Certificate whose dnsNames miss the host: ingress-nginx finds no
      // certificate for it, the generic finding below says so.
      if (read && unmanaged.length === 0 && pending.length === 0) return undefined;
      const named = [...new Set([...unmanaged, ...pending.map((p) => p.secret)])].map((n) => `Secret ${n}`).join(' or ');
      const why = [
        ...(unmanaged.length ? [read ? `no cert-manager Certificate writes ${pending.length ? `Secret${unmanaged.length > 1 ? 's' : ''} ${unmanaged.join(', ')}` : unmanaged.length > 1 ? 'them' : 'it'}` : 'cert-manager Certificates could not be read'] : []),
        ...pending.map((p) => `${p.certificate.startsWith('ingress-shim ') ? `cert-manager's ${p.certificate}` : `cert-manager Certificate ${p.certificate}`} names the host but is not Ready (${p.notReady}), so Secret ${p.secret} may hold an earlier certificate, or none, until it is`),
      ];
      return { status: 'fail', resource, detailKey: `host/${host}`, severity: 'medium', evidence: { host, tlsHosts, secretNames: [...new Set([...unmanaged, ...pending.map((p) => p.secret)])], ...(pending.length ? { certificatesNotReady: pending.map((p) => ({ certificate: p.certificate, secretName: p.secret, notReady: p.notReady })) } : {}), ...(ignored ? { sslPassthrough: ignored.annotation, sslPassthroughIgnored: ignored.ignored } : {}) },
        message: `${ignored ? `Ingress ${ns}/${resource.name} asks for SSL passthrough (${ignored.annotation}), but ingress-nginx ignores it: ${ignored.ignored}. ` : ''}Host ${host} is named by no spec.tls hosts entry (TLS hosts: ${tlsHosts.join(', ') || 'none'}${wildcardOnly}): ingress-nginx covers it only if ${named}'s certificate names the host (Secrets are not read, and ${why.join('; and ')}); otherwise it gets the controller's default certificate (with ssl-redirect on, HTTP is redirected to HTTPS serving that certificate). Name the host in the entry's hosts.` };
    };
    // The host's server took the default certificate from an earlier Ingress's entry (nginxServerCertificates): it keeps it.
    // When that Ingress may not count (a controller that may not watch it, or may read it as a
    // canary: nginxCanaryFor), the finding cannot be confirmed.
    const defaultKept = (host: string, first: ServerCertificate): Verdict => ({
      status: 'fail', resource, detailKey: `host/${host}`, ...(first.doubt ? { severity: 'medium' as const } : {}),
      message: `${first.doubt ? `Whether this holds cannot be confirmed: ${first.doubt}. ` : ''}Host ${host} gets the controller's default certificate: Ingress ${first.ingress}, the first in ingress-nginx's order (oldest creationTimestamp) ${first.tlsHost !== undefined ? `to name it in spec.tls (entry ${first.tlsHost}), gives` : 'with spec.tls and a rule for it, names it in no spec.tls entry and gives'} no certificate that serves it (${first.fallback}), so ingress-nginx keeps the default certificate for the host and takes no later Ingress's${first.ingress === `${ns}/${resource.name}` ? '' : `, this one's included`} (with ssl-redirect on, HTTP is redirected to HTTPS serving that certificate). ${first.tlsHost !== undefined ? 'Fix the entry' : 'Name the host in a spec.tls entry, with a Secret whose certificate names it,'} of Ingress ${first.ingress}.`,
      evidence: { host, tlsHosts, defaultCertificateFrom: `Ingress ${first.ingress}`, tlsHost: first.tlsHost, why: first.fallback, ...(first.doubt ? { unconfirmed: first.doubt } : {}) },
    });
    // A host an entry names exactly: that entry's Secret alone is tried (controller.go createServers).
    const nginxNamedVerdict = (host: string, named: { tlsHost: string; secretName?: string }, pt: NginxPassthrough | undefined): Verdict | undefined => {
      const evidence = { host, tlsHost: named.tlsHost, ...(named.secretName ? { secretName: named.secretName } : {}) };
      // An earlier Ingress left the host's server on the default certificate (every server, when several controllers serve it).
      const earlier = servers?.map((server) => nginx.certificates.get(`${server}|${normalizeHost(host)}`));
      const kept = earlier?.find((f) => f?.fallback !== undefined && f.ingress !== `${ns}/${resource.name}`);
      if (kept && !pt?.on) return defaultKept(host, kept);
      if (!named.secretName) return passedThrough(host, pt) ?? { status: 'fail', resource, detailKey: `host/${host}`, evidence, message: `Host ${host} is named by a spec.tls entry without a secretName: ingress-nginx serves it the controller's default certificate (with ssl-redirect on, HTTP is redirected to HTTPS serving that certificate). Give the entry the Secret of a certificate for the host.` };
      const serves = secretServes(ctx.snapshot, dnsNames ??= certificateDnsNames(ctx.snapshot), ns, named.secretName, host);
      if (serves.kind === 'unknown') return { status: 'pass', resource, detailKey: `host/${host}`, message: `Host ${host} is covered by TLS entry ${named.tlsHost} (Secret ${named.secretName}; ${serves.why}).`, evidence };
      if (serves.kind === 'serves') return { status: 'pass', resource, detailKey: `host/${host}`, message: `Host ${host} is covered by TLS entry ${named.tlsHost}: Secret ${named.secretName} holds the certificate cert-manager Certificate ${serves.cert.certificate} issues for ${serves.names.join(', ')}.`, evidence: { ...evidence, certificate: serves.cert.certificate, dnsNames: serves.cert.dnsNames } };
      if (serves.kind === 'doubt') return passedThrough(host, pt) ?? { status: 'fail', resource, detailKey: `host/${host}`, severity: 'medium', evidence: { ...evidence, unconfirmed: serves.why },
        message: `Host ${host} is named by TLS entry ${named.tlsHost}, but whether Secret ${named.secretName}'s certificate serves it cannot be confirmed: ${serves.why}. If it does not, ingress-nginx serves the controller's default certificate.` };
      const issued = serves.certs.map((c) => `cert-manager Certificate ${c.certificate} issues it for ${c.dnsNames.join(', ') || (c.commonName ? `commonName ${c.commonName}` : 'no name')}${c.notReady ? ` (not Ready: ${c.notReady})` : ''}`).join('; ');
      return passedThrough(host, pt) ?? { status: 'fail', resource, detailKey: `host/${host}`, evidence: { ...evidence, certificates: serves.certs.map((c) => ({ certificate: c.certificate, dnsNames: c.dnsNames })) },
        message: `Host ${host} is named by TLS entry ${named.tlsHost}, but Secret ${named.secretName}'s certificate does not name it (${issued}): ingress-nginx cannot verify it for the host and serves the controller's default certificate instead (with ssl-redirect on, HTTP is redirected to HTTPS serving that certificate). Add ${host} to the Certificate's dnsNames.` };
    };
    const gke = gkeIngressOf(ctx.snapshot, ing);
    // A host a spec.tls entry covers, on a controller other than ingress-nginx, Traefik and ALB
    // (judged apart): HTTPS is served, and whether port 80 serves the host in plaintext too is the
    // controller's to say.
    const coveredVerdict = (host: string, by: string): Verdict => {
      const evidence = { host, tlsHost: by };
      const covered = `Host ${host} is covered by TLS entry ${by}`;
      // GKE with HTTP allowed, or a certificate from annotations, is judged before (gkePlainHttp).
      if (gke) return { status: 'pass', resource, detailKey: `host/${host}`, message: `${covered}.`, evidence };
      const controller = ingressControllerOf(ctx.snapshot, ing);
      if (controller.family === 'contour') {
        // Contour adds the host's port-80 route unless kubernetes.io/ingress.allow-http is "false",
        // and redirects it to HTTPS only with ingress.kubernetes.io/force-ssl-redirect: "true"
        // (projectcontour/contour internal/dag/ingress_processor.go@31c4bb38 lines 237 and 293;
        // internal/annotation/annotations.go HTTPAllowed, TLSRequired;
        // https://projectcontour.io/docs/main/config/annotations/).
        const a = ing.metadata?.annotations ?? {};
        const ev = { ...evidence, controller: controller.label, forceSslRedirect: a[CONTOUR_FORCE_SSL_REDIRECT], allowHttp: a[CONTOUR_ALLOW_HTTP] };
        if (a[CONTOUR_FORCE_SSL_REDIRECT] === 'true') return { status: 'pass', resource, detailKey: `host/${host}`, message: `${covered}; Contour redirects plaintext requests on port 80 to HTTPS (${CONTOUR_FORCE_SSL_REDIRECT}: "true").`, evidence: ev };
        if (a[CONTOUR_ALLOW_HTTP] === 'false') return { status: 'pass', resource, detailKey: `host/${host}`, message: `${covered}; Contour adds no plaintext route for it (${CONTOUR_ALLOW_HTTP}: "false").`, evidence: ev };
        return { status: 'fail', resource, detailKey: `host/${host}`, evidence: ev, message: `${covered}, but ${controller.label} also serves it over plaintext HTTP on port 80: Contour redirects it to HTTPS only with the annotation ${CONTOUR_FORCE_SSL_REDIRECT}: "true", and adds no port-80 route only with ${CONTOUR_ALLOW_HTTP}: "false".` };
      }
      if (controller.family === 'istio') {
        // istiod makes of an Ingress a Gateway with an HTTPS server per spec.tls entry and a port-80
        // HTTP server for every host ("*") without tls.httpsRedirect, whatever the Ingress says
        // (istio/istio pilot/pkg/config/kube/ingress/conversion.go, convertIngressV1alpha3).
        return { status: 'fail', resource, detailKey: `host/${host}`, evidence: { ...evidence, controller: controller.label }, message: `${covered}, but ${controller.label} also serves it over plaintext HTTP on port 80: istiod turns an Ingress into a Gateway whose port-80 server takes every host without tls.httpsRedirect, and no Ingress setting changes that. Expose the host through an Istio Gateway whose port-80 server sets tls.httpsRedirect (or a Gateway API Gateway redirecting HTTP) instead.` };
      }
      const why = `ztaudit reads how ingress-nginx, Traefik, Contour, Istio, GKE and the AWS Load Balancer Controller treat port 80, not how ${controller.label} does`;
      return { status: 'fail', resource, detailKey: `host/${host}`, severity: 'medium', evidence: { ...evidence, controller: controller.label, unconfirmed: why }, message: `${covered}, but whether ${controller.label} also serves it over plaintext HTTP on port 80, rather than redirecting to HTTPS, cannot be confirmed: ${why}. Make sure the controller redirects plain HTTP for the Ingress, or serves it on HTTPS only.` };
    };
    // The verdict on an ingress-nginx (or other controller's, without Traefik or GKE) host, on one
    // reading of the ssl-passthrough annotation (`pt`: nginxPassthrough's, or honoured).
    const nginxHostVerdict = (host: string, by: string | undefined, pt: NginxPassthrough | undefined): Verdict => {
      const ignored = pt && !pt.on ? pt : undefined;
      if (servers) {
        // ingress-nginx: only an entry naming the host exactly picks its Secret, whose certificate
        // must then serve the host (nginxNamingEntry, secretServes); a wildcard entry names none.
        const named = nginxNamingEntry(tls, host);
        const verdict = named && nginxNamedVerdict(host, named, pt);
        if (verdict) return verdict;
      }
      const wildcardOnly = servers && by ? `; ingress-nginx compares tls hosts exactly, so ${by} names no host` : '';
      return by && !servers
        ? coveredVerdict(host, by)
        // The host's own verdict reads no key of the controller ConfigMap: force-ssl-redirect (on
        // for every location) would send port 80 to HTTPS, where a host no entry covers gets the
        // controller's default certificate, a finding too; so a ConfigMap not known, or a value in it
        // ingress-nginx refuses (it keeps the key's default), leaves it standing. Only nginx refusing
        // the whole configuration does not (unconfirmedVerdict, nginxAppliedDoubt).
        : passedThrough(host, pt) ?? merged(host) ?? upstreamTls(`host ${host}`, `host/${host}`, { host, tlsHosts }) ?? secretFallback(host, wildcardOnly, ignored) ?? {
          status: 'fail', resource, detailKey: `host/${host}`,
          message: `${ignored ? `Ingress ${ns}/${resource.name} asks for SSL passthrough (${ignored.annotation}), but ingress-nginx ignores it: ${ignored.ignored}. ` : ''}${tls.length === 0
            ? `${ignored ? 'It has no spec.tls' : `Ingress ${ns}/${resource.name} has no spec.tls`}: host ${host} is served over plaintext HTTP.`
            : `Host ${host} has no covering spec.tls entry (TLS hosts: ${tlsHosts.join(', ') || 'none'}${wildcardOnly}): ${servers ? 'ingress-nginx gives it the controller\'s default certificate (with ssl-redirect on, HTTP is redirected to HTTPS serving that certificate)' : 'it is served over HTTP or with the controller\'s default certificate'}.`}`,
          evidence: { host, tlsHosts, ...(ignored ? { sslPassthrough: ignored.annotation, sslPassthroughIgnored: ignored.ignored } : {}) },
        };
    };
    for (const host of hosts) {
      const by = tlsHosts.find((t) => ingressTlsHostCovers(t, host));
      if (by && gke?.allowHttp) {
        out.push(gkePlainHttp(resource, host, by, gke, frontendConfigs));
        continue;
      }
      if (!by && gke && gke.certificates.length > 0) {
        out.push(gkeAnnotatedCertificate(resource, host, gke, frontendConfigs));
        continue;
      }
      if (traefik?.inCluster) {
        const { secured, entryPoints } = traefik.inCluster;
        out.push({ status: 'fail', resource, detailKey: `host/${host}`, severity: 'low', evidence: { host, tlsHosts, ...traefik.evidence },
          message: `${secured.length ? `Host ${host} is kept off plaintext HTTP at the edge (${secured.join('; ')}), but Traefik's router for Ingress ${ns}/${resource.name} also answers it` : `Traefik's router for Ingress ${ns}/${resource.name} answers host ${host}`} over plaintext HTTP on ${inClusterEntryPoints(entryPoints)}. Name the router's entryPoints (traefik.ingress.kubernetes.io/router.entrypoints), mark the edge ones asDefault, or set traefik.ingress.kubernetes.io/router.tls: "true".` });
        continue;
      }
      if (traefik) {
        out.push(traefik.secure !== undefined
          ? { status: 'pass', resource, detailKey: `host/${host}`, message: `Host ${host} is served ${traefik.served}.`, evidence: { host, tlsHosts, ...traefik.evidence } }
          : traefik.unproven !== undefined
          ? { status: 'fail', resource, detailKey: `host/${host}`, severity: 'medium', evidence: { host, tlsHosts, ...traefik.evidence },
            message: `Whether host ${host} is served over plaintext HTTP on ${traefik.where} by Traefik's router for Ingress ${ns}/${resource.name}, which has no TLS, cannot be confirmed: ${traefik.unproven}. Use a Middleware with redirectScheme: {scheme: https}, or set traefik.ingress.kubernetes.io/router.tls: "true".` }
          : { status: 'fail', resource, detailKey: `host/${host}`, evidence: { host, tlsHosts, ...traefik.evidence },
            message: `${tls.length === 0 ? `Ingress ${ns}/${resource.name} has no spec.tls: host ${host} is served over plaintext HTTP on ${traefik.where}.`
              : `Host ${host} is served over plaintext HTTP on ${traefik.where}: Traefik's router for Ingress ${ns}/${resource.name} has no TLS (${by ? `spec.tls entry ${by} only gives Traefik a certificate` : `no spec.tls entry covers it, and spec.tls only gives Traefik certificates`}; the annotation traefik.ingress.kubernetes.io/router.tls: "true" makes the router TLS-only).`}${typeof traefik.evidence.middlewareNote === 'string' ? ` Its middlewares do not redirect it to https: ${traefik.evidence.middlewareNote}.` : ''}` });
        continue;
      }
      const v = nginxHostVerdict(host, by, passthrough);
      // --enable-ssl-passthrough not known: judged as the controller honouring the annotation too.
      out.push(ignored?.unknown !== undefined ? passthroughInDoubt(host, v, nginxHostVerdict(host, by, { annotation: ignored.annotation, on: true }), ignored.unknown) : v);
    }
    if (hostless) {
      // TLS cannot apply to the host-less default rule (a certificate would have to cover
      // every name): a TLS entry without hosts leaves it to the controller's default server,
      // and the rule still answers plain HTTP for any Host header.
      if (traefik?.inCluster && traefik.inCluster.secured.length === 0) out.push({ status: 'fail', resource, detailKey: 'default', severity: 'low', message: `Traefik's router for Ingress ${ns}/${resource.name} answers its host-less rule (any Host header) over plaintext HTTP on ${inClusterEntryPoints(traefik.inCluster.entryPoints)}.`, evidence: { tlsHosts, ...traefik.evidence } });
      // Traefik keeps it off plaintext whatever spec.tls says: only its certificate is in question.
      else if (traefik?.secure !== undefined) out.push({ status: 'fail', resource, detailKey: 'default', severity: 'medium', message: `Ingress ${ns}/${resource.name}'s host-less rule (any Host header) is served ${traefik.served}, but without a host name no certificate can be picked or requested for it, so it presents Traefik's default certificate. Name the hosts.`, evidence: { tlsHosts, ...(hostlessTls ? { tlsEntryWithoutHosts: true } : {}), ...traefik.evidence } });
      // GKE's load balancer serves any Host header over HTTPS with the certificates it holds, the
      // secrets of spec.tls entries without hosts included (src/analysis/tls/gke.ts).
      else if (gke && gke.certificates.length > 0) out.push(gkeAnnotatedCertificate(resource, undefined, gke, frontendConfigs));
      else out.push(hostlessTls
        ? { status: 'fail', resource, detailKey: 'default', severity: 'medium', message: `Ingress ${ns}/${resource.name} serves a host-less rule (any Host header); a TLS entry without hosts cannot cover it, so it depends on the controller's default certificate and still answers HTTP. Name the hosts.`, evidence: { tlsHosts, tlsEntryWithoutHosts: true } }
        : upstreamTls('its host-less rule (any Host header)', 'default', { tlsHosts }) ?? { status: 'fail', resource, detailKey: 'default', message: `Ingress ${ns}/${resource.name} serves a host-less rule (any Host header) without TLS${traefik && traefik.secure === undefined ? ` on ${traefik.where}` : ''}.`, evidence: { tlsHosts, ...traefik?.evidence } });
    }
  }
  return doubts.size === 0 ? out : out.map((v) => unconfirmedVerdict(v, doubts.get(`${v.resource.namespace}/${v.resource.name}`)));
}

/**
 * A verdict on an Ingress whose ingress-nginx controller is in doubt (nginxIngressDoubt,
 * nginxIngressFailDoubt): a pass, or a fail when every controller serving it is in doubt, becomes a
 * medium finding saying it cannot be confirmed, as findings resting on a value ztaudit cannot read
 * are elsewhere (an unknown controller ConfigMap, the edge guards). A low fail stays low.
 */
function unconfirmedVerdict(v: Verdict, doubt: { pass: string; fail?: string } | undefined): Verdict {
  if (doubt === undefined || v.resource.kind !== 'Ingress') return v;
  const why = v.status === 'pass' ? doubt.pass : doubt.fail;
  if (why === undefined) return v;
  const earlier = typeof v.evidence?.unconfirmed === 'string' ? `${v.evidence.unconfirmed}; ` : '';
  return { ...v, status: 'fail', severity: v.status === 'fail' && v.severity === 'low' ? 'low' : 'medium', message: `${v.message} That cannot be confirmed: ${why}.`, evidence: { ...v.evidence, unconfirmed: `${earlier}${why}` } };
}

/**
 * A host of an Ingress asking for ingress-nginx SSL passthrough from a controller whose
 * --enable-ssl-passthrough is not known (`why`), judged on both readings: `off` as if the controller
 * ignored the annotation, `on` as if it honoured it. The same status either way is certain; else a
 * medium finding (low when the failing reading is low) saying it cannot be confirmed, with both.
 */
function passthroughInDoubt(host: string, off: Verdict, on: Verdict, why: string): Verdict {
  if (off.status === 'pass' && on.status === 'pass') return { ...off, message: `${off.message} ${capitalize(why)}; honoured, it passes too: ${on.message}`, evidence: { ...off.evidence, ifPassedThrough: on.message } };
  if (off.status === 'fail' && on.status === 'fail') return { ...off, message: `${off.message} If it honours it: ${on.message}`, evidence: { ...off.evidence, ifPassedThrough: on.message } };
  const failing = off.status === 'fail' ? off : on;
  return {
    ...failing, status: 'fail', severity: failing.severity === 'low' ? 'low' : 'medium',
    message: `Whether host ${host} is kept off plaintext HTTP cannot be confirmed: ${why}. If it honours it: ${on.message} If not: ${off.message}`,
    evidence: { ...failing.evidence, ifPassedThrough: on.message, ifNotPassedThrough: off.message, unconfirmed: why },
  };
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface Listener {
  name: string; protocol: string; hostname?: string; tls?: Record<string, unknown>; port?: number;
  /** The Gateway, or the ListenerSet holding the listener (its namespace is its certificateRefs'). */
  holder: KubeObject;
  listenerSet?: ResourceRef;
}

/**
 * Whether every rule of a route answers with a RequestRedirect to scheme https. Such a route
 * on an HTTP listener serves no content there: the client is sent to HTTPS (the Gateway API
 * HTTP-to-HTTPS redirect guide, gateway-api.sigs.k8s.io/guides/http-redirect-rewrite/, attaches
 * exactly this route to a host-less HTTP listener). A redirect without a scheme keeps the
 * request's (HTTPRequestRedirectFilter.scheme), so it proves nothing.
 */
function redirectsOnlyToHttps(route: KubeObject | undefined): boolean {
  const rules = arr(obj(route?.spec)?.rules).map(obj);
  return rules.length > 0 && rules.every((r) => arr(r?.filters).map(obj).some((f) => str(f?.type) === 'RequestRedirect' && str(obj(f?.requestRedirect)?.scheme)?.toLowerCase() === 'https'));
}

/** The listener's certificateRefs to another namespace that no ReferenceGrant allows, "Secret ns/name". */
function refusedCertificateRefs(ctx: AuditContext, l: Listener): string[] {
  return listenerCertificateRefs(ctx.snapshot, l.holder, l.tls).filter((r) => !r.permitted).map((r) => `${r.kind} ${r.namespace}/${r.name}`);
}

/**
 * A listener whose every certificateRef is refused has no certificate: Gateway API sets its
 * ResolvedRefs condition False with reason RefNotPermitted (GatewayTLSConfig.certificateRefs,
 * https://gateway-api.sigs.k8s.io/reference/spec/#gatewaytlsconfig).
 */
function refusedVerdict(resource: Verdict['resource'], detailKey: string, l: Listener, ns: string, refused: string[], ev: Record<string, unknown>): Verdict {
  return { status: 'fail', resource, detailKey, message: `${l.protocol} listener ${l.name} cannot terminate TLS: its certificateRefs (${refused.join(', ')}) are in another namespace and no ReferenceGrant there allows ${resource.kind}s from ${ns}, so the listener's ResolvedRefs is False (RefNotPermitted). Add a ReferenceGrant in the Secret's namespace (from ${resource.kind} in ${ns}, to Secret) or keep the Secret beside the ${resource.kind}.`, evidence: { ...ev, refusedCertificateRefs: refused } };
}

/** The routes attached to a listener that forward requests but may not be admitted there (EdgeAttachment.attachmentUnknown). */
const mayForward = (here: EdgeAttachment[]) => here.filter((a) => a.attachmentUnknown && a.forwards.length > 0);

/**
 * The coverage note naming the Gateway API HTTP listeners gatewayApiVerdicts leaves without a
 * verdict: no route known to be attached forwards over them, but one that may be does.
 */
function gatewayListenersUnjudged(ctx: AuditContext): string | undefined {
  const byListener = new Map<string, EdgeAttachment[]>();
  for (const a of edgeRoutes(ctx.snapshot).attachments) {
    if (a.gateway.kind !== 'Gateway' || a.listener === undefined) continue;
    const key = JSON.stringify([a.gateway.namespace, a.gateway.name, a.listenerSet?.kind ?? '', a.listenerSet?.namespace ?? '', a.listenerSet?.name ?? '', a.listener]);
    const here = byListener.get(key);
    if (here) here.push(a);
    else byListener.set(key, [a]);
  }
  const listeners = new Map((ctx.snapshot.resources['gatewayapi.gateways'] ?? []).flatMap((gw) => gatewayListeners(ctx.snapshot, gw).map((l) => [JSON.stringify([gw.metadata?.namespace ?? 'default', gw.metadata?.name ?? '', l.listenerSet?.kind ?? '', l.listenerSet?.namespace ?? '', l.listenerSet?.name ?? '', l.name]), (str(l.listener.protocol) ?? '').toUpperCase()] as const)));
  const withheld = [...byListener.entries()].filter(([key, here]) => listeners.get(key) === 'HTTP' && !here.some((a) => !a.attachmentUnknown && a.forwards.length > 0) && mayForward(here).length > 0)
    .map(([, here]) => { const a = mayForward(here)[0]; return `${a.listenerSet ? `${a.listenerSet.kind} ${a.listenerSet.namespace}/${a.listenerSet.name} (of Gateway ${a.gateway.namespace}/${a.gateway.name})` : `Gateway ${a.gateway.namespace}/${a.gateway.name}`} listener ${a.listener}: ${a.route.kind} ${a.route.namespace}/${a.route.name} (${a.attachmentUnknown})`; });
  return withheld.length > 0 ? `${withheld.length} Gateway API HTTP listener(s) are not judged: a route that forwards over plain HTTP may be attached to them or not: ${withheld.join('; ')}` : undefined;
}

function gatewayApiVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const { attachments } = edgeRoutes(ctx.snapshot);
  const httpRoutes = new Map((ctx.snapshot.resources['gatewayapi.httproutes'] ?? []).map((r) => [`${r.metadata?.namespace ?? 'default'}/${r.metadata?.name ?? ''}`, r]));
  for (const gw of ctx.snapshot.resources['gatewayapi.gateways'] ?? []) {
    const gwNs = gw.metadata?.namespace ?? 'default';
    const gwName = gw.metadata?.name ?? '';
    // The Gateway's own listeners and those of the ListenerSets it takes (gatewayListeners): a
    // verdict on one of the latter names its ListenerSet, which holds it.
    const listeners: Listener[] = gatewayListeners(ctx.snapshot, gw).map((g) => ({
      name: g.name,
      protocol: (str(g.listener.protocol) ?? '').toUpperCase(),
      hostname: str(g.listener.hostname),
      tls: obj(g.listener.tls),
      port: typeof g.listener.port === 'number' ? g.listener.port : undefined,
      holder: g.holder,
      ...(g.listenerSet ? { listenerSet: g.listenerSet } : {}),
    }));
    const secure = listeners.filter((l) => l.protocol === 'HTTPS' || l.protocol === 'TLS');
    for (const l of listeners) {
      const ns = l.listenerSet?.namespace ?? gwNs;
      const resource = l.listenerSet ? { kind: l.listenerSet.kind, namespace: ns, name: l.listenerSet.name } : { kind: 'Gateway', namespace: ns, name: gwName };
      const detailKey = `listener/${l.name}`;
      const ev = { listener: l.name, protocol: l.protocol, hostname: l.hostname ?? '*', port: l.port, ...(l.listenerSet ? { gateway: `${gwNs}/${gwName}` } : {}) };
      if (l.protocol === 'HTTP') {
        const coveredBy = secure.find((s) => listenerHostnameCovers(s.hostname, l.hostname));
        // A route attached to the HTTP listener whose rules forward (backendRefs, no RequestRedirect
        // to https) serves its content in plaintext, whatever HTTPS listener sits beside it.
        const here = attachments.filter((a) => a.gateway.kind === 'Gateway' && a.gateway.namespace === gwNs && a.gateway.name === gwName && a.listener === l.name
          && a.listenerSet?.kind === l.listenerSet?.kind && a.listenerSet?.namespace === l.listenerSet?.namespace && a.listenerSet?.name === l.listenerSet?.name);
        const attached = here.filter((a) => !a.attachmentUnknown);
        const plain = attached.filter((a) => a.forwards.length > 0);
        // Hostnames no attached route matches get a 404 from the listener, no content.
        const redirectsOnly = attached.length > 0 && attached.every((a) => a.route.kind === 'HTTPRoute' && redirectsOnlyToHttps(httpRoutes.get(`${a.route.namespace}/${a.route.name}`)));
        if (plain.length > 0) {
          const routes = plain.map((a) => `${a.route.kind} ${a.route.namespace}/${a.route.name} (${a.hosts.join(', ')} → ${a.forwards.join(', ')})`);
          out.push({ status: 'fail', resource, detailKey, message: `HTTP listener ${l.name} serves content in plaintext: ${routes.join('; ')} forward${plain.length > 1 ? '' : 's'} requests instead of redirecting them to HTTPS (RequestRedirect filter with scheme https)${coveredBy ? `, although ${coveredBy.protocol} listener ${coveredBy.name} covers the hostname` : ''}.`, evidence: { ...ev, routes: plain.map((a) => ({ route: `${a.route.kind} ${a.route.namespace}/${a.route.name}`, hosts: a.hosts, forwards: a.forwards })) } });
        } else if (mayForward(here).length > 0) {
          // A route that forwards may be attached here or not (its namespace's labels are not
          // known): no verdict, the coverage note names it (gatewayListenersUnjudged).
        } else if (coveredBy) out.push({ status: 'pass', resource, detailKey, message: `HTTP listener ${l.name} (${l.hostname ?? 'any host'}) forwards nothing (its routes, if any, redirect) and is paired with ${coveredBy.protocol} listener ${coveredBy.name}.`, evidence: ev });
        else if (redirectsOnly) {
          const routes = attached.map((a) => `${a.route.kind} ${a.route.namespace}/${a.route.name}`);
          out.push({ status: 'pass', resource, detailKey, message: `HTTP listener ${l.name} (${l.hostname ?? 'any host'}) serves no content: every route attached to it (${routes.join(', ')}) only redirects to https.`, evidence: { ...ev, redirects: routes } });
        } else if (attached.length === 0) {
          // "When no rules matching a request have been successfully attached to the parent a
          // request is coming from, a HTTP 404 status code MUST be returned" (HTTPRoute spec,
          // https://gateway-api.sigs.k8s.io/reference/spec/#httproutespec); cert-manager's
          // HTTP-01 solver attaches its route to such a listener only during a challenge.
          out.push({ status: 'pass', resource, detailKey, message: `HTTP listener ${l.name} has no routes attached: it serves nothing (404).`, evidence: { ...ev, routes: [] } });
        } else out.push({ status: 'fail', resource, detailKey, message: `Hostname ${l.hostname ?? '(any)'} is served only by HTTP listener ${l.name}: no HTTPS/TLS listener covers it.`, evidence: ev });
      } else if (l.protocol === 'HTTPS') {
        const mode = str(l.tls?.mode) ?? 'Terminate';
        const certs = arr(l.tls?.certificateRefs).length;
        const options = Object.keys(obj(l.tls?.options) ?? {}).length;
        const refused = refusedCertificateRefs(ctx, l);
        if (!l.tls) out.push({ status: 'fail', resource, detailKey, message: `HTTPS listener ${l.name} has no tls block: it cannot terminate TLS.`, evidence: ev });
        else if (mode !== 'Terminate') out.push({ status: 'fail', resource, detailKey, message: `HTTPS listener ${l.name} uses tls.mode ${mode}; HTTPS listeners may only Terminate (invalid manifest).`, evidence: { ...ev, mode } });
        else if (certs === 0 && options === 0) out.push({ status: 'fail', resource, detailKey, message: `HTTPS listener ${l.name} terminates TLS without certificateRefs.`, evidence: ev });
        else if (certs > 0 && refused.length === certs) out.push(refusedVerdict(resource, detailKey, l, ns, refused, ev));
        else out.push({ status: 'pass', resource, detailKey, message: `HTTPS listener ${l.name} terminates TLS${refused.length ? ` (its certificateRefs ${refused.join(', ')} are refused: in another namespace without a ReferenceGrant)` : ''}.`, evidence: { ...ev, certificateRefs: certs, ...(refused.length ? { refusedCertificateRefs: refused } : {}) } });
      } else if (l.protocol === 'TLS') {
        // ListenerTLSConfig.mode is optional with +kubebuilder:default=Terminate (gateway-api
        // apis/v1/gateway_types.go), so the API server writes Terminate into a tls block without
        // one; only a TLS listener without any tls block fails validation ("tls mode must be set
        // for protocol TLS": has(l.tls) && has(l.tls.mode)).
        const mode = str(l.tls?.mode) ?? 'Terminate';
        const shown = str(l.tls?.mode) ? mode : 'Terminate, the default';
        const certs = arr(l.tls?.certificateRefs).length;
        const options = Object.keys(obj(l.tls?.options) ?? {}).length;
        const refused = mode === 'Terminate' ? refusedCertificateRefs(ctx, l) : [];
        if (!l.tls) out.push({ status: 'fail', resource, detailKey, message: `TLS listener ${l.name} has no tls block: Gateway API requires one for protocol TLS (invalid manifest), so it neither terminates nor passes TLS through.`, evidence: ev });
        else if (mode === 'Terminate' && certs === 0 && options === 0) out.push({ status: 'fail', resource, detailKey, message: `TLS listener ${l.name} terminates TLS (tls.mode ${shown}) without certificateRefs.`, evidence: { ...ev, mode } });
        else if (certs > 0 && refused.length === certs) out.push(refusedVerdict(resource, detailKey, l, ns, refused, ev));
        else out.push({ status: 'pass', resource, detailKey, message: `TLS listener ${l.name} (${shown})${mode === 'Passthrough' ? ': the backend chooses the TLS version; probe it' : ''}.`, evidence: { ...ev, mode } });
      }
    }
  }
  return out;
}

function istioGatewayVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const { attachments } = edgeRoutes(ctx.snapshot);
  for (const gw of ctx.snapshot.resources['istio.gateways'] ?? []) {
    const ns = gw.metadata?.namespace ?? 'default';
    const resource = { kind: 'Gateway.networking.istio.io', namespace: ns, name: gw.metadata?.name ?? '' };
    const servers = arr(obj(gw.spec)?.servers).map(obj).filter((s) => !!s);
    const hostsOf = (s: Record<string, unknown>) => arr(s.hosts).filter((h): h is string => typeof h === 'string').map((h) => (h.includes('/') ? h.slice(h.indexOf('/') + 1) : h));
    const secureHosts = servers.filter((s) => ['HTTPS', 'TLS'].includes((str(obj(s!.port)?.protocol) ?? '').toUpperCase())).flatMap((s) => hostsOf(s!));
    for (const [i, s] of servers.entries()) {
      const port = obj(s!.port);
      const protocol = (str(port?.protocol) ?? '').toUpperCase();
      if (!ISTIO_HTTP_PROTOCOLS.includes(protocol)) continue;
      const detailKey = `server/${str(port?.name) ?? port?.number ?? i}`;
      const redirect = obj(s!.tls)?.httpsRedirect === true;
      const hosts = hostsOf(s!);
      const uncovered = hosts.filter((h) => !secureHosts.some((sh) => sh === '*' || listenerHostnameCovers(sh, h)));
      const ev = { port: port?.number, hosts, httpsRedirect: redirect };
      // Without httpsRedirect the server answers plain HTTP with the routes of every VirtualService
      // bound to it, whatever HTTPS server covers the same hosts.
      const plain = redirect ? [] : attachments.filter((a) => a.gateway.kind === resource.kind && a.gateway.namespace === ns && a.gateway.name === resource.name && a.server === i && a.forwards.length > 0);
      if (redirect) out.push({ status: 'pass', resource, detailKey, message: `${protocol} server redirects to HTTPS.`, evidence: ev });
      else if (plain.length > 0) {
        const routes = plain.map((a) => `${a.route.kind} ${a.route.namespace}/${a.route.name} (${a.hosts.join(', ')} → ${a.forwards.join(', ')})`);
        out.push({ status: 'fail', resource, detailKey, message: `${protocol} server on port ${port?.number ?? '?'} serves content in plaintext without tls.httpsRedirect: ${routes.join('; ')} ${plain.length > 1 ? 'are' : 'is'} bound to it${uncovered.length === 0 ? ', although an HTTPS server covers its hosts' : ''}.`, evidence: { ...ev, routes: plain.map((a) => ({ route: `${a.route.kind} ${a.route.namespace}/${a.route.name}`, hosts: a.hosts, forwards: a.forwards })) } });
      } else if (uncovered.length === 0) out.push({ status: 'pass', resource, detailKey, message: 'Every HTTP host is also served over HTTPS and no VirtualService bound to this server forwards over plain HTTP.', evidence: ev });
      else {
        // Nothing bound here forwards: with no VirtualService istiod gives the port's route a
        // "blackhole" virtual host answering 404 to every request (istio/istio 1.26.0
        // pilot/pkg/networking/core/gateway.go lines 527-535), and one whose routes only redirect
        // (or answer directly) sends no backend's content. As for a Gateway API HTTP listener with
        // no route or only redirecting ones, nothing is served in plaintext.
        const bound = attachments.filter((a) => a.gateway.kind === resource.kind && a.gateway.namespace === ns && a.gateway.name === resource.name && a.server === i);
        const routes = bound.map((a) => `${a.route.kind} ${a.route.namespace}/${a.route.name}`);
        out.push({ status: 'pass', resource, detailKey, message: `${protocol} server on port ${port?.number ?? '?'} has no HTTPS server for ${uncovered.join(', ')} and no tls.httpsRedirect, but serves no content: ${routes.length ? `the VirtualService${routes.length > 1 ? 's' : ''} bound to it (${routes.join(', ')}) only redirect or answer directly, forwarding to no backend` : 'no VirtualService is bound to it, so istiod answers every request with 404'}.`, evidence: { ...ev, plaintextHosts: uncovered, routes } });
      }
    }
  }
  return out;
}

/**
 * Traefik IngressRoutes (https://doc.traefik.io/traefik/routing/providers/kubernetes-crd/#kind-ingressroute):
 * a spec.tls section, even empty (the default TLSStore's certificate), makes the routers answer
 * only TLS requests. Without it they answer plain HTTP on their entryPoints (spec.entryPoints, or
 * every default entryPoint), unless the install configuration gives the entryPoint TLS or
 * redirects it to https; that is read from the Traefik workloads' arguments or environment, and is
 * unknown when Traefik reads a configuration file or is not in the snapshot.
 */
function traefikIngressRouteVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  let eps: TraefikEntryPoints | undefined;
  for (const key of ['traefik.ingressroutes', 'traefik-legacy.ingressroutes'] as const) {
    for (const ir of ctx.snapshot.resources[key] ?? []) {
      // One of a class no Traefik of the snapshot takes is not served here (traefikUnservedNotes).
      if (traefikCrdProvidersFor(ctx.snapshot, ir).length === 0) continue;
      const ns = ir.metadata?.namespace ?? 'default';
      const resource = { kind: 'IngressRoute', namespace: ns, name: ir.metadata?.name ?? '' };
      const spec = obj(ir.spec) ?? {};
      // Routes Traefik refuses for a cross-namespace reference serve nothing (edgeRoutes' note says why).
      const routes = arr(spec.routes).filter((r) => !traefikRefused(ctx.snapshot, r));
      if (routes.length === 0 && arr(spec.routes).length > 0) continue;
      const hosts = [...new Set(routes.flatMap((r) => traefikRuleHosts(str(obj(r)?.match) ?? '')))];
      const served = hosts.length ? `host${hosts.length > 1 ? 's' : ''} ${hosts.join(', ')}` : 'any host (no Host rule)';
      const named = arr(spec.entryPoints).filter((e): e is string => typeof e === 'string');
      const ev = { apiVersion: ir.apiVersion, hosts, entryPoints: named.length ? named : '(default entryPoints)' };
      const tls = obj(spec.tls);
      if (tls) {
        const how = str(tls.secretName) ? `secretName ${str(tls.secretName)}` : str(tls.certResolver) ? `certResolver ${str(tls.certResolver)}` : 'no secretName or certResolver: the default TLSStore\'s certificate';
        out.push({ status: 'pass', resource, detailKey: 'tls', message: `IngressRoute ${ns}/${resource.name} has spec.tls (${how}): its routers for ${served} answer only TLS requests.`, evidence: { ...ev, tls: how } });
        continue;
      }
      eps ??= traefikEntryPoints(ctx.snapshot);
      const r = traefikRouterPlaintext(eps, named);
      const are = hosts.length > 1 ? 'are' : 'is';
      if (r.plaintext !== 'none') {
        // Every route redirecting every request to https (a RedirectScheme middleware) serves nothing over plaintext.
        const where = `IngressRoute ${ns}/${resource.name}`;
        const redirects = routes.map(obj).filter((rr): rr is Record<string, unknown> => !!rr)
          .map((rr) => traefikHttpsRedirect(ctx.snapshot, arr(rr.middlewares).map(obj).filter((m) => !!m && !!str(m.name)).map((m) => `${str(m!.namespace) ?? ns}/${str(m!.name)}`), ns, where, { crd: ir }));
        const via = [...new Set(redirects.map((x) => x.redirect))];
        if (redirects.length > 0 && redirects.every((x) => x.redirect)) {
          out.push({ status: 'pass', resource, detailKey: 'tls', message: `IngressRoute ${ns}/${resource.name} has no spec.tls, but every route of it answers ${served} with a redirect to https (${via.join('; ')}): nothing is served over plaintext HTTP.`, evidence: { ...ev, ...r.evidence, httpsRedirect: via } });
          continue;
        }
        // Every route redirecting, or maybe (a redirectRegex that cannot be proven): cannot be confirmed.
        const unproven = redirects.length > 0 && redirects.every((x) => x.redirect || x.unproven) ? redirects.find((x) => x.unproven)?.unproven : undefined;
        if (unproven && r.plaintext !== 'in-cluster') {
          out.push({ status: 'fail', resource, detailKey: 'tls', severity: 'medium', message: `IngressRoute ${ns}/${resource.name} has no spec.tls: whether ${served} ${are} served over plaintext HTTP on ${r.plain.length ? `entryPoint${r.plain.length > 1 ? 's' : ''} ${r.plain.join(', ')}` : 'every default entryPoint'} cannot be confirmed: ${unproven}. Use a Middleware with redirectScheme: {scheme: https}, or give it spec.tls.`, evidence: { ...ev, ...r.evidence, httpsRedirectUnproven: unproven } });
          continue;
        }
        // A Traefik's entryPoints in a file ztaudit cannot read (not in the input, not valid TOML or YAML) may keep it off plaintext.
        if (r.plaintext === 'edge' && r.unread) {
          out.push({ status: 'fail', resource, detailKey: 'tls', severity: 'medium', message: `IngressRoute ${ns}/${resource.name} has no spec.tls: ${r.unread}. Give it spec.tls.`, evidence: { ...ev, ...r.evidence, unconfirmed: r.unread } });
          continue;
        }
        const note = redirects.find((x) => x.note)?.note ?? unproven;
        if (note) Object.assign(r.evidence, { middlewareNote: note });
      }
      const mwNote = typeof r.evidence.middlewareNote === 'string' ? ` Its middlewares do not redirect it to https: ${r.evidence.middlewareNote}.` : '';
      if (r.plaintext === 'none') out.push({ status: 'pass', resource, detailKey: 'tls', message: `IngressRoute ${ns}/${resource.name} has no spec.tls, but every entryPoint it answers on keeps ${served} off plaintext HTTP (${r.secured.join('; ')}).`, evidence: { ...ev, ...r.evidence } });
      else if (r.plaintext === 'in-cluster') {
        out.push({ status: 'fail', resource, detailKey: 'tls', severity: 'low', evidence: { ...ev, ...r.evidence },
          message: `IngressRoute ${ns}/${resource.name} has no spec.tls: ${r.secured.length ? `every entryPoint reached from outside the cluster keeps ${served} off plaintext HTTP (${r.secured.join('; ')}), but ${hosts.length > 1 ? 'they are' : 'it is'} also` : `${served} ${are}`} served over plaintext HTTP on ${inClusterEntryPoints(r.inCluster)}. Name its entryPoints (spec.entryPoints), mark the edge ones asDefault, or give it spec.tls.${mwNote}` });
      } else {
        const where = r.plain.length ? `entryPoint${r.plain.length > 1 ? 's' : ''} ${r.plain.join(', ')}` : 'every default entryPoint';
        out.push({ status: 'fail', resource, detailKey: 'tls', message: `IngressRoute ${ns}/${resource.name} has no spec.tls: ${served} ${are} served over plaintext HTTP on ${where}.${mwNote}`, evidence: { ...ev, ...r.evidence } });
      }
    }
  }
  return out;
}

/**
 * Traefik IngressRouteTCPs (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tcp/ingressroutetcp/):
 * with spec.tls Traefik terminates TLS, or with tls.passthrough routes only TLS connections, by
 * their SNI, to a backend that terminates them. Without it the router forwards raw TCP on its
 * entryPoints (spec.entryPoints, or every default entryPoint): Traefik neither terminates nor
 * requires TLS, and such a router can only match HostSNI(`*`)
 * (https://doc.traefik.io/traefik/reference/routing-configuration/tcp/routing/rules-and-priority/#hostsni-and-hostsniregexp).
 * Whether the backend's own protocol then negotiates TLS (PostgreSQL's SSLRequest, SMTP STARTTLS)
 * is not seen. An entryPoint's http.tls applies to HTTP routers only, so only entryPoints no way in
 * from outside the cluster reaches (TraefikEntryPoints.inClusterOnly) lower the finding. Routes
 * Traefik refuses (traefikTcpRouteRefused) serve nothing; an IngressRouteTCP of a class no Traefik
 * of the snapshot takes is not served: both are named in the coverage note (traefikUnservedNotes).
 */
function traefikIngressRouteTcpVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  let eps: TraefikEntryPoints | undefined;
  for (const key of TRAEFIK_TCP_ROUTE_KEYS) {
    for (const ir of ctx.snapshot.resources[key] ?? []) {
      if (traefikCrdProvidersFor(ctx.snapshot, ir).length === 0) continue;
      const ns = ir.metadata?.namespace ?? 'default';
      const resource = { kind: 'IngressRouteTCP', namespace: ns, name: ir.metadata?.name ?? '' };
      const where = `IngressRouteTCP ${ns}/${resource.name}`;
      const spec = obj(ir.spec) ?? {};
      const named = arr(spec.entryPoints).filter((e): e is string => typeof e === 'string');
      const ev = { apiVersion: ir.apiVersion, entryPoints: named.length ? named : '(default entryPoints)' };
      const tls = obj(spec.tls);
      if (tls) {
        const how = tls.passthrough === true ? 'passes TLS through (tls.passthrough: true): Traefik routes only TLS connections to it, by their SNI, and the backend terminates them'
          : `terminates TLS (${str(tls.secretName) ? `secretName ${str(tls.secretName)}` : str(tls.certResolver) ? `certResolver ${str(tls.certResolver)}` : 'no secretName or certResolver: the default TLSStore\'s certificate'})`;
        out.push({ status: 'pass', resource, detailKey: 'tls', message: `${where} ${how}.`, evidence: { ...ev, tls: tls.passthrough === true ? 'passthrough' : 'terminated' } });
        continue;
      }
      const served = arr(spec.routes).map(obj).filter((r): r is Record<string, unknown> => !!r && !traefikRefused(ctx.snapshot, r) && traefikTcpRouteRefused(ctx.snapshot, ir, r) === undefined);
      if (served.length === 0) continue;
      const backends = [...new Set(served.flatMap((r) => arr(r.services).map(obj).filter((x) => !!str(x?.name)).map((x) => `Service ${str(x!.namespace) ?? ns}/${str(x!.name)}${x!.port !== undefined ? `:${String(x!.port)}` : ''}`)))];
      const to = backends.length ? ` to ${backends.join(', ')}` : '';
      const points = (eps ??= traefikEntryPoints(ctx.snapshot));
      // The entryPoints it attaches to, by exactly the names given (traefikAttachedEntryPoints); none of them: refused above (no routes served).
      const { on } = traefikAttachedEntryPoints(points, named);
      const atEdge = on.filter((e) => !points.inClusterOnly.has(e));
      const unseen = `unless the backend's own protocol negotiates TLS (PostgreSQL's SSLRequest, SMTP STARTTLS), which is not seen, its connections cross in plaintext`;
      if (on.length > 0 && atEdge.length === 0) {
        const inCluster = on.map((e) => `${e} (port${(points.ports.get(e) ?? []).length > 1 ? 's' : ''} ${(points.ports.get(e) ?? []).join(', ')})`);
        out.push({ status: 'fail', resource, detailKey: 'tls', severity: 'low', evidence: { ...ev, inClusterPlaintextEntryPoints: inCluster },
          message: `${where} has no spec.tls: Traefik forwards raw TCP${to} without TLS on ${inClusterEntryPoints(inCluster)}; ${unseen}. Give it spec.tls (secretName or certResolver, or passthrough: true when the backend terminates TLS).` });
        continue;
      }
      const plain = atEdge.length ? `entryPoint${atEdge.length > 1 ? 's' : ''} ${atEdge.join(', ')}` : 'every default entryPoint';
      const note = points.workloads.length === 0 ? { note: 'no Traefik workload is in the snapshot: which entryPoints outside clients reach is not known' } : points.fromFile.length ? { note: `${points.fromFile.map((f) => refString(f.workload)).join(', ')} read${points.fromFile.length > 1 ? '' : 's'} a configuration file ztaudit cannot read: its entryPoints are not seen` } : {};
      out.push({ status: 'fail', resource, detailKey: 'tls', evidence: { ...ev, plaintextEntryPoints: atEdge.length ? atEdge : '(default entryPoints)', ...note },
        message: `${where} has no spec.tls: Traefik forwards raw TCP${to} without TLS at the edge, on ${plain}; ${unseen}. Give it spec.tls (secretName or certResolver, or passthrough: true when the backend terminates TLS).` });
    }
  }
  return out;
}

/**
 * IngressRoutes and IngressRouteTCPs of a class no Traefik of the snapshot takes, TCP routes Traefik
 * refuses, and Ingresses, IngressRoutes and IngressRouteTCPs naming only entryPoints no Traefik has
 * (traefikUnattached: Traefik attaches them to none): not judged, named.
 */
function traefikUnservedNotes(ctx: AuditContext): string[] {
  const out: string[] = [];
  let eps: TraefikEntryPoints | undefined;
  const unattached = (o: KubeObject, kind: 'Ingress' | 'IngressRoute' | 'IngressRouteTCP') => traefikUnattached(eps ??= traefikEntryPoints(ctx.snapshot), traefikNamedEntryPoints(o, kind));
  for (const ing of ctx.snapshot.resources.ingresses ?? []) {
    const why = servedByTraefik(ctx.snapshot, ing) ? unattached(ing, 'Ingress') : undefined;
    if (why) out.push(`Ingress ${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}: ${why}; it serves nothing`);
  }
  for (const [kind, keys] of [['IngressRoute', ['traefik.ingressroutes', 'traefik-legacy.ingressroutes']], ['IngressRouteTCP', TRAEFIK_TCP_ROUTE_KEYS]] as const) {
    for (const key of keys) {
      for (const ir of ctx.snapshot.resources[key] ?? []) {
        const what = `${kind} ${ir.metadata?.namespace ?? 'default'}/${ir.metadata?.name ?? ''}`;
        const unserved = traefikCrdUnserved(ctx.snapshot, ir, what);
        if (unserved) { out.push(unserved); continue; }
        const why = unattached(ir, kind);
        if (why) { out.push(`${what}: ${why}; it serves nothing`); continue; }
        if (kind !== 'IngressRouteTCP' || obj(obj(ir.spec)?.tls)) continue;
        const refused = arr(obj(ir.spec)?.routes).map(obj).filter((r): r is Record<string, unknown> => !!r).map((r) => traefikTcpRouteRefused(ctx.snapshot, ir, r));
        if (refused.length > 0 && refused.every((r) => r !== undefined)) out.push(`${what}: ${refused[0]}; it serves nothing`);
      }
    }
  }
  return out;
}

/**
 * The `contour serve` Deployments of the snapshot that take an HTTPProxy (contourTakesClass by
 * their --ingress-class-name or ContourConfiguration classNames; one whose classes are not known
 * takes it), or why none does. With no `contour serve` in the snapshot, `served` is empty: which
 * Contour serves it is not known, and Contour's defaults are taken.
 */
function contourServing(configs: ContourCiphers[], hp: KubeObject): { served: ContourCiphers[]; unserved?: undefined } | { unserved: string; served?: undefined } {
  if (configs.length === 0) return { served: [] };
  const served = configs.filter((c) => c.ingressClasses === undefined || contourTakesClass(hp, c.ingressClasses));
  if (served.length > 0) return { served };
  const cls = contourClassOf(hp);
  const theirs = [...new Set(configs.map((c) => (c.ingressClasses?.length ? c.ingressClasses.map((x) => JSON.stringify(x)).join(', ') : '(none set: none or "contour")')))].join('; ');
  return { unserved: `HTTPProxy ${hp.metadata?.namespace ?? 'default'}/${hp.metadata?.name ?? ''}: it asks for ${cls === '' ? 'no class' : `class ${JSON.stringify(cls)}`}, which no \`contour serve\` of the snapshot takes (--ingress-class-name or ContourConfiguration spec.ingress.classNames: ${theirs}), so it is not served` };
}

/** "Deployment projectcontour/contour" and what its configuration says of permitInsecure. */
const contourPermitInsecure = (c: ContourCiphers): { disabled: boolean | undefined; why: string } =>
  'unread' in c ? { disabled: undefined, why: `${refString(c.ref)}: ${c.unread}` } : { disabled: c.permitInsecure.disabled, why: `${refString(c.ref)}: ${c.permitInsecure.source}` };

/**
 * The routes of a root HTTPProxy's virtual host that set permitInsecure, by path: its own and, down
 * the tree, those of every HTTPProxy its spec.includes name (namespace defaulting to the
 * includer's), under the include's path prefix. Contour builds the virtual host so and sets each
 * route's HTTPSUpgrade from that route's permitInsecure, included ones too
 * (projectcontour/contour internal/dag/httpproxy_processor.go@31c4bb38 computeRoutes: the
 * recursion into includes, line 782; routeEnforceTLS(enforceTLS, route.PermitInsecure &&
 * !p.DisablePermitInsecure), line 877). An include of another root is refused ("root httpproxy
 * cannot include another root httpproxy") and Contour's visited list stops a cycle: each
 * HTTPProxy is walked once per root.
 */
function contourInsecureRoutes(root: KubeObject, byName: ReadonlyMap<string, KubeObject>): string[] {
  const out: string[] = [];
  const key = (o: KubeObject) => `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
  const seen = new Set<string>([key(root)]);
  const prefixes = (conditions: unknown) => arr(conditions).map((c) => str(obj(c)?.prefix) ?? str(obj(c)?.exact)).filter((v): v is string => !!v);
  const stack: Array<{ hp: KubeObject; prefix: string }> = [{ hp: root, prefix: '' }];
  while (stack.length > 0) {
    const { hp, prefix } = stack.pop()!;
    const spec = obj(hp.spec) ?? {};
    const included = hp === root ? '' : ` (included HTTPProxy ${key(hp)})`;
    for (const r of arr(spec.routes).map(obj)) {
      if (r?.permitInsecure !== true) continue;
      const own = prefixes(r.conditions);
      out.push(`${prefix ? `${prefix}${own.join('')}`.replace(/\/{2,}/g, '/') : own.join(' ') || '/'}${included}`);
    }
    const ns = hp.metadata?.namespace ?? 'default';
    for (const inc of arr(spec.includes).map(obj)) {
      const name = str(inc?.name);
      const child = name === undefined ? undefined : byName.get(`${str(inc?.namespace) ?? ns}/${name}`);
      if (!child || obj(child.spec)?.virtualhost !== undefined || seen.has(key(child))) continue;
      seen.add(key(child));
      stack.push({ hp: child, prefix: `${prefix}${prefixes(inc!.conditions).join('')}` });
    }
  }
  return out;
}

/**
 * Contour root HTTPProxies (a virtualhost.fqdn): without virtualhost.tls the virtual host answers
 * plain HTTP; with it, Contour redirects insecure requests with a 301 except on routes that set
 * permitInsecure, its included HTTPProxies' routes too (contourInsecureRoutes;
 * https://projectcontour.io/docs/main/config/tls-termination/), which a Contour
 * whose configuration sets disablePermitInsecure: true ignores (contour.ts permitInsecureOf:
 * internal/dag/httpproxy_processor.go@v1.33.6 line 842). Judged per `contour serve` taking the
 * HTTPProxy (contourServing): one of a class none takes is not served (contourUnservedNotes).
 */
function contourHttpProxyVerdicts(ctx: AuditContext): Verdict[] {
  const out: Verdict[] = [];
  const proxies = ctx.snapshot.resources['contour.httpproxies'] ?? [];
  // Every Deployment's containers are looked at: only when there is an HTTPProxy to judge.
  const configs = proxies.length ? contourCipherConfigs(ctx.snapshot) : [];
  let byName: Map<string, KubeObject> | undefined;
  for (const hp of proxies) {
    const ns = hp.metadata?.namespace ?? 'default';
    const resource = { kind: 'HTTPProxy', namespace: ns, name: hp.metadata?.name ?? '' };
    const spec = obj(hp.spec) ?? {};
    const vhost = obj(spec.virtualhost);
    const fqdn = str(vhost?.fqdn);
    if (!fqdn) continue; // an included proxy: its root's virtual host decides
    const serving = contourServing(configs, hp);
    if (serving.unserved !== undefined) continue; // contourUnservedNotes names it
    const tls = obj(vhost?.tls);
    const ev = { fqdn };
    const insecure = contourInsecureRoutes(hp, byName ??= new Map(proxies.map((p) => [`${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`, p])));
    const routes = `route${insecure.length > 1 ? 's' : ''} ${insecure.join(', ')} set${insecure.length > 1 ? '' : 's'} permitInsecure`;
    if (!tls) out.push({ status: 'fail', resource, detailKey: `host/${fqdn}`, message: `HTTPProxy ${ns}/${resource.name} has no virtualhost.tls: ${fqdn} is served over plaintext HTTP.`, evidence: ev });
    else if (tls.passthrough !== true && !str(tls.secretName)) out.push({ status: 'fail', resource, detailKey: `host/${fqdn}`, message: `HTTPProxy ${ns}/${resource.name}'s virtualhost.tls names no secretName and is not passthrough: Contour has no certificate for ${fqdn}.`, evidence: ev });
    else if (insecure.length > 0) {
      // Each Contour taking it: disablePermitInsecure true keeps the redirect. With no `contour serve`
      // in the input (Contour run by the Gateway provisioner from a ContourDeployment's spec.runtimeSettings,
      // or its Deployment not collected), its setting is not read: not confirmed either way.
      const each = serving.served.length ? serving.served.map(contourPermitInsecure)
        : [{ disabled: undefined, why: 'no `contour serve` Deployment is in the input, so its disablePermitInsecure (configuration file, ContourConfiguration or a Gateway provisioner\'s ContourDeployment spec.runtimeSettings.httpproxy.disablePermitInsecure) is not read' }];
      const honoured = each.filter((e) => e.disabled === false);
      const unknown = each.filter((e) => e.disabled === undefined);
      const evidence = { ...ev, permitInsecure: insecure, disablePermitInsecure: each.map((e) => e.why) };
      if (honoured.length > 0) out.push({ status: 'fail', resource, detailKey: `host/${fqdn}`, message: `HTTPProxy ${ns}/${resource.name} terminates TLS for ${fqdn}, but ${routes}: served over plaintext HTTP instead of the 301 redirect to HTTPS${honoured.length ? ` (disablePermitInsecure is off: ${honoured.map((e) => e.why).join('; ')})` : ''}.`, evidence });
      else if (unknown.length > 0) out.push({ status: 'fail', resource, detailKey: `host/${fqdn}`, severity: 'medium', message: `HTTPProxy ${ns}/${resource.name} terminates TLS for ${fqdn}, and ${routes}: whether they are served over plaintext HTTP cannot be confirmed, as Contour honours permitInsecure unless its configuration sets disablePermitInsecure: true, which is not known (${unknown.map((e) => e.why).join('; ')}).`, evidence });
      else out.push({ status: 'pass', resource, detailKey: `host/${fqdn}`, message: `HTTPProxy ${ns}/${resource.name} ${tls.passthrough === true ? 'passes TLS through to the backend' : `terminates TLS (secretName ${str(tls.secretName)})`} for ${fqdn}; ${routes}, which Contour ignores with disablePermitInsecure: true (${each.map((e) => e.why).join('; ')}), so it redirects plaintext requests to HTTPS.`, evidence });
    }
    else out.push({ status: 'pass', resource, detailKey: `host/${fqdn}`, message: `HTTPProxy ${ns}/${resource.name} ${tls.passthrough === true ? 'passes TLS through to the backend' : `terminates TLS (secretName ${str(tls.secretName)})`} for ${fqdn}; Contour redirects plaintext requests to HTTPS.`, evidence: ev });
  }
  return out;
}

/** Root HTTPProxies of a class no `contour serve` of the snapshot takes: not judged, named. */
function contourUnservedNotes(ctx: AuditContext): string[] {
  const proxies = ctx.snapshot.resources['contour.httpproxies'] ?? [];
  const configs = proxies.length ? contourCipherConfigs(ctx.snapshot) : [];
  if (configs.length === 0) return [];
  return proxies.filter((hp) => str(obj(obj(hp.spec)?.virtualhost)?.fqdn)).flatMap((hp) => contourServing(configs, hp).unserved ?? []);
}

export const ingressWithoutTls: Check = {
  id: 'tls.ingress-without-tls',
  area: 'tls',
  title: 'Every host exposed at the edge is served over TLS',
  protectsAgainst: 'hosts served over plaintext HTTP at the edge (Ingress, Gateway API, Istio Gateway, Traefik IngressRoute and Contour HTTPProxy), and raw TCP services forwarded without TLS at the edge (Traefik IngressRouteTCP)',
  severity: 'high',
  controls: EDGE_ENCRYPTION,
  remediation: 'Add a spec.tls entry (hosts + secretName) covering every rules[].host (ingress-nginx merges the Ingresses of one host, so a spec.tls entry on any of them covers the host as long as the others keep ssl-redirect on; ingress-nginx matches tls hosts exactly, lower-cased, never as a wildcard, and a host an entry names gets that entry\'s Secret only if its certificate names the host (the dnsNames of the cert-manager Certificate writing it, or its commonName when it has no dnsNames), else the controller\'s default certificate, a Secret no Certificate writes being taken as naming it; a host no tls hosts entry names gets the certificate of an entry\'s Secret that names it, which the dnsNames of the cert-manager Certificate writing the Secret show (in a live cluster only once it is Ready), or, on an Ingress with a cert-manager ingress-shim annotation, the entry\'s hosts, a Secret no Certificate writes being a medium finding: unknown, as Secrets are not read; the oldest Ingress (creationTimestamp) with spec.tls and a rule for a host decides the host\'s certificate for every Ingress of that host, the default certificate included, so fix that Ingress\'s entries (a canary Ingress, canary: "true", never decides it and is not judged: ingress-nginx serves it through the host\'s non-canary Ingress); an ingress-nginx ssl-passthrough Ingress needs the controller started with --enable-ssl-passthrough and force-ssl-redirect: "true" for port 80 (or spec.tls on an Ingress of the host, named in an entry or not, which gives the host a certificate in ingress-nginx, so that ssl-redirect redirects port 80); other controllers are judged per Ingress: Contour serves a host spec.tls covers on port 80 in plaintext too unless the Ingress sets ingress.kubernetes.io/force-ssl-redirect: "true" (a redirect) or kubernetes.io/ingress.allow-http: "false" (no port-80 route), Istio always does (serve the host through an Istio Gateway with tls.httpsRedirect instead), and for a controller whose port-80 handling ztaudit does not read a covered host is a medium finding (unconfirmed: make sure it redirects); on GKE (kubernetes.io/ingress.class gce, gce-internal or gce-regional-external, or an IngressClass of controller k8s.io/ingress-gce) spec.tls (any entry with a secretName: ingress-gce ignores its hosts), or a certificate named by networking.gke.io/managed-certificates or ingress.gcp.kubernetes.io/pre-shared-cert, adds HTTPS but port 80 keeps serving plain HTTP until kubernetes.io/ingress.allow-http: "false" (a FrontendConfig\'s redirectToHttps is not read, so an Ingress naming one with HTTP allowed is a medium finding: unknown); on Traefik spec.tls only supplies certificates: set the annotation traefik.ingress.kubernetes.io/router.tls: "true" (or a router.tls.certresolver), or name in traefik.ingress.kubernetes.io/router.entrypoints only entryPoints whose install configuration sets http.tls or redirects to https, or mark those asDefault; plaintext on an entryPoint no LoadBalancer, NodePort or externalIPs Service selecting the Traefik pods publishes, such as the Helm chart\'s metrics, is a low finding: only clients inside the cluster reach it); for Gateway API add an HTTPS listener for each hostname (a TLS or HTTPS listener needs a tls block; its tls.mode defaults to Terminate, which needs certificateRefs or options; its certificateRefs in the namespace of the Gateway, or allowed by a ReferenceGrant in the namespace of the Secret), attach the serving HTTPRoutes to it (parentRefs sectionName or port) and attach to the HTTP listener only routes whose rules redirect (RequestRedirect filter with scheme: https); for Istio set tls.httpsRedirect on port-80 servers, or bind to them only VirtualServices whose http routes redirect (a server no VirtualService forwards through answers 404 and passes); on an AWS Load Balancer Controller (ALB) Ingress set alb.ingress.kubernetes.io/certificate-arn and listen-ports with only HTTPS entries, or add alb.ingress.kubernetes.io/ssl-redirect: \'443\' to redirect its HTTP listeners (in an IngressGroup, alb.ingress.kubernetes.io/group.name, one member\'s ssl-redirect redirects the HTTP listeners of every member, so set the same port on all or on one; different ports, listen-ports giving one port HTTP and HTTPS, or two ssl-policy values on one HTTPS port stop the controller reconciling the whole group; a port number naming one of its HTTPS listeners: the controller refuses "true" or any other port and does not reconcile the Ingress, a medium finding; sslRedirectPort in the AWS Load Balancer Controller\'s IngressClassParams overrides it; on EKS Auto Mode, IngressClass controller eks.amazonaws.com/alb, the certificateARNs of the IngressClassParams its class names give the certificate too, as the certificateArn of the AWS Load Balancer Controller\'s IngressClassParams (elbv2.k8s.aws) does, overriding the annotation); give a Traefik IngressRoute a spec.tls section (secretName, certResolver, or tls: {} for the default TLSStore\'s certificate), or attach it only to entryPoints whose install configuration sets http.tls or redirects to https, or give every route of it (or the Ingress, in traefik.ingress.kubernetes.io/router.middlewares) a Middleware with redirectScheme: {scheme: https} (or redirectRegex from ^http://(.*) to https://${1}, or ^http://([^/]+)(.*) to https://${1}${2}; any other redirectRegex cannot be confirmed, a medium finding) ahead of any middleware that may answer (basicAuth, forwardAuth, ipAllowList, rateLimit …), in the route\'s namespace (another namespace\'s counts only with allowCrossNamespace, not read here), so that the router answers plaintext requests only with a redirect (IngressRoutes and IngressRouteTCPs of a class no Traefik\'s CRD provider takes, providers.kubernetesCRD.ingressClass, are not judged and are named in the note, as are Ingresses, IngressRoutes and IngressRouteTCPs naming only entryPoints no Traefik has: entryPoint names are case-sensitive, a router naming Web is attached to no entryPoint web and serves nothing); give a Traefik IngressRouteTCP a spec.tls section (secretName or certResolver, or passthrough: true when the backend terminates TLS itself): without it Traefik forwards raw TCP, which is a low finding on entryPoints only clients inside the cluster reach; give a Contour root HTTPProxy virtualhost.tls (secretName) and drop permitInsecure from its routes and from those of every HTTPProxy it includes (spec.includes, down the tree), or set disablePermitInsecure: true in the configuration file of each `contour serve` taking it (spec.httpproxy.disablePermitInsecure in its ContourConfiguration), which makes Contour ignore permitInsecure (a configuration that is not in the input leaves that unknown, a medium finding; HTTPProxies of a class no `contour serve` takes, --ingress-class-name, are not judged and are named in the note).',
  needs: ['ingresses'],
  reads: [...EDGE_ROUTE_KINDS.filter((k) => k !== 'ingresses' && !EDGE_ROUTE_BEST_EFFORT.includes(k)), 'traefik.middlewares', 'traefik-legacy.middlewares', 'namespaces'],
  readsWhen: [CONTOUR_CONFIGURATION_READ, NGINX_REDIRECT_READ, NGINX_REDIRECT_CONFIG_READ, NGINX_PASSTHROUGH_READ, NGINX_PASSTHROUGH_CONFIG_READ, EKS_ALB_PARAMS_READ, LBC_ALB_PARAMS_READ, LBC_SERVICE_WEBHOOK_READ, GKE_FRONTEND_CONFIG_READ],
  readsBestEffort: ['deployments', 'daemonsets', 'statefulsets', 'certmanager.certificates', ...EDGE_ROUTE_BEST_EFFORT],
  evaluate(ctx) {
    return [...ingressVerdicts(ctx), ...gatewayApiVerdicts(ctx), ...istioGatewayVerdicts(ctx), ...traefikIngressRouteVerdicts(ctx), ...traefikIngressRouteTcpVerdicts(ctx), ...contourHttpProxyVerdicts(ctx)];
  },
  excluded(ctx) {
    const albs = (ctx.snapshot.resources.ingresses ?? []).flatMap((ing) => {
      const alb = albIngressOf(ctx.snapshot, ing);
      return alb ? [{ resource: { namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' }, alb }] : [];
    });
    const gateway = gatewayListenersUnjudged(ctx);
    const listenerSets = listenerSetNotes(ctx.snapshot, edgeRoutes(ctx.snapshot).listenerSetParents);
    const notes = [...albUnjudgedNotes(ctx.snapshot, albs.filter((a) => albUnjudged(a.alb))), ...albKeptNotes(albs.filter((a) => !albUnjudged(a.alb))), ...(gateway ? [gateway] : []), ...listenerSets, ...traefikUnservedNotes(ctx), ...contourUnservedNotes(ctx)];
    return notes.length > 0 ? notes.join('; ') : undefined;
  },
};
