// Ingresses an AWS Application Load Balancer serves, read from their annotations: the
// self-installed AWS Load Balancer Controller's (IngressClass controller ingress.k8s.aws/alb;
// kubernetes-sigs/aws-load-balancer-controller docs/guide/ingress/annotations.md,
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/):
// listen-ports defaults to '[{"HTTP": 80}]' or '[{"HTTPS": 443}]' depending on whether
// certificate-arn is specified; ssl-redirect gives every HTTP listener a default action that
// redirects to HTTPS; ssl-policy defaults to ELBSecurityPolicy-2016-08, or the controller's
// --default-ssl-policy (aws-lbc.ts). Ingresses of one IngressGroup (the annotation
// alb.ingress.kubernetes.io/group.name, or spec.group.name of the IngressClassParams, which wins)
// share one ALB (annotations.md, "IngressGroup"): each Ingress's rules land only on its own
// listen-ports, merged by port ("conflicting protocol" when two members give one port different
// protocols), and ssl-redirect is exclusive across the group: "Once defined on a single Ingress,
// it impacts every Ingress within IngressGroup" (pkg/ingress/model_builder.go,
// mergeListenPortConfigs and buildSSLRedirectConfig; albGroups). A member's error (listen-ports or
// ssl-redirect it cannot read, ports in conflict, two ssl-policies on one port) fails the group's
// model build: the controller reconciles none of them. ssl-policy is exclusive too: a listener's
// policy is the one its port's members name (mergeListenPortConfigs), the default only when none
// does, so a member naming none takes the one another member names for its HTTPS port
// (policyFromGroup; a member whose HTTPS ports take different policies keeps its own reading).
//
// EKS Auto Mode's built-in load balancing serves the Ingresses of an IngressClass of controller
// eks.amazonaws.com/alb ("Create an IngressClass to configure an Application Load Balancer",
// https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html). It reads the same
// Ingress annotations but those its tables list as not supported (kubernetes.io/ingress.class,
// group.name, ...; ssl-redirect is the documented replacement for IngressClassParams
// sslRedirectPort), and the IngressClassParams (API group eks.amazonaws.com) the class's
// spec.parameters names: certificateARNs, "ARNs of SSL certificates to use" (the LBC's
// certificateArn, renamed), and sslPolicy, which "Sets the security policy for HTTPS listeners.
// Overrides the alb.ingress.kubernetes.io/ssl-policy annotation." The page names no default
// policy for Auto Mode, and the LBC's --default-ssl-policy is not Auto Mode's: with neither field
// nor annotation the policy is unknown here (policy undefined), as for Auto Mode's NLB (cloud-lb.ts).
// The IngressClassParams' namespaceSelector "Restricts which namespaces can use this IngressClass"
// (the same page's reference table): the AWS Load Balancer Controller, whose IngressClassParams
// Auto Mode's follow, rejects the class for an Ingress whose namespace's labels it does not
// select (pkg/ingress/class_loader.go, validateIngressClassParamsNamespaceRestriction:
// ErrInvalidIngressClass; no selector admits every namespace), so no load balancer serves it.
//
// The AWS Load Balancer Controller has its own IngressClassParams (API group elbv2.k8s.aws), which
// an IngressClass of controller ingress.k8s.aws/alb names in spec.parameters
// (docs/guide/ingress/ingress_class.md): "If the field is specified, LBC will ignore the
// alb.ingress.kubernetes.io/certificate-arn annotation" (certificateArn, a list) and the same of
// sslPolicy and ssl-policy; its certificateArn makes the default listen-ports HTTPS 443 as the
// annotation does (pkg/ingress/model_build_listener.go, computeIngressExplicitTLSCertARNs), and its
// namespaceSelector restricts the class as Auto Mode's does. Its sslRedirectPort: "If the field is
// specified, LBC will ignore the alb.ingress.kubernetes.io/ssl-redirect annotation"
// (pkg/ingress/model_builder.go, buildSSLRedirectConfig, which builds no redirect when the field is
// not a number). A selector that stops selecting the namespace of an Ingress the controller already
// serves does not remove its ALB: an Ingress holding the controller's finalizer
// (ingress.k8s.aws/resources, or group.ingress.k8s.aws/<group>; pkg/shared_constants/finalizers.go)
// and an invalid class is an error, "to avoid remove the Ingress from IngressGroup since the
// IngressClass might be accidentally modified" (pkg/ingress/group_loader.go,
// checkGroupMembershipType; issue 2731), so the ALB keeps its last reconciled settings. Auto Mode's
// controller is not public and AWS documents no such behaviour: an Auto Mode Ingress its selector
// refuses is still taken as served by no load balancer.

