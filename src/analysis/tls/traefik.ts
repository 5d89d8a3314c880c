// Traefik's Kubernetes Ingress provider: which Ingresses it serves and whether their router
// terminates TLS by annotation (doc.traefik.io reference/routing-configuration/kubernetes/ingress,
// traefik/traefik pkg/provider/kubernetes/ingress/annotations.go).

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { imageRepository } from '../images.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { podTemplateOf } from '../workloads.ts';
import { ingressClassesByController, ingressClassNamed, nginxAnnotationBool } from './nginx.ts';

export const TRAEFIK_INGRESS_CONTROLLER = 'traefik.io/ingress-controller';
/** The kubernetes.io/ingress.class value Traefik takes when its provider's ingressClass is empty. */
export const TRAEFIK_DEFAULT_INGRESS_CLASS = 'traefik';
const ROUTER_TLS = 'traefik.ingress.kubernetes.io/router.tls';
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** One Traefik Kubernetes Ingress provider: a Traefik workload of the snapshot, or Traefik's defaults. */
export interface TraefikIngressProvider {
  /** The Traefik workload; undefined when the snapshot has none and Traefik's defaults stand in. */
  ref?: ResourceRef;
  /** providers.kubernetesIngress.ingressClass ('' = unset, Traefik's default). */
  ingressClass: string;
}

// The official image (traefik, docker.io/library/traefik), Traefik Hub, and mirrors such as
// k3s's rancher/mirrored-library-traefik.
const TRAEFIK_IMAGE = /(^|[/-])traefik(-hub)?$/;

/**
 * The Kubernetes Ingress provider a Traefik container runs, or undefined when it runs none.
 * Traefik's install configuration comes from one source only: a configuration file (--configFile,
 * or traefik.yml under /etc/traefik), else the command-line arguments, else TRAEFIK_* environment
 * variables (https://doc.traefik.io/traefik/getting-started/configuration-overview/#the-install-configuration).
 * A file is not read here, so a container configured by one is taken to run the provider with its
 * defaults. Option names are case-insensitive; `--providers.kubernetesingress` alone enables the
 * provider, and so does any of its sub-options.
 */
type InstallOptions = { source: 'file' } | { source: 'flags' | 'env' | 'none'; options: Map<string, string | undefined> };

/**
 * The install configuration a Traefik container sets, keys lower-cased. It comes from one source
 * only: a configuration file (--configFile, or traefik.yml under /etc/traefik), else the
 * command-line arguments, else TRAEFIK_* environment variables
 * (https://doc.traefik.io/traefik/getting-started/configuration-overview/#the-install-configuration).
 * A file is not in the snapshot, so its options are unknown. Option names are case-insensitive.
 */
function installOptionsOf(c: Record<string, unknown>): InstallOptions {
  const words = [...arr(c.command), ...arr(c.args)].filter((x): x is string => typeof x === 'string');
  const flags = new Map<string, string | undefined>();
  for (let i = 0; i < words.length; i++) {
    const m = /^--?([A-Za-z0-9._-]+)(?:=(.*))?$/s.exec(words[i]);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const next = words[i + 1];
    flags.set(key, m[2] ?? (key === 'providers.kubernetesingress.ingressclass' && next !== undefined && !next.startsWith('-') ? next : undefined));
  }
  const mounts = arr(c.volumeMounts).map((v) => str(obj(v)?.mountPath)?.replace(/\/+$/, ''));
  if (flags.has('configfile') || mounts.includes('/etc/traefik')) return { source: 'file' };
  const env = new Map<string, string>();
  for (const e of arr(c.env)) {
    const name = str(obj(e)?.name);
    if (name?.toUpperCase().startsWith('TRAEFIK_')) env.set(name.slice('TRAEFIK_'.length).toLowerCase().replace(/_/g, '.'), str(obj(e)?.value) ?? '');
  }
  if (flags.size > 0) return { source: 'flags', options: flags };
  if (env.size > 0) return { source: 'env', options: env };
  return { source: 'none', options: new Map() };
}

/**
 * The Kubernetes Ingress provider a Traefik container runs, or undefined when it runs none. A
 * container configured by a file is taken to run the provider with its defaults.
 * `--providers.kubernetesingress` alone enables the provider, and so does any of its sub-options.
 */
function ingressProviderOf(c: Record<string, unknown>): { ingressClass: string } | undefined {
  const install = installOptionsOf(c);
  if (install.source === 'file' || install.source === 'none') return { ingressClass: '' };
  const options = install.options;
  const enabled = [...options].some(([k, v]) => (k === 'providers.kubernetesingress' && v?.toLowerCase() !== 'false') || k.startsWith('providers.kubernetesingress.'));
  return enabled ? { ingressClass: options.get('providers.kubernetesingress.ingressclass') ?? '' } : undefined;
}

