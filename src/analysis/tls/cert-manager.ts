// cert-manager's own view of the certificates it manages, read from the status it writes on
// Certificate, Issuer and ClusterIssuer objects (conditions, notAfter, renewalTime, lastFailureTime), and
// which edge TLS Secrets it manages. Secrets themselves are never read.

import net from 'node:net';
import type { ResourceRef } from '../../base/vocabulary.ts';
import { goParseInt } from '../../base/go-int.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import { gatewayListenerSets } from '../edge/listener-sets.ts';
import { imageRepository } from '../images.ts';
import { podTemplateOf } from '../workloads.ts';
import { nginxAnnotationBool } from './nginx.ts';

/** Ingress/Gateway annotations through which cert-manager's ingress-shim and gateway-shim create Certificates. */
export const SHIM_ANNOTATIONS = ['cert-manager.io/cluster-issuer', 'cert-manager.io/issuer'] as const;

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface CertManagerObject {
  ref: ResourceRef;
  /** false when the object carries no `status` (not reconciled yet, or cert-manager is not running). */
  hasStatus: boolean;
  conditions: Condition[];
  /** Conditions that could not be read (not a list, entries without type/status), named for the report. */
  problems: string[];
}

export interface CertificateState extends CertManagerObject {
  secretName?: string;
  notAfter?: string;
  /** status.notBefore: when the certificate in the Secret becomes valid. */
  notBefore?: string;
  /** status.renewalTime: when cert-manager next renews it; unset = no renewal scheduled. */
  renewalTime?: string;
  lastFailureTime?: string;
  failedIssuanceAttempts?: number;
  issuerRef?: string;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function refOf(o: KubeObject, kind: string): ResourceRef {
  const ns = o.metadata?.namespace;
  return { kind, ...(ns ? { namespace: ns } : {}), name: o.metadata?.name ?? '' };
}

function readConditions(status: Record<string, unknown> | undefined): { conditions: Condition[]; problems: string[] } {
  const conditions: Condition[] = [];
  const problems: string[] = [];
  const raw = status?.conditions;
  if (raw === undefined || raw === null) return { conditions, problems };
  if (!Array.isArray(raw)) return { conditions, problems: ['status.conditions is not a list'] };
  raw.forEach((c, i) => {
    const r = record(c);
    const type = text(r?.type);
    const st = text(r?.status);
    if (!r || !type || !st) {
      problems.push(`status.conditions[${i}] has no type or status`);
      return;
    }
    conditions.push({ type, status: st, ...(text(r.reason) ? { reason: text(r.reason) } : {}), ...(text(r.message) ? { message: text(r.message) } : {}) });
  });
  return { conditions, problems };
}

function base(o: KubeObject, kind: string): CertManagerObject {
  const status = record((o as { status?: unknown }).status);
  const { conditions, problems } = readConditions(status);
  return { ref: refOf(o, kind), hasStatus: status !== undefined && Object.keys(status).length > 0, conditions, problems };
}

export function certificateStates(snapshot: Snapshot): CertificateState[] {
  return (snapshot.resources['certmanager.certificates'] ?? []).map((o) => {
    const status = record((o as { status?: unknown }).status);
    const spec = record(o.spec);
    const issuer = record(spec?.issuerRef);
    const attempts = status?.failedIssuanceAttempts;
    return {
      ...base(o, 'Certificate'),
      ...(text(spec?.secretName) ? { secretName: text(spec?.secretName) } : {}),
      ...(text(status?.notAfter) ? { notAfter: text(status?.notAfter) } : {}),
      ...(text(status?.notBefore) ? { notBefore: text(status?.notBefore) } : {}),
      ...(text(status?.renewalTime) ? { renewalTime: text(status?.renewalTime) } : {}),
      ...(text(status?.lastFailureTime) ? { lastFailureTime: text(status?.lastFailureTime) } : {}),
      ...(typeof attempts === 'number' ? { failedIssuanceAttempts: attempts } : {}),
      ...(text(issuer?.name) ? { issuerRef: `${text(issuer?.kind) ?? 'Issuer'} ${text(issuer?.name)}` } : {}),
    };
  });
}

export function issuerStates(snapshot: Snapshot): CertManagerObject[] {
  return [
    ...(snapshot.resources['certmanager.issuers'] ?? []).map((o) => base(o, 'Issuer')),
    ...(snapshot.resources['certmanager.clusterissuers'] ?? []).map((o) => base(o, 'ClusterIssuer')),
  ];
}

/** A Certificate whose issuerRef names a cert-manager.io Issuer or ClusterIssuer that does not exist. */
export interface MissingIssuerRef {
  certificate: CertificateState;
  kind: 'Issuer' | 'ClusterIssuer';
  name: string;
}

/**
 * The Certificates whose spec.issuerRef names a cert-manager Issuer or ClusterIssuer that a live
 * cluster's complete listing does not hold. An issuerRef's kind defaults to Issuer, looked up in
 * the Certificate's namespace, and its group to cert-manager.io (IssuerReference,
 * https://cert-manager.io/docs/reference/api-docs/#meta.cert-manager.io/v1.IssuerReference); "all
 * cert-manager certificates require a referenced issuer that is in a ready condition"
 * (https://cert-manager.io/docs/concepts/issuer/), and a CertificateRequest for one that does not
 * exist waits Pending, reason IssuerNotFound (cert-manager pkg/controller/certificaterequests/sync.go),
 * so the Certificate is never renewed, while its Ready condition stays True until the served
 * certificate expires. Only a live listing that read the kind whole says an issuer does not exist:
 * a manifests directory seldom holds the cluster's ClusterIssuers, and a kind not read says
 * nothing. Another group's issuerRef is an external issuer's, not cert-manager's to resolve, and
 * another kind in cert-manager.io is refused as invalid, not looked up: neither is judged here.
 */
export function certificatesNamingMissingIssuers(snapshot: Snapshot): MissingIssuerRef[] {
  if (snapshot.origin !== 'live') return [];
  const listed = { Issuer: snapshot.coverage['certmanager.issuers']?.status === 'ok', ClusterIssuer: snapshot.coverage['certmanager.clusterissuers']?.status === 'ok' };
  if (!listed.Issuer && !listed.ClusterIssuer) return [];
  const certificates = snapshot.resources['certmanager.certificates'] ?? [];
  if (certificates.length === 0) return [];
  const existing = new Set([
    ...(snapshot.resources['certmanager.issuers'] ?? []).map((o) => `Issuer/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`),
    ...(snapshot.resources['certmanager.clusterissuers'] ?? []).map((o) => `ClusterIssuer//${o.metadata?.name ?? ''}`),
  ]);
  const states = certificateStates(snapshot);
  const out: MissingIssuerRef[] = [];
  certificates.forEach((o, i) => {
    const ref = record(record(o.spec)?.issuerRef);
    const name = text(ref?.name);
    const group = text(ref?.group) ?? 'cert-manager.io';
    const kind = text(ref?.kind) ?? 'Issuer';
    if (!name || group !== 'cert-manager.io' || (kind !== 'Issuer' && kind !== 'ClusterIssuer') || !listed[kind]) return;
    const key = kind === 'Issuer' ? `Issuer/${o.metadata?.namespace ?? ''}/${name}` : `ClusterIssuer//${name}`;
    if (!existing.has(key)) out.push({ certificate: states[i]!, kind, name });
  });
  return out;
}

export function condition(o: CertManagerObject, type: string): Condition | undefined {
  return o.conditions.find((c) => c.type === type);
}

/** "reason: message" of a condition, for a finding's message. */
export function describeCondition(c: Condition): string {
  return [c.reason, c.message].filter(Boolean).join(': ') || 'no reason given';
}

/** An edge TLS Secret reference: an Ingress `tls[].secretName` or a Gateway listener `tls.certificateRefs[]`. */
export interface TlsSecretUse {
  /** The Ingress or Gateway that serves the Secret. */
  owner: ResourceRef;
  /** Where in the owner: "tls[0]" or "listener https". */
  where: string;
  namespace: string;
  secretName: string;
  /** The owner carries a cert-manager shim annotation (a Certificate is created from it). */
  shimAnnotation?: string;
  /** The issuer a kubernetes.io/tls-acme Certificate is issued by: cert-manager's default issuer. */
  shimIssuer?: string;
  /** Why an auto-certificate annotation on the owner, or its shim annotation for this entry, creates no Certificate. */
  shimIgnored?: string;
  /** The owner carries a shim annotation that skips this entry (shimIgnored says why). */
  shimAnnotationSkipped?: boolean;
  /** An Ingress entry's tls[].hosts: the dnsNames ingress-shim gives the Certificate it creates. */
  hosts?: string[];
  /**
   * Whether the shim's Certificate hangs on cert-manager controller settings the snapshot does not
   * show (no controller, or one reading a --config file): for an auto-certificate annotation
   * (kubernetes.io/tls-acme) whether --default-issuer-name is set (by default it is not, and then
   * the shim creates nothing); for an external cert-manager.io/issuer-kind without
   * cert-manager.io/issuer-group, whether the default issuer group is one the webhook takes it in.
   */
  shimDefaultIssuerUnread?: boolean;
  /** What the shim's Certificate also hangs on that the snapshot does not show ("cert-manager's Gateway API support is on (…)"). */
  shimUnread?: string;
}

const TLS_ACME = 'kubernetes.io/tls-acme';

/**
 * cert-manager's ingress-shim defaults, from its controller's flags: the default issuer
 * (--default-issuer-name, --default-issuer-kind, default kind Issuer), the issuer group every
 * shim Certificate starts from (--default-issuer-group, default cert-manager.io) and the
 * annotations that ask for a Certificate from the default issuer (--auto-certificate-annotations,
 * default kubernetes.io/tls-acme). Undefined when no cert-manager controller Deployment is in the
 * snapshot. A controller reading a --config file (ControllerConfiguration, whose
 * ingressShimConfig sets the same defaults) is only named, with `configFile`: the file is not read.
 */
interface ShimDefaults {
  controller: string; configFile?: string; issuer?: string; issuerGroup?: string; autoAnnotations: string[];
  /** Why the controller's flags leave ingress-shim off; undefined when it runs. */
  ingressShimOff?: string;
  /** Why the controller's flags leave gateway-shim off; undefined when it runs. */
  gatewayShimOff?: string;
}

/**
 * Which shims a cert-manager controller's flags run (cert-manager's controller options,
 * EnabledControllers; https://cert-manager.io/docs/cli/controller/): --controllers (default "*")
 * lists controllers to enable, "*" the on-by-default ones, ingress-shim among them, "-name"
 * disabling one, and only disabled ones imply "*". gateway-shim is not on by default: it runs
 * when --controllers names it, or with Gateway API support, --enable-gateway-api ("requires …
 * passing an additional flag to the cert-manager controller",
 * https://cert-manager.io/docs/usage/gateway/), unless the ExperimentalGatewayAPISupport feature
 * gate is off; a "-gateway-shim" disables it either way.
 */
function shimsOff(controller: string, words: string[]): Pick<ShimDefaults, 'ingressShimOff' | 'gatewayShimOff'> {
  const values = (name: string) => words.flatMap((w, i) => (w === `--${name}` ? [words[i + 1] ?? ''] : w.startsWith(`--${name}=`) ? [w.slice(name.length + 3)] : []));
  const controllers = values('controllers');
  const listed = (controllers.length ? controllers : ['*']).flatMap((v) => v.split(',')).map((c) => c.trim()).filter(Boolean);
  const enabled = listed.filter((c) => !c.startsWith('-'));
  const disabled = new Set(listed.filter((c) => c.startsWith('-')).map((c) => c.slice(1)));
  const star = enabled.includes('*') || enabled.length === 0;
  const said = controllers.length ? `--controllers=${controllers.join(',')}` : '';
  const gwFlag = words.map((w) => /^--enable-gateway-api(?:=(.*))?$/.exec(w)).filter((m) => !!m).map((m) => m![1] ?? 'true').at(-1);
  const gatewayApi = gwFlag !== undefined && /^(1|t|true)$/i.test(gwFlag);
  const gateOff = values('feature-gates').some((v) => /(^|,)\s*ExperimentalGatewayAPISupport=(false|0|f)\s*(,|$)/i.test(v));
  const ingressShimOff = disabled.has('ingress-shim') ? `${controller} disables it (${said})`
    : !star && !enabled.includes('ingress-shim') ? `${controller} does not enable it (${said} names neither ingress-shim nor *)` : undefined;
  const gatewayShimOff = disabled.has('gateway-shim') ? `${controller} disables it (${said})`
    : enabled.includes('gateway-shim') ? undefined
      : !gatewayApi ? `${controller} does not enable Gateway API support (no --enable-gateway-api${gwFlag !== undefined ? `, it is ${gwFlag}` : ''}), which the gateway-shim needs`
        : gateOff ? `${controller} turns the ExperimentalGatewayAPISupport feature gate off` : undefined;
  return { ...(ingressShimOff ? { ingressShimOff } : {}), ...(gatewayShimOff ? { gatewayShimOff } : {}) };
}

function ingressShimDefaults(snapshot: Snapshot): ShimDefaults | undefined {
  for (const o of snapshot.resources.deployments ?? []) {
    const containers = record(podTemplateOf(o)?.spec)?.containers;
    for (const raw of Array.isArray(containers) ? containers : []) {
      const c = record(raw);
      if (!c || !/(^|\/)cert-manager-controller$/.test(imageRepository(text(c.image) ?? ''))) continue;
      const words = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].filter((w): w is string => typeof w === 'string');
      const flag = (name: string) => {
        const i = words.findIndex((w) => w === `--${name}` || w.startsWith(`--${name}=`));
        if (i < 0) return undefined;
        return words[i].includes('=') ? words[i].slice(words[i].indexOf('=') + 1) : words[i + 1];
      };
      const controller = `Deployment ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
      const configFile = flag('config');
      if (configFile !== undefined) return { controller, configFile, autoAnnotations: [TLS_ACME] };
      const name = flag('default-issuer-name');
      const auto = flag('auto-certificate-annotations');
      const group = flag('default-issuer-group');
      return {
        controller,
        ...shimsOff(controller, words),
        ...(name ? { issuer: `${flag('default-issuer-kind') || 'Issuer'} ${name}` } : {}),
        ...(group ? { issuerGroup: group } : {}),
        autoAnnotations: auto ? auto.split(',').map((a) => a.trim()).filter(Boolean) : [TLS_ACME],
      };
    }
  }
  return undefined;
}

/** The first Ingress with a spec.tls entry and a kubernetes.io/tls-acme annotation, "namespace/name", for a check's conditional read. */
export function firstTlsAcmeIngress(snapshot: Snapshot): string | undefined {
  const ing = (snapshot.resources.ingresses ?? []).find((i) => typeof i.metadata?.annotations?.[TLS_ACME] === 'string' && Array.isArray(record(i.spec)?.tls));
  return ing ? `${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}` : undefined;
}

/** The first Ingress (with spec.tls) or Gateway carrying a cert-manager shim annotation, "Kind namespace/name": the controller's --controllers and --enable-gateway-api decide whether a shim runs for it. For a check's conditional read. */
export function firstShimAnnotated(snapshot: Snapshot): string | undefined {
  const has = (o: KubeObject) => SHIM_ANNOTATIONS.some((a) => typeof o.metadata?.annotations?.[a] === 'string');
  const ing = (snapshot.resources.ingresses ?? []).find((i) => Array.isArray(record(i.spec)?.tls) && has(i));
  const gw = ing ? undefined : (snapshot.resources['gatewayapi.gateways'] ?? []).find(has);
  const o = ing ?? gw;
  return o ? `${ing ? 'Ingress' : 'Gateway'} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}` : undefined;
}

/** An issuer-kind annotation value the webhook accepts only with an issuer group other than cert-manager.io's. */
const externalIssuerKind = (kind: string | undefined) => kind !== undefined && !['', 'Issuer', 'ClusterIssuer'].includes(kind);

/** Why the snapshot does not say cert-manager's shim defaults (no controller, or its --config file), or undefined when its flags say them. */
function shimDefaultsUnread(defaults: ShimDefaults | undefined): string | undefined {
  if (!defaults) return 'its controller is not in the snapshot to say which';
  return defaults.configFile !== undefined ? `${defaults.controller} reads its settings from --config ${defaults.configFile}, which is not read here` : undefined;
}

/**
 * The first Ingress (with spec.tls) or Gateway naming an external issuer kind without
 * cert-manager.io/issuer-group, "Kind namespace/name": the controller's --default-issuer-group
 * decides whether the webhook takes its Certificates. For a check's conditional read.
 */
export function firstIssuerKindWithoutGroup(snapshot: Snapshot): string | undefined {
  const lacks = (o: KubeObject) => externalIssuerKind(o.metadata?.annotations?.[ISSUER_KIND]) && o.metadata?.annotations?.[ISSUER_GROUP] === undefined;
  const ing = (snapshot.resources.ingresses ?? []).find((i) => Array.isArray(record(i.spec)?.tls) && lacks(i));
  const gw = ing ? undefined : (snapshot.resources['gatewayapi.gateways'] ?? []).find(lacks);
  const o = ing ?? gw;
  return o ? `${ing ? 'Ingress' : 'Gateway'} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}` : undefined;
}

/**
 * Why cert-manager's gateway-shim creates no Certificate for a listener of an annotated Gateway
 * (pkg/controller/certificate-shim/sync.go handleGatewayAPIListeners and
 * validateGatewayListenerBlock), or undefined when it does: only HTTPS and TLS listeners (and
 * protocols the controller's Gateway API extra-protocols option adds, not read here), never
 * Passthrough ones nor those cert-manager.io/ignore-tls-listeners names; the listener needs a
 * hostname, tls.mode Terminate (the API server's default when unset), and every certificateRef
 * must be a core Secret of the Gateway's own namespace, or the whole listener is skipped.
 */
function gatewayShimSkips(gw: KubeObject, listener: Record<string, unknown>, refs: unknown[], ns: string): string | undefined {
  const protocol = text(listener.protocol) ?? '';
  if (protocol !== 'HTTPS' && protocol !== 'TLS') return `its protocol ${protocol || '(unset)'} is not HTTPS or TLS`;
  const mode = text(record(listener.tls)?.mode) ?? 'Terminate';
  if (mode === 'Passthrough') return 'cert-manager never issues for a Passthrough listener';
  const ignored = gw.metadata?.annotations?.['cert-manager.io/ignore-tls-listeners'];
  if (typeof ignored === 'string' && ignored.split(',').some((x) => x.trim() === text(listener.name))) return 'cert-manager.io/ignore-tls-listeners names it';
  if (!text(listener.hostname)) return 'it has no hostname';
  for (const r of refs) {
    const ref = record(r);
    const group = text(ref?.group) ?? '';
    const kind = text(ref?.kind) ?? '';
    const refNs = text(ref?.namespace);
    if (group !== '' && group !== 'core') return `a certificateRef has group ${group}`;
    if (kind !== '' && kind !== 'Secret') return `a certificateRef has kind ${kind}`;
    if (refNs !== undefined && refNs !== ns) return `a certificateRef names namespace ${refNs} (cross-namespace references are refused)`;
  }
  if (mode !== 'Terminate') return `its tls.mode ${mode} is not Terminate`;
  return undefined;
}

type ShimFields = Pick<TlsSecretUse, 'shimAnnotation' | 'shimIssuer' | 'shimIgnored' | 'shimAnnotationSkipped' | 'shimDefaultIssuerUnread' | 'shimUnread'>;

const ISSUER = 'cert-manager.io/issuer';
const CLUSTER_ISSUER = 'cert-manager.io/cluster-issuer';
const ISSUER_KIND = 'cert-manager.io/issuer-kind';
const ISSUER_GROUP = 'cert-manager.io/issuer-group';
/** Annotation pairs on which issuerForIngressLike gives up ("both %q and %q may not be set"). */
const CONFLICTING_ISSUER_ANNOTATIONS = [[ISSUER, CLUSTER_ISSUER], [CLUSTER_ISSUER, ISSUER_GROUP], [CLUSTER_ISSUER, ISSUER_KIND]] as const;

/** Go's time.ParseDuration units, in nanoseconds. */
const GO_DURATION_UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n };

/** Go time.ParseDuration: nanoseconds, or undefined where Go returns an error ("90d", "10", "", past int64). */
function goDuration(s: string): number | undefined {
  const m = /^([-+]?)(.*)$/s.exec(s)!;
  if (m[2] === '0') return 0;
  if (!/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.test(m[2])) return undefined;
  let total = 0n;
  for (const [, whole, frac, unit] of m[2].matchAll(/(\d*)\.?(\d*)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += BigInt(whole || '0') * GO_DURATION_UNITS[unit] + (frac ? (BigInt(frac) * GO_DURATION_UNITS[unit]) / 10n ** BigInt(frac.length) : 0n);
  }
  if (total > (m[1] === '-' ? 2n ** 63n : 2n ** 63n - 1n)) return undefined;
  return Number(m[1] === '-' ? -total : total);
}

/**
 * Go encoding/csv as util.SplitWithEscapeCSV reads a subject annotation: why it refuses the text
 * (a bare or stray quote, an unterminated quoted field, no record or more than one), or undefined.
 */
function csvRefusal(text: string): string | undefined {
  // encoding/csv drops a trailing \r before the end of the text.
  const s = text.endsWith('\r') ? text.slice(0, -1) : text;
  let records = 0;
  let i = 0;
  while (i < s.length) {
    // encoding/csv skips empty lines.
    if (s[i] === '\n' || (s[i] === '\r' && s[i + 1] === '\n')) {
      i += s[i] === '\r' ? 2 : 1;
      continue;
    }
    records++;
    for (;;) {
      if (s[i] === '"') {
        i++;
        for (;;) {
          if (i >= s.length) return 'extraneous or missing " in quoted-field';
          if (s[i] === '"') {
            if (s[i + 1] === '"') i += 2;
            else { i++; break; }
          } else i++;
        }
        if (i < s.length && s[i] !== ',' && s[i] !== '\n' && !(s[i] === '\r' && s[i + 1] === '\n')) return 'extraneous or missing " in quoted-field';
      } else {
        while (i < s.length && s[i] !== ',' && s[i] !== '\n' && !(s[i] === '\r' && s[i + 1] === '\n')) {
          if (s[i] === '"') return 'bare " in non-quoted-field';
          i++;
        }
      }
      if (s[i] === ',') { i++; continue; }
      if (i < s.length) i += s[i] === '\r' ? 2 : 1;
      break;
    }
  }
  if (records === 0) return 'no values found';
  if (records > 1) return 'it parses as multiple lines of CSV';
  return undefined;
}

const KEY_USAGES = new Set(['signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc']);
const SUBJECT_CSV_ANNOTATIONS = ['organizations', 'organizationalunits', 'countries', 'provinces', 'localities', 'postalcodes', 'streetaddresses'].map((a) => `cert-manager.io/subject-${a}`);

/**
 * The first cert-manager annotation on an Ingress or Gateway that the shims' translateAnnotations
 * refuses ("invalid ingress annotation", for Gateways too), with the rule it breaks, or undefined
 * (cert-manager pkg/controller/certificate-shim/helper.go, translateAnnotations, as of v1.21; its
 * unit test's "bad duration" case). Before v1.21 the shim copied common-name, ip-sans and
 * email-sans unchecked and took durations under the minimums, and the cert-manager webhook
 * refused the Certificate for the same rules (internal/apis/certmanager/validation/certificate.go),
 * but for an empty ip-sans or email-sans, or spaces after their commas, which v1.21 accepts.
 */
function invalidShimAnnotation(annotations: Record<string, string>): string | undefined {
  const has = (k: string) => typeof annotations[k] === 'string';
  const bad = (k: string, rule: string) => `${k}: "${annotations[k]}" ${rule}`;
  const cn = 'cert-manager.io/common-name';
  if (has(cn) && Buffer.byteLength(annotations[cn]) > 64) return bad(cn, 'is more than 64 bytes, the most a common name may be');
  const ips = 'cert-manager.io/ip-sans';
  if (has(ips) && annotations[ips] !== '' && annotations[ips].split(',').some((ip) => !isGoIp(goTrimSpace(ip)))) return bad(ips, 'names something that is not an IP address');
  const emails = 'cert-manager.io/email-sans';
  if (has(emails) && annotations[emails] !== '') {
    const wrong = annotations[emails].split(',').map(goTrimSpace).find((e) => !isGoMailAddress(e));
    if (wrong !== undefined) return bad(emails, `names "${wrong}", which is not an email address alone (like "me@example.com")`);
  }
  for (const k of SUBJECT_CSV_ANNOTATIONS) {
    const why = has(k) ? csvRefusal(annotations[k]) : undefined;
    if (why) return bad(k, `is not one line of CSV (${why})`);
  }
  for (const [k, min, minText] of [['cert-manager.io/duration', 3600e9, '1h'], ['cert-manager.io/renew-before', 300e9, '5m']] as const) {
    if (!has(k)) continue;
    const d = goDuration(annotations[k]);
    if (d === undefined) return bad(k, 'is not a Go duration (decimal numbers each with a unit ns, us, ms, s, m or h, like "2160h" or "1h30m"; there is no "d")');
    if (d < min) return bad(k, `is less than the minimum ${minText}`);
  }
  const pct = 'cert-manager.io/renew-before-percentage';
  if (has(pct) && goParseInt(annotations[pct], 32) === undefined) return bad(pct, 'is not a 32-bit integer');
  const usages = 'cert-manager.io/usages';
  if (has(usages)) {
    const unknown = annotations[usages].split(',').find((u) => !KEY_USAGES.has(u.replace(/^ +| +$/g, '')));
    if (unknown !== undefined) return bad(usages, `names "${unknown}", which is not a key usage cert-manager knows`);
  }
  const limit = 'cert-manager.io/revision-history-limit';
  if (has(limit)) {
    const n = goParseInt(annotations[limit], 32);
    if (n === undefined) return bad(limit, 'is not a 32-bit integer');
    if (n < 1) return bad(limit, 'is not a positive number');
  }
  const alg = 'cert-manager.io/private-key-algorithm';
  if (has(alg) && !['RSA', 'ECDSA', 'Ed25519'].includes(annotations[alg])) return bad(alg, 'is not RSA, ECDSA or Ed25519');
  const enc = 'cert-manager.io/private-key-encoding';
  if (has(enc) && !['PKCS1', 'PKCS8'].includes(annotations[enc])) return bad(enc, 'is not PKCS1 or PKCS8');
  const size = 'cert-manager.io/private-key-size';
  if (has(size)) {
    const n = goParseInt(annotations[size], 64);
    if (n === undefined) return bad(size, 'is not an integer');
    const algorithm = has(alg) && annotations[alg] !== '' ? annotations[alg] : 'RSA';
    if (algorithm === 'RSA' && (n < 2048 || n > 8192)) return bad(size, 'is not an RSA key size from 2048 to 8192');
    if (algorithm === 'ECDSA' && ![256, 384, 521].includes(n)) return bad(size, 'is not an ECDSA key size (256, 384 or 521)');
  }
  const rotation = 'cert-manager.io/private-key-rotation-policy';
  if (has(rotation) && !['Never', 'Always'].includes(annotations[rotation])) return bad(rotation, 'is not Never or Always');
  const template = 'cert-manager.io/secret-template';
  if (has(template)) {
    const why = secretTemplateRefusal(annotations[template]);
    if (why) return bad(template, why);
  }
  return undefined;
}

/** Go net.ParseIP: dotted-quad IPv4 (no leading zeros) or IPv6 without a zone. */
function isGoIp(s: string): boolean {
  return net.isIP(s) !== 0 && !s.includes('%');
}

/** Go strings.TrimSpace: Unicode White_Space (with U+0085, without U+FEFF, unlike String.prototype.trim). */
function goTrimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');
}

/** RFC 5322 dot-atom as Go net/mail's consumeAtom reads it: atext (VCHAR but the specials, or any non-ASCII character) in dot-separated runs. */
const GO_MAIL_DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+)*$/u;

/**
 * Whether Go mail.ParseAddress(s) succeeds with Address equal to s, as translateAnnotations (and
 * the webhook's validateEmailAddresses) require of each cert-manager.io/email-sans value: a bare
 * addr-spec whose local part is a dot-atom (a quoted local part comes back unquoted, a display
 * name or comment is dropped) and whose domain is a dot-atom or an IP address in brackets. Go
 * releases differ on the bracketed form (consumeDomainLiteral: any net.ParseIP address, or IPv4
 * and "IPv6:"-prefixed IPv6 only), so both are taken as accepted; anything else in brackets is
 * refused by every release.
 */
function isGoMailAddress(s: string): boolean {
  const at = s.lastIndexOf('@');
  if (at < 0 || !GO_MAIL_DOT_ATOM.test(s.slice(0, at))) return false;
  const domain = s.slice(at + 1);
  return domain.startsWith('[') && domain.endsWith(']') ? isGoIp(domain.slice(1, -1).replace(/^IPv6:/, '')) : GO_MAIL_DOT_ATOM.test(domain);
}

/**
 * Why translateAnnotations refuses a cert-manager.io/secret-template value: JSON decoded into
 * CertificateSecretTemplate with unknown fields disallowed (only annotations and labels, each a
 * map of strings), and no cert-manager.io/ annotation in it.
 */
function secretTemplateRefusal(s: string): string | undefined {
  // json.Decoder.Decode reads the first JSON value and ignores what follows it.
  const start = s.search(/\S/);
  if (start < 0) return 'is empty, not JSON';
  if (/^null(?![A-Za-z0-9])/.test(s.slice(start))) return undefined;
  if (s[start] !== '{') return 'is not a JSON object with annotations and labels';
  let depth = 0;
  let end = -1;
  for (let i = start, inString = false; i < s.length && end < 0; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) end = i;
  }
  let t: Record<string, unknown> | undefined;
  try {
    t = record(JSON.parse(s.slice(start, end + 1)));
  } catch {
    return 'is not JSON';
  }
  for (const [k, m] of Object.entries(t ?? {})) {
    // encoding/json matches field names case-insensitively (Unicode simple folding: ſ is s).
    const field = k.toLowerCase().replace(/ſ/g, 's');
    if (field !== 'annotations' && field !== 'labels') return `has the unknown field ${k}`;
    if (m === null) continue;
    const map = record(m);
    if (!map || Object.values(map).some((x) => x !== null && typeof x !== 'string')) return `has ${k} that is not a map of strings`;
    if (field === 'annotations') {
      const cm = Object.keys(map).find((a) => a.startsWith('cert-manager.io/'));
      if (cm) return `must not have cert-manager.io/ annotations: ${cm}`;
    }
  }
  return undefined;
}

/** cmapi.DefaultCertificateDuration, the duration of a Certificate that sets none: 90 days. */
const DEFAULT_CERTIFICATE_DURATION = 2160 * 3600e9;

/**
 * Why the cert-manager webhook refuses the Certificate a shim builds from annotations
 * translateAnnotations took (internal/apis/certmanager/validation/certificate.go,
 * ValidateCertificateSpec), so it is never created, or undefined. ValidateDuration: renew-before
 * must be less than the duration (90 days when unset), may not be set with renew-before-percentage,
 * and the percentage must leave a renewBefore of at least 5m and less than the duration;
 * validateIssuerRef: with the issuer group cert-manager.io (issuer-group, else the controller's
 * --default-issuer-group, cert-manager.io by default, judged only when its flags are read) the
 * kind is Issuer or ClusterIssuer ("did you forget to set spec.issuerRef.group?").
 */
function webhookRefusal(annotations: Record<string, string>, defaults: ShimDefaults | undefined): string | undefined {
  const has = (k: string) => typeof annotations[k] === 'string';
  const before = 'cert-manager.io/renew-before';
  const pct = 'cert-manager.io/renew-before-percentage';
  const durationKey = 'cert-manager.io/duration';
  const duration = has(durationKey) ? goDuration(annotations[durationKey]) ?? DEFAULT_CERTIFICATE_DURATION : DEFAULT_CERTIFICATE_DURATION;
  const durationText = has(durationKey) ? `the duration ${annotations[durationKey]}` : 'the default duration 2160h';
  if (has(before) && has(pct)) return `${before} and ${pct} may not both be set`;
  const renewBefore = has(before) ? goDuration(annotations[before]) : undefined;
  if (renewBefore !== undefined && renewBefore >= duration) return `${before}: "${annotations[before]}" is not less than ${durationText}`;
  const percentage = has(pct) ? goParseInt(annotations[pct], 32) : undefined;
  if (percentage !== undefined) {
    // Go: time.Duration(float64(duration) * float64(100-pct) / 100), truncated.
    const r = Math.trunc((duration * (100 - percentage)) / 100);
    if (r < 300e9 || r >= duration) return `${pct}: "${annotations[pct]}" does not leave a renewBefore of at least 5m and less than ${durationText}`;
  }
  const kind = annotations[ISSUER_KIND];
  // Without issuer-group the group is the controller's default: unread, it is not known to be
  // cert-manager.io (issuerGroupUnread says so instead).
  if (externalIssuerKind(kind) && (annotations[ISSUER_GROUP] !== undefined || !shimDefaultsUnread(defaults))) {
    const group = annotations[ISSUER_GROUP] ?? defaults?.issuerGroup ?? 'cert-manager.io';
    const from = annotations[ISSUER_GROUP] !== undefined ? ISSUER_GROUP
      : defaults?.issuerGroup ? `the --default-issuer-group of ${defaults.controller}` : `${defaults?.controller}'s default --default-issuer-group`;
    if (group === '' || group === 'cert-manager.io') return `${ISSUER_KIND}: "${kind}" is not Issuer or ClusterIssuer, which an issuer of group "${group}" (${from}) must be: an external issuer needs ${ISSUER_GROUP}`;
  }
  return undefined;
}