import type { KindKey } from '../../snapshot/kinds.ts';
import { implicitNamespaces as implicitNamespacesOf, isImplicitNamespace, type KubeObject, type Snapshot } from '../../snapshot/types.ts';
import { goParseInt } from '../../base/go-int.ts';
import { memoize } from '../memo.ts';
import { arr, labelSelectorMatches, obj, str } from '../mesh/util.ts';
import { lbcDefaultPolicy, policyOfDefault, type LbcDefaultPolicy } from './aws-lbc.ts';
import { AWS_DEFAULT_SSL_POLICY, awsPolicyMinTls, type TlsVersion } from './cloud-lb.ts';
import { ingressClassesByController, ingressClassNamed, type IngressClassInfo } from './nginx.ts';

export const ALB_INGRESS_CONTROLLER = 'ingress.k8s.aws/alb';
export const EKS_AUTO_MODE_ALB_CONTROLLER = 'eks.amazonaws.com/alb';
const PREFIX = 'alb.ingress.kubernetes.io/';
export const ALB_LISTEN_PORTS = `${PREFIX}listen-ports`;
export const ALB_SSL_POLICY = `${PREFIX}ssl-policy`;
const CERTIFICATE_ARN = `${PREFIX}certificate-arn`;
const SSL_REDIRECT = `${PREFIX}ssl-redirect`;

/** Who provisions the ALB: the AWS Load Balancer Controller (LBC) or EKS Auto Mode. */
export type AlbProvisioner = 'lbc' | 'eks-auto';

/** Each provisioner's IngressClassParams: API group, snapshot kind, certificate field, and who it is for people. */
export const ALB_PARAMS = {
  'eks-auto': { group: 'eks.amazonaws.com', key: 'eks.ingressclassparams', certificates: 'certificateARNs', who: 'EKS Auto Mode' },
  lbc: { group: 'elbv2.k8s.aws', key: 'lbc.ingressclassparams', certificates: 'certificateArn', who: 'AWS Load Balancer Controller' },
} as const satisfies Record<AlbProvisioner, { group: string; key: KindKey; certificates: string; who: string }>;

export interface AlbIngress {
  by: AlbProvisioner;
  /**
   * The IngressClassParams the class names (ALB_PARAMS: eks.amazonaws.com for EKS Auto Mode,
   * elbv2.k8s.aws for the AWS Load Balancer Controller). found: the snapshot holds it; missing:
   * it does not exist (the kind was read, or its CRD is absent); unread: the kind was not read
   * (a snapshot taken before ztaudit collected it, or the list refused), so its settings are unknown.
   */
  ingressClassParams?: { name: string; state: 'found' | 'missing' | 'unread' };
  /**
   * The IngressClassParams' spec.namespaceSelector and the Ingress's namespace.
   * refused: the selector does not select the namespace's labels, so no load balancer is built for
   * the Ingress; unknown: the namespace's labels were not read, so that cannot be told.
   */
  namespaceSelector?: {
    verdict: 'refused' | 'unknown';
    namespace: string;
    /**
     * The AWS Load Balancer Controller already built the Ingress's ALB (its finalizer, or an address
     * in status.loadBalancer), which it keeps whatever the selector says now: judged on its settings.
     */
    albKept?: 'finalizer' | 'status';
  };
  /** The listen-ports annotation, or the default it falls back to. */
  listeners: Array<{ protocol: 'HTTP' | 'HTTPS'; port: number }>;
  listenPortsFromAnnotation: boolean;
  /** A listen-ports value the controller cannot read: the error, in one line. */
  invalidListenPorts?: string;
  /** A certificate is given: the certificate-arn annotation, or the IngressClassParams' certificateARNs (EKS Auto Mode) or certificateArn (LBC). */
  certificateArn: boolean;
  /** The certificate comes from the IngressClassParams (which override the annotation). */
  certificateFromParams: boolean;
  /** The HTTP listeners redirect to this port: IngressClassParams sslRedirectPort (LBC), else the ssl-redirect annotation. */
  sslRedirect?: string;
  /** The IngressClassParams' sslRedirectPort decides the redirect (LBC), overriding the annotation; with sslRedirect undefined it is not a number, so nothing redirects. */
  sslRedirectFromParams?: string;
  /**
   * An ssl-redirect the controller refuses, in one line naming the value: the annotation not a port
   * number, or a port (of the annotation or the IngressClassParams' sslRedirectPort) that is no
   * HTTPS listener. Its model build fails, so it does not reconcile the Ingress.
   */
  invalidSslRedirect?: string;
  /** Undefined on EKS Auto Mode when neither the IngressClassParams nor the annotation names one (AWS documents no default). */
  policy?: string;
  policyFromAnnotation: boolean;
  /** The IngressClassParams' sslPolicy names it, overriding any annotation. */
  policyFromParams: boolean;
  /**
   * A member of an IngressGroup naming no policy whose HTTPS ports are listeners another member
   * names this policy for (albGroups): `by` is that member (namespace/name), `ports` the ports.
   */
  policyFromGroup?: { by: string; ports: number[] };
  /** Without the annotation, when the snapshot holds the controller's Deployment: its default (minTls is undefined when controllers conflict). */
  lbcDefault?: LbcDefaultPolicy;
  minTls?: TlsVersion;
  /** The AWS Load Balancer Controller's explicit IngressGroup: IngressClassParams spec.group.name, else the group.name annotation. */
  groupName?: string;
  /**
   * The IngressGroup it shares an ALB with, when it has other members (albGroups): sslRedirect and
   * invalidSslRedirect above are then the group's. error: the group's model build fails, so the
   * controller reconciles none of its members.
   */
  group?: { name: string; members: string[]; error?: string; redirectBy?: string };
}

