// cert-manager's own view of the certificates it manages, read from the status it writes on
// Certificate, Issuer and ClusterIssuer objects (conditions, notAfter, renewalTime, lastFailureTime), and
// which edge TLS Secrets it manages. Secrets themselves are never read.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
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
   * The shim annotation is an auto-certificate one (kubernetes.io/tls-acme) and no cert-manager
   * controller in the snapshot says whether --default-issuer-name is set: by default it is not,
   * and then the shim creates nothing.
   */
  shimDefaultIssuerUnread?: boolean;
}

const TLS_ACME = 'kubernetes.io/tls-acme';

/**
 * cert-manager's ingress-shim defaults, from its controller's flags: the default issuer
 * (--default-issuer-name, --default-issuer-kind, default kind Issuer) and the annotations that
 * ask for a Certificate from it (--auto-certificate-annotations, default kubernetes.io/tls-acme).
 * Undefined when no cert-manager controller Deployment is in the snapshot or it reads a --config file.
 */
function ingressShimDefaults(snapshot: Snapshot): { controller: string; issuer?: string; autoAnnotations: string[] } | undefined {
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
      if (flag('config') !== undefined) return undefined;
      const name = flag('default-issuer-name');
      const auto = flag('auto-certificate-annotations');
      return {
        controller: `Deployment ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`,
        ...(name ? { issuer: `${flag('default-issuer-kind') || 'Issuer'} ${name}` } : {}),
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

type ShimFields = Pick<TlsSecretUse, 'shimAnnotation' | 'shimIssuer' | 'shimIgnored' | 'shimAnnotationSkipped' | 'shimDefaultIssuerUnread'>;

const ISSUER = 'cert-manager.io/issuer';
const CLUSTER_ISSUER = 'cert-manager.io/cluster-issuer';
/** Annotation pairs on which issuerForIngressLike gives up ("both %q and %q may not be set"). */
const CONFLICTING_ISSUER_ANNOTATIONS = [[ISSUER, CLUSTER_ISSUER], [CLUSTER_ISSUER, 'cert-manager.io/issuer-group'], [CLUSTER_ISSUER, 'cert-manager.io/issuer-kind']] as const;

/**
 * Why cert-manager's ingress-shim creates no Certificate for any TLS entry of an Ingress that asks
 * for them, or undefined (pkg/controller/certificate-shim/sync.go, SyncFn): issuerForIngressLike
 * fails on conflicting issuer annotations, present whatever their value ("Could not determine
 * issuer for ingress due to bad annotations"), and validateIngressLike's
 * checkForDuplicateSecretNames refuses a secretName, unset included, in two TLS entries ("this
 * secret name must only appear in a single TLS entry"); both emit BadConfig and stop.
 */
function ingressShimRefuses(ing: KubeObject, tls: unknown[]): string | undefined {
  const annotations = ing.metadata?.annotations ?? {};
  const both = CONFLICTING_ISSUER_ANNOTATIONS.filter(([a, b]) => annotations[a] !== undefined && annotations[b] !== undefined);
  if (both.length) return `it cannot determine the issuer: ${both.map(([a, b]) => `${a} and ${b} may not both be set`).join(', ')}`;
  const first = new Map<string, number>();
  for (const [i, t] of tls.entries()) {
    const raw = record(t)?.secretName;
    const name = typeof raw === 'string' ? raw : '';
    const at = first.get(name);
    if (at !== undefined) return `${name ? `secretName ${name}` : 'an unset secretName'} is in both tls[${at}] and tls[${i}], and a secret name must only appear in a single TLS entry`;
    first.set(name, i);
  }
  return undefined;
}

export function tlsSecretUses(snapshot: Snapshot): { uses: TlsSecretUse[]; notes: string[] } {
  const uses: TlsSecretUse[] = [];
  const notes: string[] = [];
  const shimOf = (o: KubeObject) => SHIM_ANNOTATIONS.find((a) => typeof o.metadata?.annotations?.[a] === 'string' && o.metadata.annotations[a] !== '');
  let defaults: ReturnType<typeof ingressShimDefaults> | null = null;
  // cert-manager's ingress-shim also creates a Certificate for an Ingress (never a Gateway) one
  // of whose auto-certificate annotations parses as true (Go strconv.ParseBool), from its default
  // issuer; without one it cannot pick an issuer and creates none (cert-manager
  // pkg/controller/certificate-shim/sync.go, hasShimAnnotation and issuerForIngressLike;
  // https://cert-manager.io/docs/usage/ingress/#optional-configuration).
  const autoShimOf = (o: KubeObject): ShimFields => {
    if (defaults === null) defaults = ingressShimDefaults(snapshot);
    const annotations = o.metadata?.annotations ?? {};
    const auto = (defaults?.autoAnnotations ?? [TLS_ACME]).find((a) => typeof annotations[a] === 'string' && nginxAnnotationBool(annotations[a]) === true);
    if (!auto) return {};
    if (!defaults) return { shimAnnotation: auto, shimIssuer: 'cert-manager\'s default issuer (its controller is not in the snapshot to say which)', shimDefaultIssuerUnread: true };
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
    const asked: ShimFields = shim ? { shimAnnotation: shim } : autoShimOf(ing);
    const refused = asked.shimAnnotation !== undefined ? ingressShimRefuses(ing, tls) : undefined;
    const viaShim: ShimFields = refused ? { shimIgnored: `${asked.shimAnnotation} creates no Certificate for Ingress ${ns}/${owner.name}: ${refused}`, shimAnnotationSkipped: true } : asked;
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
      uses.push({ owner, where: `tls[${i}]`, namespace: ns, secretName, ...(skipped ?? viaShim), ...(named.length ? { hosts: named } : {}) });
    });
  }
  for (const gw of snapshot.resources['gatewayapi.gateways'] ?? []) {
    const owner = refOf(gw, 'Gateway');
    const ns = owner.namespace ?? 'default';
    const listeners = record(gw.spec)?.listeners;
    if (!Array.isArray(listeners)) continue;
    const shim = shimOf(gw);
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
      const viaShim = !shim ? {} : skip ? { shimIgnored: `${shim} creates no Certificate for listener ${name}: ${skip}`, shimAnnotationSkipped: true } : { shimAnnotation: shim };
      for (const r of refs) {
        const ref = record(r);
        const kind = text(ref?.kind) ?? 'Secret';
        const group = text(ref?.group) ?? '';
        const secretName = text(ref?.name);
        if (kind !== 'Secret' || group !== '' || !secretName) continue;
        uses.push({ owner, where: `listener ${name}`, namespace: text(ref?.namespace) ?? ns, secretName, ...viaShim });
      }
    });
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