/**
 * The shim fields of an Ingress or Gateway whose shim annotation the shims take, when its
 * external cert-manager.io/issuer-kind without cert-manager.io/issuer-group leaves the issuer
 * group to controller defaults the snapshot does not show: the Certificate is created if that
 * group is not cert-manager.io (ShimDefaults; cert-manager's ControllerConfiguration
 * ingressShimConfig.defaultIssuerGroup, pkg/apis/config/controller/v1alpha1/types.go, may set it).
 */
function issuerGroupUnread(o: KubeObject, shim: string, defaults: ShimDefaults | undefined): ShimFields {
  const annotations = o.metadata?.annotations ?? {};
  const kind = annotations[ISSUER_KIND];
  const unread = shimDefaultsUnread(defaults);
  if (!externalIssuerKind(kind) || annotations[ISSUER_GROUP] !== undefined || !unread) return { shimAnnotation: shim };
  return {
    shimAnnotation: shim,
    shimIssuer: `${kind} "${annotations[shim]}", if cert-manager's default issuer group is not cert-manager.io (the webhook takes an issuer-kind other than Issuer or ClusterIssuer only in another group; there is no ${ISSUER_GROUP}, and ${unread})`,
    shimDefaultIssuerUnread: true,
  };
}

/**
 * Why cert-manager's ingress-shim or gateway-shim creates no Certificate for any TLS entry or
 * listener of an Ingress or Gateway that asks for them, or undefined
 * (pkg/controller/certificate-shim/sync.go, SyncFnFor, one function for both kinds):
 * issuerForIngressLike fails on conflicting issuer annotations, present whatever their value, and
 * on an empty issuer name ("Could not determine issuer for ingress due to bad annotations"); for an
 * Ingress, validateIngressLike's checkForDuplicateSecretNames refuses a secretName, unset included,
 * in two TLS entries ("this secret name must only appear in a single TLS entry") (it checks
 * nothing for a Gateway); each emits BadConfig and stops. So does an annotation
 * translateAnnotations cannot parse (invalidShimAnnotation): buildCertificates returns its error
 * before creating or updating any Certificate, and so does the webhook refusing the Certificate
 * (webhookRefusal). `tls` is the Ingress's spec.tls; undefined for a Gateway.
 */