const provisionerOf = (c: IngressClassInfo | undefined): AlbProvisioner | undefined =>
  c?.controller === ALB_INGRESS_CONTROLLER ? 'lbc' : c?.controller === EKS_AUTO_MODE_ALB_CONTROLLER ? 'eks-auto' : undefined;

/**
 * The IngressClass of an ALB implementation serving this Ingress, and which: spec.ingressClassName
 * names an IngressClass of controller ingress.k8s.aws/alb or eks.amazonaws.com/alb; without it the
 * annotation kubernetes.io/ingress.class "alb" is the AWS Load Balancer Controller's (EKS Auto Mode
 * does not support the annotation), or neither is set and the default IngressClass is one of theirs.
 */
function albClassOf(snapshot: Snapshot, ing: KubeObject): { by: AlbProvisioner; cls?: IngressClassInfo } | undefined {
  const className = str(obj(ing.spec)?.ingressClassName);
  if (className !== undefined) {
    const cls = ingressClassNamed(snapshot, className);
    const by = provisionerOf(cls);
    return by ? { by, cls } : undefined;
  }
  const annotation = ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (annotation !== undefined) return annotation === 'alb' ? { by: 'lbc' } : undefined;
  const defaults = ingressClassesByController(snapshot).filter((c) => c.isDefault);
  const cls = defaults.find((c) => provisionerOf(c) === 'lbc') ?? defaults.find((c) => provisionerOf(c) === 'eks-auto');
  return cls ? { by: provisionerOf(cls)!, cls } : undefined;
}

/** Whether an AWS ALB (the AWS Load Balancer Controller's or EKS Auto Mode's) serves this Ingress. */
export function servedByAwsAlb(snapshot: Snapshot, ing: KubeObject): boolean {
  return albClassOf(snapshot, ing) !== undefined;
}

/** The name of the IngressClassParams an ALB IngressClass names in spec.parameters, of its provisioner's API group (ALB_PARAMS). */
export function albIngressClassParamsName(cls: IngressClassInfo): string | undefined {
  const p = cls.parameters;
  const by = provisionerOf(cls);
  return by && p?.apiGroup === ALB_PARAMS[by].group && p.kind === 'IngressClassParams' && p.name ? p.name : undefined;
}

/**
 * Per provisioner, the ALB IngressClasses that serve an Ingress of the snapshot and name
 * IngressClassParams: "IngressClass \"alb\" (IngressClassParams \"alb\")" (names quoted: cluster text); and the IngressClassParams
 * among them whose spec.namespaceSelector restricts their class. A load balancer is made for an
 * Ingress ("EKS Auto Mode creates a load balancer when you create an Ingress", auto-configure-alb.html):
 * a class no Ingress uses configures nothing.
 */
export const albClassesWithParams = memoize((snapshot: Snapshot): Record<AlbProvisioner, { classes: string[]; namespaceSelectors: string[] }> => {
  const out = { 'eks-auto': { classes: new Map<string, string>(), selectors: new Set<string>() }, lbc: { classes: new Map<string, string>(), selectors: new Set<string>() } };
  for (const ing of snapshot.resources.ingresses ?? []) {
    const served = albClassOf(snapshot, ing);
    const cls = served?.cls;
    const name = cls ? albIngressClassParamsName(cls) : undefined;
    if (!served || !cls || name === undefined) continue;
    const o = out[served.by];
    if (!o.classes.has(cls.name)) o.classes.set(cls.name, `IngressClass ${JSON.stringify(cls.name)} (IngressClassParams ${JSON.stringify(name)})`);
    const selector = obj(ingressClassParams(snapshot, served.by).get(name)?.spec)?.namespaceSelector;
    if (selector !== undefined && selector !== null) o.selectors.add(`IngressClassParams ${JSON.stringify(name)}`);
  }
  const list = (by: AlbProvisioner) => ({ classes: [...out[by].classes.values()], namespaceSelectors: [...out[by].selectors] });
  return { 'eks-auto': list('eks-auto'), lbc: list('lbc') };
}, 'tls');