interface TraefikIngressSetup {
  /** One per Traefik container running the provider; with no Traefik workload in the snapshot, Traefik's defaults. */
  providers: TraefikIngressProvider[];
  /** The default IngressClasses (ingressclass.kubernetes.io/is-default-class). */
  defaults: string[];
  /** Whether an IngressClass names Traefik's controller. */
  traefikClass: boolean;
}

/** The Traefik Kubernetes Ingress providers of the snapshot and the IngressClasses they weigh, built once. */
const traefikIngressSetup = memoize((snapshot: Snapshot): TraefikIngressSetup => {
  const providers: TraefikIngressProvider[] = [];
  let found = false;
  for (const key of ['deployments', 'daemonsets', 'statefulsets'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      for (const raw of arr(obj(podTemplateOf(o)?.spec)?.containers)) {
        const c = obj(raw);
        if (!c || !TRAEFIK_IMAGE.test(imageRepository(str(c.image) ?? ''))) continue;
        found = true;
        const p = ingressProviderOf(c);
        if (p) providers.push({ ref: { kind: o.kind ?? 'Deployment', namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' }, ...p });
      }
    }
  }
  const classes = ingressClassesByController(snapshot);
  return {
    providers: found ? providers : [{ ingressClass: '' }],
    defaults: classes.filter((c) => c.isDefault).map((c) => c.name),
    traefikClass: classes.some((c) => c.controller === TRAEFIK_INGRESS_CONTROLLER),
  };
}, ['network', 'tls']);

/**
 * Whether one Traefik Kubernetes Ingress provider processes this Ingress (traefik/traefik
 * pkg/provider/kubernetes/ingress/kubernetes.go, shouldProcessIngress; documented at
 * https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/,
 * `ingressClass`):
 * - spec.ingressClassName names an IngressClass whose controller is exactly
 *   traefik.io/ingress-controller (and, when the provider sets ingressClass, is that class);
 *   a class name no such IngressClass defines is ignored, "traefik" too;
 * - else the kubernetes.io/ingress.class annotation equals the provider's ingressClass, or, with
 *   it unset, is missing, empty or "traefik". The annotation is compared as text; it never
 *   looks up an IngressClass.
 * An Ingress with neither takes the default IngressClass when there is one: Kubernetes gives
 * it that class on admission (https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class),
 * as ingress-nginx's side (nginxControllersFor) also assumes.
 */
function providerServes(snapshot: Snapshot, setup: TraefikIngressSetup, p: TraefikIngressProvider, ing: KubeObject): boolean {
  const className = str(obj(ing.spec)?.ingressClassName);
  const annotation = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  const byClass = (name: string) => ingressClassNamed(snapshot, name)?.controller === TRAEFIK_INGRESS_CONTROLLER && (p.ingressClass === '' || p.ingressClass === name);
  if (className !== undefined) return byClass(className);
  if (annotation === undefined && setup.defaults.length > 0) return setup.defaults.some(byClass);
  const value = annotation ?? '';
  if (p.ingressClass !== '') return value === p.ingressClass;
  if (value === TRAEFIK_DEFAULT_INGRESS_CLASS) return true;
  if (value !== '') return false;
  // A class-less Ingress is Traefik's only if Traefik is there: a workload of the snapshot, or
  // an IngressClass naming its controller when the workloads are not in the snapshot.
  return p.ref !== undefined || setup.traefikClass;
}

/**
 * The Traefik Kubernetes Ingress providers that serve this Ingress: the single answer to
 * "does Traefik serve it?" for the edge routes and the TLS checks. With no Traefik workload in
 * the snapshot, a provider with Traefik's defaults stands in.
 */
export function traefikProvidersFor(snapshot: Snapshot, ing: KubeObject): TraefikIngressProvider[] {
  const setup = traefikIngressSetup(snapshot);
  return setup.providers.filter((p) => providerServes(snapshot, setup, p, ing));
}

/** Whether Traefik serves this Ingress (see traefikProvidersFor). */
export function servedByTraefik(snapshot: Snapshot, ing: KubeObject): boolean {
  return traefikProvidersFor(snapshot, ing).length > 0;
}

/**
 * The annotation that gives the Ingress's routers a TLS section, or undefined. RouterIng.TLS is
 * a pointer decoded with label "allowEmpty": `router.tls: "true"` creates it empty, and any
 * `router.tls.*` key (certresolver, options, domains) creates it too. A router with a TLS
 * section answers only TLS requests (doc.traefik.io reference/routing-configuration/http/tls/overview).
 */
export function traefikRouterTls(ing: KubeObject): string | undefined {
  const annotations = ing.metadata?.annotations ?? {};
  const sub = Object.keys(annotations).find((k) => k.startsWith(`${ROUTER_TLS}.`));
  if (sub) return `${sub}: "${annotations[sub]}"`;
  const raw = annotations[ROUTER_TLS];
  // Traefik's label parser reads booleans with Go strconv.ParseBool, as ingress-nginx does.
  return raw !== undefined && nginxAnnotationBool(raw) === true ? `${ROUTER_TLS}: "${raw}"` : undefined;
}

/** What the Traefik workloads' install configuration says about their entryPoints. */
export interface TraefikEntryPoints {
  /** The Traefik workloads of the snapshot (none: Traefik's install configuration is not in it). */
  workloads: ResourceRef[];
  /** Those configured by a file, whose entryPoints the snapshot does not show. */
  fromFile: ResourceRef[];
  /**
   * The default entryPoints of the other workloads, lower-case: routers that name none attach
   * to these. Those marked asDefault, else every one defined (entrypoints.<name>.address), but
   * never a UDP one nor Traefik's internal entryPoint "traefik" (traefik/traefik
   * cmd/traefik/traefik.go, getDefaultsEntrypoints).
   */
  defaults: string[];
  /**
   * How an entryPoint (lower-case name) keeps plaintext HTTP away from routers without their own
   * tls section, when every workload whose configuration is read says so: entryPoint TLS
   * (entrypoints.<name>.http.tls, any of its sub-options too) or a redirection of every request
   * to https (entrypoints.<name>.http.redirections.entrypoint.to, scheme https by default), per
   * https://doc.traefik.io/traefik/reference/install-configuration/entrypoints/. The option as written.
   */
  secured: Map<string, string>;
}

const optionOn = (v: string | undefined) => v === undefined || v === '' || nginxAnnotationBool(v) !== false;

/** The entryPoints of the Traefik workloads of the snapshot, built once. */
export const traefikEntryPoints = memoize((snapshot: Snapshot): TraefikEntryPoints => {
  const workloads: ResourceRef[] = [];
  const fromFile: ResourceRef[] = [];
  const defined = new Set<string>();
  const asDefault = new Set<string>();
  const udp = new Set<string>();
  const perWorkload: Array<Map<string, string>> = [];
  for (const key of ['deployments', 'daemonsets', 'statefulsets'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      for (const raw of arr(obj(podTemplateOf(o)?.spec)?.containers)) {
        const c = obj(raw);
        if (!c || !TRAEFIK_IMAGE.test(imageRepository(str(c.image) ?? ''))) continue;
        const ref = { kind: o.kind ?? 'Deployment', namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' };
        workloads.push(ref);
        const install = installOptionsOf(c);
        if (install.source === 'file') {
          fromFile.push(ref);
          continue;
        }
        const secured = new Map<string, string>();
        const flag = install.source === 'env' ? (k: string) => `TRAEFIK_${k.replace(/\./g, '_').toUpperCase()}` : (k: string) => `--${k}`;
        for (const [k, v] of install.options) {
          const m = /^entrypoints\.([^.]+)\.(.+)$/.exec(k);
          if (!m) continue;
          const [, ep, rest] = m;
          if (rest === 'address') {
            defined.add(ep);
            if (/\/udp$/i.test(v ?? '')) udp.add(ep);
          }
          else if (rest === 'asdefault' && optionOn(v)) asDefault.add(ep);
          else if ((rest === 'http.tls' && optionOn(v)) || rest.startsWith('http.tls.')) secured.set(ep, `TLS (${flag(k)}${v ? `=${v}` : ''})`);
          else if (rest === 'http.redirections.entrypoint.to' && v && !secured.has(ep)) {
            const scheme = install.options.get(`entrypoints.${ep}.http.redirections.entrypoint.scheme`) ?? 'https';
            if (scheme.toLowerCase() === 'https') secured.set(ep, `a redirection of every request to https (${flag(k)}=${v})`);
          }
        }
        perWorkload.push(secured);
      }
    }
  }
  const secured = new Map<string, string>();
  if (fromFile.length === 0 && perWorkload.length > 0) {
    for (const [ep, how] of perWorkload[0]) if (perWorkload.every((w) => w.has(ep))) secured.set(ep, how);
  }
  const defaults = [...(asDefault.size > 0 ? asDefault : defined)].filter((ep) => ep !== 'traefik' && !udp.has(ep)).sort();
  return { workloads, fromFile, defaults, secured };
}, ['network', 'tls']);