function shimRefuses(o: KubeObject, tls: unknown[] | undefined, defaults: () => ShimDefaults | undefined): string | undefined {
  const annotations = o.metadata?.annotations ?? {};
  const both = CONFLICTING_ISSUER_ANNOTATIONS.filter(([a, b]) => annotations[a] !== undefined && annotations[b] !== undefined);
  if (both.length) return `it cannot determine the issuer: ${both.map(([a, b]) => `${a} and ${b} may not both be set`).join(', ')}`;
  const named = [CLUSTER_ISSUER, ISSUER].find((a) => annotations[a] !== undefined);
  if (named && annotations[named] === '') return `it cannot determine the issuer: ${named} is empty`;
  const first = new Map<string, number>();
  for (const [i, t] of (tls ?? []).entries()) {
    const raw = record(t)?.secretName;
    const name = typeof raw === 'string' ? raw : '';
    const at = first.get(name);
    if (at !== undefined) return `${name ? `secretName ${name}` : 'an unset secretName'} is in both tls[${at}] and tls[${i}], and a secret name must only appear in a single TLS entry`;
    first.set(name, i);
  }
  const invalid = invalidShimAnnotation(annotations);
  if (invalid) return `invalid ingress annotation ${invalid}`;
  const refused = webhookRefusal(annotations, defaults());
  return refused ? `the cert-manager webhook refuses the Certificate it makes: ${refused}` : undefined;
}