/** IngressClassParams (cluster-scoped) of each provisioner's API group by name, once per snapshot. */
const ingressClassParamsByKind = memoize((snapshot: Snapshot): Record<AlbProvisioner, Map<string, KubeObject>> => {
  const byName = (key: KindKey) => {
    const m = new Map<string, KubeObject>();
    for (const p of snapshot.resources[key] ?? []) if (p.metadata?.name) m.set(p.metadata.name, p);
    return m;
  };
  return { 'eks-auto': byName(ALB_PARAMS['eks-auto'].key), lbc: byName(ALB_PARAMS.lbc.key) };
}, 'tls');
const ingressClassParams = (snapshot: Snapshot, by: AlbProvisioner) => ingressClassParamsByKind(snapshot)[by];

/**
 * Namespaces' labels by name, once per snapshot; undefined when the namespaces were not read.
 * A namespace a manifests directory uses but does not declare has unknown labels: left out.
 */
const namespaceLabels = memoize((snapshot: Snapshot): Map<string, Record<string, string>> | undefined => {
  if (snapshot.coverage.namespaces?.status !== 'ok') return undefined;
  const m = new Map<string, Record<string, string>>();
  for (const n of snapshot.resources.namespaces ?? []) if (n.metadata?.name && !isImplicitNamespace(n)) m.set(n.metadata.name, n.metadata.labels ?? {});
  return m;
}, 'tls');
/** The names of the namespaces a manifests directory uses but does not declare, once per snapshot. */
const implicitNamespaces = memoize(implicitNamespacesOf, 'tls');

/** Whether the IngressClassParams' namespaceSelector admits the namespace; undefined when its labels are not known. */
function namespaceSelected(snapshot: Snapshot, selector: unknown, namespace: string): boolean | undefined {
  if (selector === undefined || selector === null) return true;
  const labels = namespaceLabels(snapshot)?.get(namespace);
  return labels === undefined ? undefined : labelSelectorMatches(selector, labels);
}

const LBC_FINALIZER = 'ingress.k8s.aws/resources';
const LBC_GROUP_FINALIZER_PREFIX = 'group.ingress.k8s.aws/';

/** How the Ingress shows the AWS Load Balancer Controller already built its ALB: its finalizer, or an address in its status. */
function lbcAlbKept(ing: KubeObject): 'finalizer' | 'status' | undefined {
  const finalizers = arr(ing.metadata?.finalizers);
  if (finalizers.some((f) => f === LBC_FINALIZER || (typeof f === 'string' && f.startsWith(LBC_GROUP_FINALIZER_PREFIX)))) return 'finalizer';
  return arr(obj(obj(ing.status)?.loadBalancer)?.ingress).length > 0 ? 'status' : undefined;
}

function parseListenPorts(raw: string): AlbIngress['listeners'] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'not valid JSON';
  }
  if (!Array.isArray(parsed)) return 'not a JSON list';
  const out: AlbIngress['listeners'] = [];
  for (const entry of parsed) {
    const e = obj(entry);
    const keys = e ? Object.keys(e) : [];
    if (keys.length !== 1 || !['HTTP', 'HTTPS'].includes(keys[0]) || !Number.isInteger(e![keys[0]])) return 'an entry is not {"HTTP": port} or {"HTTPS": port}';
    out.push({ protocol: keys[0] as 'HTTP' | 'HTTPS', port: e![keys[0]] as number });
  }
  return out;
}

/**
 * How the ALB listens for this Ingress; undefined when no AWS ALB implementation serves it. A
 * member of an IngressGroup of the AWS Load Balancer Controller with other members takes the
 * group's redirect (albGroups).
 */
export function albIngressOf(snapshot: Snapshot, ing: KubeObject): AlbIngress | undefined {
  const alone = albIngressAlone(snapshot, ing);
  if (!alone?.groupName) return alone;
  const group = albGroups(snapshot).get(alone.groupName);
  if (!group || group.members.length < 2) return alone;
  const { invalidSslRedirect: _own, sslRedirect: _ownPort, sslRedirectFromParams: _ownParams, ...member } = alone;
  const rest = withGroupPolicy(member, group);
  return {
    ...rest,
    ...(group.sslRedirect ? { sslRedirect: group.sslRedirect.port } : {}),
    ...(group.invalidSslRedirect ? { invalidSslRedirect: group.invalidSslRedirect } : {}),
    group: { name: alone.groupName, members: group.members, ...(group.error ? { error: group.error } : {}), ...(group.sslRedirect ? { redirectBy: group.sslRedirect.by } : {}) },
  };
}

/**
 * A member naming no ssl-policy, with the policy the group's members name for its HTTPS ports
 * when one policy covers them all (the listener on each port takes it, not the default);
 * otherwise as it is.
 */
type AlbMember = Omit<AlbIngress, 'sslRedirect' | 'invalidSslRedirect' | 'sslRedirectFromParams'>;
function withGroupPolicy(alb: AlbMember, group: AlbGroup): AlbMember {
  if (alb.policyFromAnnotation || alb.policyFromParams) return alb;
  const ports = [...new Set(alb.listeners.filter((l) => l.protocol === 'HTTPS').map((l) => l.port))];
  const named = ports.map((p) => group.policies.get(p));
  const first = named[0];
  if (first === undefined || named.some((n) => n === undefined || n.policy !== first.policy)) return alb;
  const { lbcDefault: _default, minTls: _min, ...own } = alb;
  const minTls = awsPolicyMinTls(first.policy);
  return { ...own, policy: first.policy, policyFromGroup: { by: first.by, ports }, ...(minTls ? { minTls } : {}) };
}

interface AlbGroup {
  members: string[];
  /** Per HTTPS port, the ssl-policy a member names for it (IngressClassParams sslPolicy, else the annotation), and that member. */
  policies: Map<number, { policy: string; by: string }>;
  /** A member's listen-ports the controller cannot read, or two members giving one port different protocols. */
  error?: string;
  sslRedirect?: { port: string; by: string };
  invalidSslRedirect?: string;
}

/**
 * The AWS Load Balancer Controller's explicit IngressGroups by name, once per snapshot, as its
 * model builder merges them (pkg/ingress/model_builder.go): listeners by port across members
 * (mergeListenPortConfigs: "conflicting protocol" for one port given HTTP and HTTPS), and one
 * ssl-redirect for every HTTP listener (buildSSLRedirectConfig): each member's IngressClassParams
 * sslRedirectPort, else its annotation; a params value that is not a number leaves the group
 * without redirect, an annotation that is not one fails the build, as do two different ports or a
 * port that is no HTTPS listener of the group. Members left unjudged (albUnjudged) are left out.
 */