/**
 * Why the shim takes no Certificate for a Secret of an Ingress or Gateway it issues for, or
 * undefined: it names the Certificate after the Secret and, when one of that name exists that the
 * object does not control, leaves it as it is (sync.go buildCertificates: "certificate resource
 * has no owner" / "is not owned by this object. refusing to update non-owned certificate
 * resource"), whatever Secret that Certificate writes. metav1.IsControlledBy compares uids; objects
 * from manifests seldom carry them, so there the controller reference's kind and name are compared.
 */
function uncontrolledCertificate(named: KubeObject | undefined, owner: KubeObject, kind: string): string | undefined {
  if (!named) return undefined;
  const ref = (Array.isArray(named.metadata?.ownerReferences) ? named.metadata.ownerReferences : []).map(record).find((r) => r?.controller === true);
  const uid = text(owner.metadata?.uid);
  const controls = !!ref && (uid && text(ref.uid) ? ref.uid === uid : ref.kind === kind && ref.name === owner.metadata?.name);
  if (controls) return undefined;
  const what = `Certificate ${named.metadata?.namespace ?? 'default'}/${named.metadata?.name ?? ''}`;
  return ref
    ? `${what} exists and is controlled by ${text(ref.kind) ?? 'an object'} ${text(ref.name) ?? ''}, not by this ${kind}, and cert-manager refuses to update a Certificate the ${kind} does not control`
    : `${what} exists with no controller, and cert-manager refuses to update a Certificate the ${kind} does not control`;
}