const albGroups = memoize((snapshot: Snapshot): Map<string, AlbGroup> => {
  const byName = new Map<string, Array<{ name: string; alb: AlbIngress; annotation?: string }>>();
  for (const ing of snapshot.resources.ingresses ?? []) {
    const alb = albIngressAlone(snapshot, ing);
    if (!alb?.groupName || albUnjudged(alb)) continue;
    const entry = { name: `${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`, alb, annotation: ing.metadata?.annotations?.[SSL_REDIRECT] };
    const list = byName.get(alb.groupName);
    if (list) list.push(entry);
    else byName.set(alb.groupName, [entry]);
  }
  const out = new Map<string, AlbGroup>();
  for (const [name, list] of byName) {
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const members = list.map((m) => m.name);
    const errors: string[] = [];
    const protocolOf = new Map<number, { protocol: string; by: string }>();
    const policyOf = new Map<number, { policy: string; by: string }>();
    for (const m of list) {
      if (m.alb.invalidListenPorts) errors.push(`Ingress ${m.name}'s ${ALB_LISTEN_PORTS} cannot be read (${m.alb.invalidListenPorts})`);
      for (const l of m.alb.listeners) {
        const seen = protocolOf.get(l.port);
        if (!seen) protocolOf.set(l.port, { protocol: l.protocol, by: m.name });
        else if (seen.protocol !== l.protocol) errors.push(`conflicting protocol on port ${l.port}: Ingress ${seen.by} ${seen.protocol}, Ingress ${m.name} ${l.protocol}`);
        // An HTTPS port takes the one ssl-policy its members name (IngressClassParams sslPolicy, else the annotation).
        if (l.protocol !== 'HTTPS' || !m.alb.policy || !(m.alb.policyFromParams || m.alb.policyFromAnnotation)) continue;
        const named = policyOf.get(l.port);
        if (!named) policyOf.set(l.port, { policy: m.alb.policy, by: m.name });
        else if (named.policy !== m.alb.policy) errors.push(`conflicting sslPolicy on port ${l.port}: Ingress ${named.by} ${JSON.stringify(named.policy)}, Ingress ${m.name} ${JSON.stringify(m.alb.policy)}`);
      }
    }
    const group: AlbGroup = { members, policies: policyOf, ...(errors.length ? { error: [...new Set(errors)].join('; ') } : {}) };
    const ports = new Map<string, string>();
    let paramsNotNumber: string | undefined;
    const refused: string[] = [];
    for (const m of list) {
      const raw = m.alb.sslRedirectFromParams ?? m.annotation;
      if (raw === undefined) continue;
      const source = m.alb.sslRedirectFromParams !== undefined ? `sslRedirectPort of the IngressClassParams of Ingress ${m.name}` : `${SSL_REDIRECT} of Ingress ${m.name}`;
      const port = sslRedirectPort(raw);
      if (port !== undefined) { if (!ports.has(port)) ports.set(port, source); }
      else if (m.alb.sslRedirectFromParams !== undefined) paramsNotNumber ??= source;
      else refused.push(`${source} ${JSON.stringify(raw)} is not a port number`);
    }
    if (refused.length) group.invalidSslRedirect = refused.join('; ');
    else if (paramsNotNumber) { /* no redirect for the group */ }
    else if (ports.size > 1) group.invalidSslRedirect = `conflicting ssl-redirect ports in IngressGroup ${JSON.stringify(name)}: ${[...ports].map(([port, by]) => `${port} (${by})`).join(', ')}`;
    else if (ports.size === 1) {
      const [[port, by]] = [...ports];
      if (protocolOf.get(Number(port))?.protocol === 'HTTPS') group.sslRedirect = { port, by };
      else group.invalidSslRedirect = `${by} ${JSON.stringify(port)} names no HTTPS listener of IngressGroup ${JSON.stringify(name)} (${[...protocolOf].map(([p, x]) => `${x.protocol} ${p}`).join(', ')})`;
    }
    out.set(name, group);
  }
  return out;
}, 'tls');

function albIngressAlone(snapshot: Snapshot, ing: KubeObject): AlbIngress | undefined {
  const served = albClassOf(snapshot, ing);
  if (!served) return undefined;
  const { by } = served;
  const paramsName = served.cls ? albIngressClassParamsName(served.cls) : undefined;
  const params = paramsName !== undefined ? ingressClassParams(snapshot, by).get(paramsName) : undefined;
  const paramsState = params !== undefined ? 'found' : ['ok', 'absent'].includes(snapshot.coverage[ALB_PARAMS[by].key]?.status ?? '') ? 'missing' : 'unread';
  const spec = obj(params?.spec);
  const namespace = ing.metadata?.namespace ?? 'default';
  const selected = params !== undefined ? namespaceSelected(snapshot, spec?.namespaceSelector, namespace) : true;
  const paramsPolicy = str(spec?.sslPolicy)?.trim() || undefined;
  const paramsCertificate = arr(spec?.[ALB_PARAMS[by].certificates]).some((a) => typeof a === 'string' && a.trim() !== '');
  const annotations = ing.metadata?.annotations ?? {};
  const annotatedCertificate = !!annotations[CERTIFICATE_ARN]?.trim();
  const certificateArn = annotatedCertificate || paramsCertificate;
  const raw = annotations[ALB_LISTEN_PORTS]?.trim();
  const parsed = raw ? parseListenPorts(raw) : undefined;
  const listeners = Array.isArray(parsed) ? parsed : [{ protocol: certificateArn ? 'HTTPS' as const : 'HTTP' as const, port: certificateArn ? 443 : 80 }];
  const annotated = annotations[ALB_SSL_POLICY]?.trim() || undefined;
  const named = paramsPolicy ?? annotated;
  const lbcDefault = named || by !== 'lbc' ? undefined : lbcDefaultPolicy(snapshot, AWS_DEFAULT_SSL_POLICY);
  const policy = named ?? (by === 'lbc' ? policyOfDefault(lbcDefault, AWS_DEFAULT_SSL_POLICY) : undefined);
  // Not trimmed: the controller parses any non-empty value as it is (sslRedirectPort).
  const paramsRedirect = by === 'lbc' ? str(spec?.sslRedirectPort) || undefined : undefined;
  const redirect = sslRedirectOf(paramsRedirect, annotations[SSL_REDIRECT], listeners);
  const albKept = selected !== true && by === 'lbc' ? lbcAlbKept(ing) : undefined;
  // EKS Auto Mode does not support group.name (auto-configure-alb.html).
  const groupName = by !== 'lbc' ? undefined : str(obj(spec?.group)?.name)?.trim() || annotations[`${PREFIX}group.name`]?.trim() || undefined;
  return {
    ...(groupName ? { groupName } : {}),
    by,
    ...(paramsName !== undefined ? { ingressClassParams: { name: paramsName, state: paramsState } } : {}),
    ...(selected === true ? {} : { namespaceSelector: { verdict: selected === false ? 'refused' : 'unknown', namespace, ...(albKept ? { albKept } : {}) } }),
    listeners,
    listenPortsFromAnnotation: Array.isArray(parsed),
    ...(typeof parsed === 'string' ? { invalidListenPorts: parsed } : {}),
    certificateArn,
    certificateFromParams: paramsCertificate && !annotatedCertificate,
    ...redirect,
    ...(paramsRedirect !== undefined ? { sslRedirectFromParams: paramsRedirect } : {}),
    ...(policy !== undefined ? { policy } : {}),
    policyFromAnnotation: paramsPolicy === undefined && annotated !== undefined,
    policyFromParams: paramsPolicy !== undefined,
    ...(lbcDefault ? { lbcDefault } : {}),
    ...(policy === undefined || (lbcDefault && 'conflicting' in lbcDefault) ? {} : { minTls: awsPolicyMinTls(policy) }),
  };
}

/**
 * The port the ALB's HTTP listeners redirect to, as the AWS Load Balancer Controller builds it
 * (pkg/ingress/model_build_listener.go buildSSLRedirectConfig): the IngressClassParams'
 * sslRedirectPort wins, and one that is not a number gives no redirect; else the ssl-redirect
 * annotation, which ParseInt32Annotation must read as a number ("true" is an error). The port
 * must be an HTTPS listener ("listener does not exist for SSLRedirect port", "listener protocol
 * non-SSL for SSLRedirect port"): otherwise the model build fails and the controller does not
 * reconcile the Ingress (invalidSslRedirect).
 */
function sslRedirectOf(params: string | undefined, annotation: string | undefined, listeners: AlbIngress['listeners']): Pick<AlbIngress, 'sslRedirect' | 'invalidSslRedirect'> {
  const source = params !== undefined ? 'IngressClassParams sslRedirectPort' : SSL_REDIRECT;
  const raw = params ?? annotation;
  if (raw === undefined) return {};
  const port = sslRedirectPort(raw);
  if (port === undefined) return params !== undefined ? {} : { invalidSslRedirect: `${source} ${JSON.stringify(raw)} is not a port number` };
  if (!listeners.some((l) => l.protocol === 'HTTPS' && l.port === Number(port))) return { invalidSslRedirect: `${source} ${JSON.stringify(raw)} names no HTTPS listener (${listeners.map((l) => `${l.protocol} ${l.port}`).join(', ')})` };
  return { sslRedirect: port };
}

/**
 * An ssl-redirect annotation or IngressClassParams sslRedirectPort as the AWS Load Balancer
 * Controller reads it, as a decimal string (so "+443" and "443" are one port), or undefined where
 * it refuses it: strconv.ParseInt(value, 10, 32), nothing trimmed (aws-load-balancer-controller
 * v2.9.0 to v3.5.0 pkg/annotations/parser.go ParseInt32Annotation, pkg/ingress/model_builder.go
 * buildSSLRedirectConfig). Before v2.9.0 the annotation was read with 64 bits and truncated to
 * int32, which is not modelled.
 */
function sslRedirectPort(raw: string): string | undefined {
  const n = goParseInt(raw, 32);
  return n === undefined ? undefined : String(n);
}

/**
 * Why no verdict can be given on an ALB Ingress, or none is due: undefined when its ALB is judged.
 * namespace-refused: the IngressClassParams' namespaceSelector does not select its namespace, so
 * no load balancer is built for it; namespace-unknown: its namespace's labels were not read;
 * params-unread: the IngressClassParams were not read, so neither the selector nor the settings
 * are known. IngressClassParams that do not exist are a finding of the Ingress, not a gap here.
 * An AWS Load Balancer Controller Ingress whose ALB is already built (namespaceSelector.albKept) is
 * judged whatever its selector says: the controller keeps that ALB (albKeptNotes says so).
 */
export function albUnjudged(alb: AlbIngress): 'namespace-refused' | 'namespace-unknown' | 'params-unread' | undefined {
  if (alb.ingressClassParams?.state === 'unread') return 'params-unread';
  if (alb.namespaceSelector && !alb.namespaceSelector.albKept) return alb.namespaceSelector.verdict === 'refused' ? 'namespace-refused' : 'namespace-unknown';
  return undefined;
}