export function tlsSecretUses(snapshot: Snapshot): { uses: TlsSecretUse[]; notes: string[] } {
  const uses: TlsSecretUse[] = [];
  const notes: string[] = [];
  // Present, even empty, the annotation asks for Certificates (sync.go hasShimAnnotation); empty,
  // shimRefuses says why none comes.
  const shimOf = (o: KubeObject) => SHIM_ANNOTATIONS.find((a) => typeof o.metadata?.annotations?.[a] === 'string');
  let certificatesByName: Map<string, KubeObject> | undefined;
  const certificateNamed = (ns: string, name: string) => {
    certificatesByName ??= new Map((snapshot.resources['certmanager.certificates'] ?? []).map((c) => [`${c.metadata?.namespace ?? 'default'}/${c.metadata?.name ?? ''}`, c]));
    return certificatesByName.get(`${ns}/${name}`);
  };
  /** The shim fields of one Secret of an object the shim issues for: refused when a same-named Certificate is not the object's. */
  const takenOver = (fields: ShimFields, o: KubeObject, kind: string, where: string, ns: string, secretName: string): ShimFields => {
    if (fields.shimAnnotation === undefined) return fields;
    const why = uncontrolledCertificate(certificateNamed(ns, secretName), o, kind);
    return why ? { shimIgnored: `${fields.shimAnnotation} creates no Certificate for ${where}: ${why}`, shimAnnotationSkipped: true } : fields;
  };
  let defaults: ShimDefaults | undefined | null = null;
  const shimDefaults = () => (defaults === null ? (defaults = ingressShimDefaults(snapshot)) : defaults);
  // cert-manager's ingress-shim also creates a Certificate for an Ingress (never a Gateway) one
  // of whose auto-certificate annotations parses as true (Go strconv.ParseBool), from its default
  // issuer; without one it cannot pick an issuer and creates none (cert-manager
  // pkg/controller/certificate-shim/sync.go, hasShimAnnotation and issuerForIngressLike;
  // https://cert-manager.io/docs/usage/ingress/#optional-configuration).
  const autoShimOf = (o: KubeObject): ShimFields => {
    const defaults = shimDefaults();
    const annotations = o.metadata?.annotations ?? {};
    const auto = (defaults?.autoAnnotations ?? [TLS_ACME]).find((a) => typeof annotations[a] === 'string' && nginxAnnotationBool(annotations[a]) === true);
    if (!auto) return {};
    const unread = shimDefaultsUnread(defaults);
    if (!defaults || unread) return { shimAnnotation: auto, shimIssuer: `cert-manager's default issuer (${unread})`, shimDefaultIssuerUnread: true };
    if (defaults.issuer) return { shimAnnotation: auto, shimIssuer: `the default issuer ${defaults.issuer} of ${defaults.controller}` };
    return { shimIgnored: `${auto}: "${annotations[auto]}" asks cert-manager for a Certificate, but ${defaults.controller} sets no --default-issuer-name, so it creates none` };
  };
  for (const ing of snapshot.resources.ingresses ?? []) {
    const owner = refOf(ing, 'Ingress');
    const ns = owner.namespace ?? 'default';
    const tls = record(ing.spec)?.tls;
    if (tls === undefined) continue;
    if (!Array.isArray(tls)) {
      notes.push(`Ingress ${ns}/${owner.name}: spec.tls is not a list`);
      continue;
    }
    const shim = shimOf(ing);
    const asked: ShimFields = shim ? issuerGroupUnread(ing, shim, shimDefaults()) : autoShimOf(ing);
    const refused = asked.shimAnnotation !== undefined ? shimRefuses(ing, tls, shimDefaults) : undefined;
    const off = asked.shimAnnotation !== undefined ? shimDefaults()?.ingressShimOff : undefined;
    const viaShim: ShimFields = off ? { shimIgnored: `${asked.shimAnnotation} creates no Certificate for Ingress ${ns}/${owner.name}: cert-manager's ingress-shim does not run, ${off}`, shimAnnotationSkipped: true }
      : refused ? { shimIgnored: `${asked.shimAnnotation} creates no Certificate for Ingress ${ns}/${owner.name}: ${refused}`, shimAnnotationSkipped: true } : asked;
    tls.forEach((t, i) => {
      const secretName = text(record(t)?.secretName);
      if (!secretName) return;
      // The shim skips a TLS entry without hosts (sync.go validateIngressTLSBlock: "Skipped a TLS
      // block"), creating no Certificate for its Secret.
      const hosts = record(t)?.hosts;
      const skipped = (viaShim.shimAnnotation !== undefined) && !(Array.isArray(hosts) && hosts.length > 0)
        ? { shimIgnored: `${viaShim.shimAnnotation} creates no Certificate for tls[${i}]: cert-manager skips a TLS entry without hosts`, shimAnnotationSkipped: true }
        : undefined;
      const named = Array.isArray(hosts) ? hosts.filter((h): h is string => typeof h === 'string') : [];
      uses.push({ owner, where: `tls[${i}]`, namespace: ns, secretName, ...(skipped ?? takenOver(viaShim, ing, 'Ingress', `tls[${i}]`, ns, secretName)), ...(named.length ? { hosts: named } : {}) });
    });
  }
  for (const gw of snapshot.resources['gatewayapi.gateways'] ?? []) {
    const owner = refOf(gw, 'Gateway');
    const ns = owner.namespace ?? 'default';
    const listeners = record(gw.spec)?.listeners;
    if (!Array.isArray(listeners)) continue;
    const shim = shimOf(gw);
    // The gateway-shim refuses what the ingress-shim refuses, but duplicate secretNames.
    const refused = shim ? shimRefuses(gw, undefined, shimDefaults) : undefined;
    const off = shim ? shimDefaults()?.gatewayShimOff : undefined;
    // A controller reading --config may enable Gateway API support there (config.enableGatewayAPI): unread, said.
    const configFile = shim ? shimDefaults()?.configFile : undefined;
    const unread = configFile !== undefined ? { shimUnread: `cert-manager's Gateway API support is on, which the gateway-shim needs (${shimDefaults()!.controller} reads its settings from --config ${configFile}, which is not read here)` } : {};
    listeners.forEach((l, i) => {
      const listener = record(l);
      const refs = record(listener?.tls)?.certificateRefs;
      if (refs === undefined) return;
      const name = text(listener?.name) ?? `#${i}`;
      if (!Array.isArray(refs)) {
        notes.push(`Gateway ${ns}/${owner.name}: listener ${name} tls.certificateRefs is not a list`);
        return;
      }
      const skip = shim ? gatewayShimSkips(gw, listener ?? {}, refs, ns) : undefined;
      const viaShim: ShimFields = !shim ? {}
        : off ? { shimIgnored: `${shim} creates no Certificate for Gateway ${ns}/${owner.name}: cert-manager's gateway-shim does not run, ${off}`, shimAnnotationSkipped: true }
          : refused ? { shimIgnored: `${shim} creates no Certificate for Gateway ${ns}/${owner.name}: ${refused}`, shimAnnotationSkipped: true }
            : skip ? { shimIgnored: `${shim} creates no Certificate for listener ${name}: ${skip}`, shimAnnotationSkipped: true }
              : { ...issuerGroupUnread(gw, shim, shimDefaults()), ...unread };
      for (const r of refs) {
        const ref = record(r);
        const kind = text(ref?.kind) ?? 'Secret';
        const group = text(ref?.group) ?? '';
        const secretName = text(ref?.name);
        if (kind !== 'Secret' || group !== '' || !secretName) continue;
        const secretNs = text(ref?.namespace) ?? ns;
        uses.push({ owner, where: `listener ${name}`, namespace: secretNs, secretName, ...takenOver(viaShim, gw, 'Gateway', `listener ${name}`, secretNs, secretName) });
      }
    });
  }
  // The listeners of the ListenerSets a Gateway takes terminate TLS with their own certificateRefs
  // (in the ListenerSet's namespace unless set). cert-manager's gateway-shim reads a ListenerSet's
  // annotations only from v1.20 with its ListenerSets feature gate on, off by default
  // (https://cert-manager.io/docs/usage/gateway/#listenerset): its annotations are not read here,
  // so a Secret no Certificate writes is not taken as issued.
  for (const sets of gatewayListenerSets(snapshot).byGateway.values()) {
    for (const set of sets) {
      const owner = set.ref;
      const ns = owner.namespace ?? 'default';
      const shimIgnored = `the issuer annotations of a ${owner.kind} are not read (cert-manager's gateway-shim takes them only from v1.20 with its ListenerSets feature gate on, off by default)`;
      set.listeners.forEach((listener, i) => {
        const refs = record(listener.tls)?.certificateRefs;
        if (refs === undefined) return;
        const name = text(listener.name) ?? `#${i}`;
        if (!Array.isArray(refs)) {
          notes.push(`${owner.kind} ${ns}/${owner.name}: listener ${name} tls.certificateRefs is not a list`);
          return;
        }
        for (const r of refs) {
          const ref = record(r);
          const secretName = text(ref?.name);
          if ((text(ref?.kind) ?? 'Secret') !== 'Secret' || (text(ref?.group) ?? '') !== '' || !secretName) continue;
          uses.push({ owner, where: `listener ${name}`, namespace: text(ref?.namespace) ?? ns, secretName, shimIgnored, shimAnnotationSkipped: true });
        }
      });
    }
  }
  return { uses, notes };
}

/** Secrets ("namespace/name") that a Certificate's spec.secretName names. */
export function managedSecrets(certificates: CertificateState[]): Map<string, ResourceRef> {
  const out = new Map<string, ResourceRef>();
  for (const c of certificates) if (c.secretName) out.set(`${c.ref.namespace ?? 'default'}/${c.secretName}`, c.ref);
  return out;
}

/**
 * Whether cert-manager objects of these kinds are to be judged: some exist, or a kind could
 * not be read (then the check is not-evaluated, never "not applicable" for lack of data).
 */
export function certManagerObjectsIn(snapshot: Snapshot, keys: readonly KindKey[]): boolean {
  return keys.some((k) => (snapshot.resources[k] ?? []).length > 0 || snapshot.coverage[k]?.status === 'forbidden' || snapshot.coverage[k]?.status === 'error');
}