/** The coverage notes naming the ALB Ingresses that albUnjudged leaves without a verdict, one per provisioner and reason. */
export function albUnjudgedNotes(snapshot: Snapshot, unjudged: ReadonlyArray<{ resource: { namespace: string; name: string }; alb: AlbIngress }>): string[] {
  const params = (u: { alb: AlbIngress }) => `IngressClassParams ${JSON.stringify(u.alb.ingressClassParams!.name)}`;
  const who = (u: { resource: { namespace: string; name: string } }) => `${u.resource.namespace}/${u.resource.name}`;
  const out: string[] = [];
  for (const by of ['eks-auto', 'lbc'] as const) {
    const { who: provisioner, group, key, certificates } = ALB_PARAMS[by];
    const of = (why: ReturnType<typeof albUnjudged>) => unjudged.filter((u) => u.alb.by === by && albUnjudged(u.alb) === why);
    const refused = of('namespace-refused');
    if (refused.length > 0) out.push(`${refused.length} ${provisioner} Ingress(es) are in a namespace the spec.namespaceSelector of their IngressClassParams does not select, so ${by === 'lbc' ? 'the AWS Load Balancer Controller' : 'EKS Auto Mode'} rejects their IngressClass and builds no load balancer for them (nothing to judge): ${refused.map((u) => `${who(u)} (${params(u)})`).join(', ')}; label the namespace or use another IngressClass if they should be served`);
    const undeclared = implicitNamespaces(snapshot);
    const implicit = of('namespace-unknown').filter((u) => undeclared.has(u.resource.namespace));
    if (implicit.length > 0) out.push(`${implicit.length} ${provisioner} Ingress(es) belong to an IngressClass whose IngressClassParams restrict it to some namespaces (spec.namespaceSelector), but no manifest declares their namespace, so its labels, and whether a load balancer serves them, are not known and they are not judged: ${implicit.map((u) => `${who(u)} (${params(u)})`).join(', ')}; add the Namespace manifest with its labels`);
    const unknown = of('namespace-unknown').filter((u) => !undeclared.has(u.resource.namespace));
    if (unknown.length > 0) out.push(`${unknown.length} ${provisioner} Ingress(es) belong to an IngressClass whose IngressClassParams restrict it to some namespaces (spec.namespaceSelector), but the labels of their namespace were not read, so whether a load balancer serves them is not known and they are not judged: ${unknown.map((u) => `${who(u)} (${params(u)})`).join(', ')}; grant list on namespaces`);
    const unread = of('params-unread');
    const status = snapshot.coverage[key]?.status;
    if (unread.length > 0) out.push(`${unread.length} ${provisioner} Ingress(es) belong to an IngressClass that names IngressClassParams (${group}), which ${status === undefined ? 'were not collected in this snapshot' : `could not be read (${status})`}, so their load balancer's settings (${certificates}, sslPolicy${by === 'lbc' ? ', sslRedirectPort' : ''}, namespaceSelector) are unknown and they are not judged: ${unread.map((u) => `${who(u)} (${params(u)})`).join(', ')}; collect a new snapshot to judge them`);
  }
  return out;
}

/**
 * The coverage note naming the AWS Load Balancer Controller Ingresses judged although their
 * IngressClassParams' namespaceSelector refuses their namespace (or its labels were not read): the
 * controller already built their ALB and keeps it while the class is refused.
 */
export function albKeptNotes(judged: ReadonlyArray<{ resource: { namespace: string; name: string }; alb: AlbIngress }>): string[] {
  const kept = judged.filter((u) => u.alb.namespaceSelector?.albKept);
  if (kept.length === 0) return [];
  const named = kept.map((u) => `${u.resource.namespace}/${u.resource.name} (IngressClassParams ${JSON.stringify(u.alb.ingressClassParams?.name ?? '')}, ${u.alb.namespaceSelector!.albKept === 'finalizer' ? 'controller finalizer' : 'address in status.loadBalancer'}${u.alb.namespaceSelector!.verdict === 'unknown' ? ', namespace labels not read' : ''})`);
  return [`${kept.length} AWS Load Balancer Controller Ingress(es) are in a namespace the spec.namespaceSelector of their IngressClassParams does not select (or whose labels were not read), but the controller already built their ALB and keeps it while it refuses the class, with the settings it last reconciled; they are judged on their settings as they are now: ${named.join(', ')}; label the namespace so the controller reconciles them again, or delete them to remove the ALB`];
}
