// ingress-nginx controllers: found from their Deployments/DaemonSets, with the flags that
// matter (--configmap, --controller-class, --ingress-class, --watch-ingress-without-class,
// --watch-namespace, --watch-namespace-selector,
// --annotations-prefix, --enable-ssl-passthrough)
// and the Ingresses each one serves. Container `$(VAR)` references in args are expanded
// from the container's env (the upstream manifests use --configmap=$(POD_NAMESPACE)/…).

import type { ResourceRef } from '../../base/vocabulary.ts';
import { isImplicitNamespace, type KubeObject, type Snapshot } from '../../snapshot/types.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import { configMapNotFound, configMapRead, configMapsUnreadable, configMapUnread, type ConfigMapRef } from '../configmaps.ts';
import { flagValue, goBoolFlag, goParseBool, kubeletExpand, pflagSingleDash } from '../flags.ts';
import { parseLabelSelectorText, requirementMatches, type LabelRequirement } from '../label-selector-text.ts';
import { memoize } from '../memo.ts';
import { canNameObject, podTemplateOf, refString } from '../workloads.ts';
import { arr, obj, str, stringMap } from '../mesh/util.ts';

export const INGRESS_NGINX_CONTROLLER = 'k8s.io/ingress-nginx';
/** The annotations prefix of a controller without --annotations-prefix (pkg/flags/flags.go, parser.DefaultAnnotationsPrefix), with its slash. */
export const NGINX_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/';

export interface NginxController {
  ref: ResourceRef;
  namespace: string;
  image?: string;
  configMap?: { namespace: string; name: string };
  /**
   * A --configmap value that is not NAMESPACE/NAME (internal/k8s/main.go ParseNameNS wants
   * exactly one "/"), or whose parts no namespace and ConfigMap can be named (a space, a line
   * break: ParseNameNS does not trim): the controller reads no ConfigMap and runs on its
   * defaults (internal/ingress/controller/store/store.go New), so configMap is unset.
   */
  configMapIgnored?: string;
  /**
   * Why its --configmap is not known: the flag (or an argument that may set it) is taken from a
   * variable ztaudit cannot resolve (containerEnv). The controller's settings are then not
   * confirmable, never the defaults; configMap and configMapIgnored are unset.
   */
  configMapUnknown?: string;
  /**
   * The ConfigMaps of its namespace its container's env (configMapKeyRef) and envFrom
   * (configMapRef) name, when its args refer to a variable: the live collector reads them by name
   * (ingressControllerEnvConfigMapRefs) so that a flag taken from one can be read.
   */
  envConfigMaps?: ConfigMapRef[];
  /** --controller-class; NOT_KNOWN when classUnknown.controllerClass says why it is not known. */
  controllerClass: string;
  /** --ingress-class; NOT_KNOWN when classUnknown.ingressClass says why it is not known. */
  ingressClass: string;
  /** --watch-ingress-without-class; false when classUnknown.watchWithoutClass says why it is not known. */
  watchWithoutClass: boolean;
  /**
   * Why a flag deciding which Ingresses it takes is not known: it comes from a variable ztaudit
   * cannot resolve (a Secret, a ConfigMap not read, a pod field it does not model), or an
   * argument that may set any flag does. An Ingress whose class the flag decides is kept as one
   * the controller may serve, and its verdicts say they cannot be confirmed (nginxServingDoubt).
   */
  classUnknown?: { controllerClass?: string; ingressClass?: string; watchWithoutClass?: string };
  /** Why its --annotations-prefix is not known (as classUnknown); annotationPrefix is then NOT_KNOWN + "/", which no annotation key can start with. */
  annotationPrefixUnknown?: string;
  /**
   * The namespaces whose Ingresses it sees (pkg/flags/flags.go --watch-namespace, one namespace,
   * all when empty; --watch-namespace-selector, a label selector over Namespaces; the informers of
   * internal/ingress/controller/store/store.go New take WithNamespace and watchedNamespace).
   */
  watch: NginxWatch;
  /**
   * The annotation prefix this controller reads, with its slash: --annotations-prefix + "/"
   * (internal/ingress/annotations/parser/main.go GetAnnotationWithPrefix). Annotations under
   * any other prefix, nginx.ingress.kubernetes.io/ included, mean nothing to it.
   */
  annotationPrefix: string;
  /**
   * --enable-ssl-passthrough: without it the controller ignores the ssl-passthrough annotation
   * (docs/user-guide/tls.md, "SSL Passthrough"). A Go bool flag: bare, or =value as strconv.ParseBool reads it.
   */
  sslPassthrough: boolean;
  /** Why --enable-ssl-passthrough is not known (as classUnknown); sslPassthrough is then false. */
  sslPassthroughUnknown?: string;
}

/** Stands for a flag value ztaudit cannot know: no IngressClass controller, class or annotation key can be spelt so. */
export const NOT_KNOWN = '(not known)';

/**
 * Marks a variable ztaudit cannot resolve inside an expanded value: a private-use character
 * around the variable's name, so a flag built from it is known to be unknown (unknownIn). A value
 * from the cluster that holds the character itself is read as unknown too: never a pass.
 */
const UNRESOLVED = '\uE000';
const unresolved = (name: string) => `${UNRESOLVED}${name}${UNRESOLVED}`;

/**
 * A container's variables as far as they are known: values, and why each other one is not known;
 * `refused` says why the kubelet refuses to start the container at all (a ConfigMap it must take
 * variables from does not exist).
 */
interface ContainerEnv { env: (name: string) => string | undefined; unknown: Map<string, string>; refused?: string }

/**
 * A container's environment as the kubelet builds it before expanding $(VAR) in its command and
 * args (k8s.io/kubernetes pkg/kubelet/kubelet_pods.go makeEnvironmentVariables at v1.34.0):
 * the envFrom sources first, in order, each ConfigMap's keys (with the source's prefix) over the
 * ones before; then env in order, a later entry over an earlier one and over envFrom. An env
 * `value` refers to the variables defined before it (expansion.Expand); a configMapKeyRef takes
 * the key of that ConfigMap of the pod's namespace, unexpanded; an `optional` source or key that
 * does not exist sets nothing ("continue": the name keeps what it had). What ztaudit cannot see is
 * unknown, with why: a Secret (never read), a ConfigMap not in the input (or refused), a pod field
 * other than metadata.namespace, a resource field; a variable built from an unknown one is unknown.
 * An envFrom source that cannot be read may define any name: every name not set by env after it.
 */
function containerEnv(snapshot: Snapshot, namespace: string, c: Record<string, unknown>): ContainerEnv {
  const env = new Map<string, string>();
  const unknown = new Map<string, string>();
  // An unreadable envFrom source: it may define any name env does not set after it.
  let anyName: string | undefined;
  const setUnknown = (name: string, why: string) => { env.set(name, unresolved(name)); unknown.set(name, why); };
  const cmData = (name: string): Record<string, string> | undefined => {
    const cm = configMapRead(snapshot, { namespace, name });
    return cm ? stringMap(cm.data) : undefined;
  };
  // Absent for certain: live, the API server answered 404 for it; from manifests, which are the
  // cluster audited, none declares it (src/analysis/netpol/calico/ip-pools.ts absentWhenNotFound).
  const absent = (name: string) => (snapshot.origin === 'live' ? configMapNotFound(snapshot, { namespace, name }) : !configMapUnread(snapshot, { namespace, name }));
  const notRead = (name: string) => `ConfigMap ${namespace}/${name}, which ${snapshot.origin === 'live' ? (configMapNotFound(snapshot, { namespace, name }) ? 'does not exist (the container cannot start unless it was started before the ConfigMap was deleted)' : 'was not read') : 'is not in the input'}`;
  // The kubelet's makeEnvironmentVariables returns an error for a ConfigMap that does not exist
  // unless the source or key is optional: the container is never created (CreateContainerConfigError).
  // Only the first one met, as the kubelet stops there (envFrom before env). Of a live cluster
  // only a doubt: a container started before its ConfigMap was deleted keeps running with the
  // values it was given (the variable stays unknown, below).
  let refused: string | undefined;
  const refuse = (why: string) => { if (snapshot.origin !== 'live') refused ??= why; };
  for (const raw of arr(c.envFrom)) {
    const f = obj(raw);
    const prefix = str(f?.prefix) ?? '';
    const cmRef = obj(f?.configMapRef);
    const secretRef = obj(f?.secretRef);
    const cmName = str(cmRef?.name);
    if (cmName) {
      const data = cmData(cmName);
      if (data) {
        for (const [k, v] of Object.entries(data)) { env.set(prefix + k, v); unknown.delete(prefix + k); }
        continue;
      }
      if (absent(cmName)) {
        if (cmRef?.optional === true) continue;
        refuse(`its envFrom names ConfigMap ${namespace}/${JSON.stringify(cmName)} (configMapRef, not optional), which does not exist`);
      }
      anyName = `${notRead(cmName)} (envFrom)`;
    } else if (str(secretRef?.name)) anyName = `Secret ${namespace}/${str(secretRef?.name)} (envFrom), which ztaudit never reads`;
    else continue;
    // Every name set so far may be overridden by this source.
    for (const name of [...env.keys()]) setUnknown(name, anyName);
  }
  for (const raw of arr(c.env)) {
    const e = obj(raw);
    const name = str(e?.name);
    if (!name) continue;
    const value = str(e?.value);
    const from = obj(e?.valueFrom);
    // A non-empty value wins over valueFrom (kubelet: runtimeVal != "" is expanded, else valueFrom is resolved).
    if (value) { env.set(name, kubeletExpand(value, lookup)); unknown.delete(name); continue; }
    if (!from) { env.set(name, ''); unknown.delete(name); continue; }
    const field = obj(from.fieldRef);
    const keyRef = obj(from.configMapKeyRef);
    const secretKey = obj(from.secretKeyRef);
    if (field) {
      const path = str(field.fieldPath) ?? '';
      if (path === 'metadata.namespace') { env.set(name, namespace); unknown.delete(name); } else setUnknown(name, `${name}, set from the pod's field ${JSON.stringify(path)}, which a workload's template does not show`);
    } else if (keyRef) {
      const cmName = str(keyRef.name) ?? '';
      const key = str(keyRef.key) ?? '';
      const optional = keyRef.optional === true;
      const data = cmData(cmName);
      if (data && Object.hasOwn(data, key)) { env.set(name, data[key]!); unknown.delete(name); } else if (optional && (data || absent(cmName))) continue;
      else if (!data && absent(cmName)) {
        refuse(`its env ${JSON.stringify(name)} takes key ${JSON.stringify(key)} of ConfigMap ${namespace}/${JSON.stringify(cmName)} (configMapKeyRef, not optional), which does not exist`);
        setUnknown(name, `${name}, set from key ${JSON.stringify(key)} of ${notRead(cmName)}`);
      }
      else setUnknown(name, data ? `${name}, set from key ${JSON.stringify(key)} of ConfigMap ${namespace}/${cmName}, which has no such key (the container cannot start unless it was started before the key was removed)` : `${name}, set from key ${JSON.stringify(key)} of ${notRead(cmName)}`);
    } else if (secretKey) setUnknown(name, `${name}, set from key ${JSON.stringify(str(secretKey.key) ?? '')} of Secret ${namespace}/${str(secretKey.name) ?? ''}, which ztaudit never reads`);
    else setUnknown(name, `${name}, set from a source ztaudit does not read`);
  }
  return { env: lookup, unknown, ...(refused !== undefined ? { refused } : {}) };
  function lookup(name: string): string | undefined {
    const v = env.get(name);
    if (v !== undefined || anyName === undefined) return v;
    setUnknown(name, `${name}, which ${anyName} may set`);
    return env.get(name);
  }
}

/** The ConfigMaps a container's env (configMapKeyRef) and envFrom (configMapRef) name, each once. */
function envConfigMapNames(c: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const f of arr(c.envFrom)) { const n = str(obj(obj(f)?.configMapRef)?.name); if (n) names.add(n); }
  for (const e of arr(c.env)) { const n = str(obj(obj(obj(e)?.valueFrom)?.configMapKeyRef)?.name); if (n) names.add(n); }
  return [...names];
}

/** Why a value is unknown: the unresolved variables it holds (their reasons, joined), or undefined when it holds none. */
function unknownIn(value: string, unknown: ReadonlyMap<string, string>): string | undefined {
  if (!value.includes(UNRESOLVED)) return undefined;
  const whys = [...value.matchAll(new RegExp(`${UNRESOLVED}([^${UNRESOLVED}]*)${UNRESOLVED}`, 'g'))].map((m) => unknown.get(m[1]!) ?? `variable ${JSON.stringify(m[1])}`);
  return [...new Set(whys)].join('; ') || 'a value ztaudit cannot read';
}

/**
 * Why no flag of these args can be read, when an unresolved variable stands where a flag's name
 * is (an arg such as "$(EXTRA_ARGS)" or "--$(NAME)=x"): it may set any flag. An unresolved value
 * of a flag ("--configmap=$(CM)", or "$(CM)" after "--configmap") leaves that flag alone unknown.
 */
function opaqueArgs(args: readonly string[], unknown: ReadonlyMap<string, string>): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const at = a.indexOf(UNRESOLVED);
    if (at < 0) continue;
    const eq = a.indexOf('=');
    if (/^--?[^-=]/.test(a) && eq >= 0 && eq < at) continue;
    // The value of the flag before it, given without "=".
    const prev = i > 0 ? args[i - 1]! : '';
    if (!a.startsWith('-') && /^--?[^=]+$/.test(prev) && !prev.includes(UNRESOLVED)) continue;
    return `an argument of its container is taken from ${unknownIn(a, unknown)}, so which flags it sets is unknown`;
  }
  return undefined;
}

function isNginxControllerContainer(c: Record<string, unknown>): boolean {
  const image = str(c.image) ?? '';
  const words = [...arr(c.command), ...arr(c.args)].filter((x): x is string => typeof x === 'string');
  return /ingress-nginx\/controller|nginx-ingress-controller/.test(image) || words.some((w) => /(^|\/)nginx-ingress-controller$/.test(w));
}

/** The kinds a controller is found in: all nginxControllers (and ingressControllerConfigMapRefs) read. */
export const NGINX_CONTROLLER_KINDS = ['deployments', 'daemonsets', 'statefulsets'] as const satisfies readonly KindKey[];

export type NginxWatch =
  | { all: true }
  | { namespace: string }
  | { selector: string; requirements: LabelRequirement[] }
  /**
   * The controller does not start (both flags given, which pkg/flags/flags.go refuses, or a bool
   * flag's value pflag refuses): it serves nothing, and its settings are judged nowhere (nginxNotStarting).
   */
  | { none: string }
  /** A value the snapshot does not show (an unexpanded $(VAR)), or a selector parseLabelSelectorText does not read: kept as watching. */
  | { unknown: string };

function watchOf(namespace: string | undefined, selector: string | undefined): NginxWatch {
  const ns = namespace ?? '';
  const sel = selector ?? '';
  // pkg/flags/flags.go ParseFlags: "flags --watch-namespace and --watch-namespace-selector are mutually exclusive".
  if (ns !== '' && sel !== '') return { none: 'it is started with both --watch-namespace and --watch-namespace-selector, which ingress-nginx refuses: it does not start' };
  if (ns.includes('$(') || sel.includes('$(')) return { unknown: `its --watch-namespace${ns ? '' : '-selector'} ${JSON.stringify(ns || sel)} refers to a variable the snapshot does not show` };
  if (ns !== '') return { namespace: ns };
  if (sel === '') return { all: true };
  const requirements = parseLabelSelectorText(sel);
  return requirements ? { selector: sel, requirements } : { unknown: `its --watch-namespace-selector ${JSON.stringify(sel)} is not read here` };
}

/** Set by the API server on every Namespace (Kubernetes 1.22+): its name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The labels of the Namespaces the snapshot holds; one the manifests reader made up (isImplicitNamespace) has unknown labels: left out. */
const namespaceLabels = memoize((snapshot: Snapshot): Map<string, Record<string, string>> => {
  const m = new Map<string, Record<string, string>>();
  for (const n of snapshot.resources.namespaces ?? []) {
    const name = n.metadata?.name;
    if (name && !isImplicitNamespace(n)) m.set(name, { ...(n.metadata?.labels ?? {}), [NAMESPACE_NAME_LABEL]: name });
  }
  return m;
}, ['network', 'tls']);

/**
 * Whether the controller sees Ingresses of this namespace: false when its flags leave the
 * namespace out, undefined (with why) when that is not known, as when a selector reads labels of
 * a Namespace the snapshot does not hold.
 */
export function nginxWatches(snapshot: Snapshot, c: NginxController, namespace: string): { sees: boolean | undefined; why?: string } {
  const w = c.watch;
  if ('all' in w) return { sees: true };
  if ('none' in w) return { sees: false, why: w.none };
  if ('unknown' in w) return { sees: undefined, why: w.unknown };
  if ('namespace' in w) return w.namespace === namespace ? { sees: true } : { sees: false, why: `it watches only namespace ${w.namespace} (--watch-namespace)` };
  let labels = namespaceLabels(snapshot).get(namespace);
  // Without the Namespace object, a selector on its name alone can still be read.
  if (!labels && w.requirements.every((r) => r.key === NAMESPACE_NAME_LABEL)) labels = { [NAMESPACE_NAME_LABEL]: namespace };
  if (!labels) return { sees: undefined, why: `it watches the namespaces its --watch-namespace-selector ${JSON.stringify(w.selector)} selects, and Namespace ${namespace} is not in the snapshot to show its labels` };
  // The Namespace informer lists with OWNER!=TILLER (store.go labelsTweakListOptionsFunc).
  const sees = labels.OWNER !== 'TILLER' && w.requirements.every((r) => requirementMatches(r, labels));
  return sees ? { sees } : { sees, why: `its --watch-namespace-selector ${JSON.stringify(w.selector)} does not select namespace ${namespace}` };
}

/** The controller flags ztaudit reads. */
const NGINX_FLAGS_READ = ['configmap', 'watch-namespace', 'watch-namespace-selector', 'watch-ingress-without-class', 'enable-ssl-passthrough', 'controller-class', 'ingress-class', 'annotations-prefix'] as const;

export const nginxControllers = memoize((snapshot: Snapshot): NginxController[] => {
  const out: NginxController[] = [];
  for (const key of NGINX_CONTROLLER_KINDS) {
    for (const o of snapshot.resources[key] ?? []) {
      const namespace = o.metadata?.namespace ?? 'default';
      const spec = obj(podTemplateOf(o)?.spec);
      for (const raw of arr(spec?.containers)) {
        const c = obj(raw);
        if (!c || !isNginxControllerContainer(c)) continue;
        const { env, unknown, refused: envRefused } = containerEnv(snapshot, namespace, c);
        const written = [...arr(c.command), ...arr(c.args)].filter((x): x is string => typeof x === 'string');
        const args = written.map((a) => kubeletExpand(a, env));
        const envConfigMaps = written.some((a) => a.includes('$(')) ? envConfigMapNames(c).map((name) => ({ namespace, name })) : [];
        // A flag whose value (or whose very name) comes from a variable ztaudit cannot resolve is
        // unknown: the controller is then judged as not confirmable, never on the flag's default.
        const opaque = opaqueArgs(args, unknown);
        const flag = (name: string, asGiven = false): { value: string | undefined } | { unknown: string } => {
          if (opaque) return { unknown: opaque };
          const value = flagValue(args, name, { asGiven });
          const why = value === undefined ? undefined : unknownIn(value, unknown);
          return why ? { unknown: `its --${name} is taken from ${why}` } : { value };
        };
        // As written: k8s.ParseNameNS does not trim, so "ns/name\n" (a ConfigMap key written as a
        // YAML block scalar, through $(CM)) names no ConfigMap and the defaults stay
        // (internal/k8s/main.go and store.go New at controller-v1.14.5).
        const cmFlag = flag('configmap', true);
        const cm = 'value' in cmFlag ? cmFlag.value : undefined;
        let configMap: NginxController['configMap'];
        let configMapIgnored: string | undefined;
        if (cm) {
          // k8s.ParseNameNS: exactly one "/"; anything else is logged and the defaults kept
          // (internal/ingress/controller/store/store.go New). A "ns/" or "/name" reads nothing either.
          const parts = cm.split('/');
          if (parts.length === 2 && parts[0] && parts[1]) {
            // A name no namespace or ConfigMap can have (RFC 1123 label / subdomain, the API server's
            // validation): its Get fails, and the defaults stay, as with no NAMESPACE/NAME at all.
            if (canNameObject(parts[0], parts[1])) configMap = { namespace: parts[0], name: parts[1] };
            else configMapIgnored = cm;
          } else configMapIgnored = cm;
        }
        const nsFlag = flag('watch-namespace');
        const selFlag = flag('watch-namespace-selector');
        const withoutClass = goBoolFlag(args, 'watch-ingress-without-class');
        const passthrough = goBoolFlag(args, 'enable-ssl-passthrough');
        // A bool flag from an unresolved variable: on, off, or refused (the controller stops) are
        // all possible. A $(VAR) the kubelet left as written (no such variable) is the literal
        // text the controller gets, which ParseBool refuses: that one stops it (below).
        const boolUnknown = (name: string, f: { refused?: string }): string | undefined => {
          if (opaque) return opaque;
          return f.refused !== undefined && f.refused.includes(UNRESOLVED) ? `its --${name} is taken from ${unknownIn(f.refused, unknown)}` : undefined;
        };
        const withoutClassUnknown = boolUnknown('watch-ingress-without-class', withoutClass);
        const passthroughUnknown = boolUnknown('enable-ssl-passthrough', passthrough);
        const ccFlag = flag('controller-class');
        const icFlag = flag('ingress-class');
        const apFlag = flag('annotations-prefix');
        const classUnknown = {
          ...('unknown' in ccFlag ? { controllerClass: ccFlag.unknown } : {}),
          ...('unknown' in icFlag ? { ingressClass: icFlag.unknown } : {}),
          ...(withoutClassUnknown !== undefined ? { watchWithoutClass: withoutClassUnknown } : {}),
        };
        // pkg/flags/flags.go ParseFlags: pflag.NewFlagSet("", pflag.ExitOnError), so a bool value
        // strconv.ParseBool refuses makes flags.Parse exit (spf13/pflag flag.go FlagSet.Parse):
        // the controller never starts. A value from an unresolved variable is not known refused.
        const refused = ([['watch-ingress-without-class', withoutClass], ['enable-ssl-passthrough', passthrough]] as const).find(([, f]) => f.refused !== undefined && !f.refused.includes(UNRESOLVED));
        // One dash is a bundle of one-letter shorthands to pflag (flags.ts pflagSingleDash), and
        // the controller defines none of its own (pkg/flags/flags.go: no *P flag; klog's -v is the
        // only one it gets, pflag golangflag.go giving a one-letter Go flag its name as shorthand):
        // -enable-ssl-passthrough is the unknown shorthand -e, at which flags.Parse exits.
        const oneDash = NGINX_FLAGS_READ.map((name) => pflagSingleDash(args, name)).find((a) => a !== undefined);
        const stops: NginxWatch | undefined = envRefused !== undefined ? { none: `the kubelet refuses to create its container (CreateContainerConfigError): ${envRefused}, so it does not start` }
          : refused ? { none: `it is started with --${refused[0]}=${JSON.stringify(refused[1].refused)}, a value Go's strconv.ParseBool refuses, so pflag stops it at flag parsing: it does not start` }
            : oneDash !== undefined ? { none: `it is started with ${JSON.stringify(oneDash)}, which pflag reads as one-letter shorthands, not as a flag of two dashes, and -${oneDash.slice(1, 2)} is no shorthand of the controller, so pflag stops it at flag parsing: it does not start` } : undefined;
        out.push({
          ref: { kind: o.kind ?? 'Deployment', namespace, name: o.metadata?.name ?? '' },
          namespace,
          image: str(c.image),
          configMap,
          ...(configMapIgnored !== undefined ? { configMapIgnored } : {}),
          ...('unknown' in cmFlag ? { configMapUnknown: cmFlag.unknown } : {}),
          ...(envConfigMaps.length > 0 ? { envConfigMaps } : {}),
          controllerClass: 'value' in ccFlag ? ccFlag.value ?? INGRESS_NGINX_CONTROLLER : NOT_KNOWN,
          ingressClass: 'value' in icFlag ? icFlag.value ?? 'nginx' : NOT_KNOWN,
          watchWithoutClass: withoutClassUnknown === undefined && withoutClass.on,
          ...(Object.keys(classUnknown).length > 0 ? { classUnknown } : {}),
          watch: stops ?? ('unknown' in nsFlag ? nsFlag : 'unknown' in selFlag ? selFlag : watchOf(nsFlag.value, selFlag.value)),
          annotationPrefix: 'value' in apFlag ? `${apFlag.value ?? NGINX_ANNOTATION_PREFIX.slice(0, -1)}/` : `${NOT_KNOWN}/`,
          ...('unknown' in apFlag ? { annotationPrefixUnknown: apFlag.unknown } : {}),
          sslPassthrough: passthroughUnknown === undefined && passthrough.on,
          ...(passthroughUnknown !== undefined ? { sslPassthroughUnknown: passthroughUnknown } : {}),
        });
      }
    }
  }
  return out;
}, ['network', 'tls']);

/**
 * Why a controller has no ConfigMap, for findings' text: "no --configmap", or its --configmap
 * value that is not NAMESPACE/NAME (quoted), which leaves it on its defaults too.
 */
export function nginxNoConfigMap(c: NginxController): string {
  return c.configMapIgnored === undefined ? 'no --configmap' : `--configmap=${JSON.stringify(c.configMapIgnored)} is not NAMESPACE/NAME of a ConfigMap that can exist, so it reads no ConfigMap and runs on its defaults`;
}

/** A controller image's major and minor version, from a tag like v1.12.1 (undefined for a digest alone or another tag). */
export function nginxImageVersion(image: string): [number, number] | undefined {
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) return undefined;
  const m = /^v?(\d+)\.(\d+)(\.|-|$)/.exec(ref.slice(colon + 1));
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * The ConfigMaps the live collector should `get` by name: each ingress-nginx controller's
 * --configmap=NAMESPACE/NAME (a value without exactly one "/" names none: configMapIgnored).
 */
export function ingressControllerConfigMapRefs(snapshot: Snapshot): Array<{ namespace: string; name: string }> {
  const seen = new Map<string, { namespace: string; name: string }>();
  for (const c of nginxControllers(snapshot)) if (c.configMap && c.configMap.name) seen.set(`${c.configMap.namespace}/${c.configMap.name}`, c.configMap);
  return [...seen.values()];
}

/**
 * The ConfigMaps ingress-nginx controllers' containers take variables from, when their args refer
 * to variables (NginxController.envConfigMaps): the live collector reads them by name, as it does
 * calico-node's (a name the auditor's role does not grant is refused, and the flag it would set
 * stays unknown: not judged). Kept apart from ingressControllerConfigMapRefs, whose refusal leaves
 * the controllers' settings unread: one of these refused leaves only its controller unconfirmed.
 */
export function ingressControllerEnvConfigMapRefs(snapshot: Snapshot): ConfigMapRef[] {
  const seen = new Map<string, ConfigMapRef>();
  for (const c of nginxControllers(snapshot)) for (const r of c.envConfigMaps ?? []) seen.set(`${r.namespace}/${r.name}`, r);
  return [...seen.values()];
}

/**
 * The controllers serving at least one Ingress of the snapshot (nginxControllersFor): only their
 * settings decide a per-Ingress verdict (redirects, global-auth-url, ModSecurity, ...).
 */
const servingNginxControllers = memoize((snapshot: Snapshot): Set<NginxController> => {
  const serving = new Set<NginxController>();
  const all = nginxControllers(snapshot).length;
  for (const ing of snapshot.resources.ingresses ?? []) {
    if (serving.size === all) break;
    for (const c of nginxControllersFor(snapshot, ing)) serving.add(c);
  }
  return serving;
}, 'tls');

/** The ConfigMaps of these controllers that may be the ones refused (configMapUnread), each once. */
export function unreadNginxConfigMapsOf(snapshot: Snapshot, controllers: Iterable<NginxController>): ConfigMapRef[] {
  const unread = new Map<string, ConfigMapRef>();
  for (const c of controllers) if (c.configMap && c.configMap.name && configMapUnread(snapshot, c.configMap)) unread.set(`${c.configMap.namespace}/${c.configMap.name}`, c.configMap);
  return [...unread.values()];
}

/**
 * The controllers' ConfigMaps (--configmap) missing from the snapshot while some by-name read was
 * refused or failed (configmaps coverage forbidden or error): each may be the one refused, so
 * its settings are unknown and the defaults cannot stand in for them. Empty when every read
 * succeeded or each of them was read or answered 404 (a missing one does not exist: the defaults
 * apply). Every controller's: checks judging each controller's own settings (ssl-protocols,
 * ssl-ciphers, hsts) have one subject per controller, whether it serves an Ingress or only its
 * catch-all server.
 */
export const unreadNginxConfigMaps = memoize((snapshot: Snapshot): ConfigMapRef[] => {
  if (!configMapsUnreadable(snapshot)) return [];
  return ingressControllerConfigMapRefs(snapshot).filter((r) => configMapUnread(snapshot, r));
}, 'tls');

/**
 * The same, for the controllers serving an Ingress only: a controller no Ingress resolves to
 * decides no per-Ingress verdict, so its ConfigMap refused leaves those verdicts known.
 */
export const unreadServingNginxConfigMaps = memoize((snapshot: Snapshot): ConfigMapRef[] => (configMapsUnreadable(snapshot) ? unreadNginxConfigMapsOf(snapshot, servingNginxControllers(snapshot)) : []), 'tls');

export function configMapData(snapshot: Snapshot, ref: ConfigMapRef): Record<string, string> | undefined {
  const cm = configMapRead(snapshot, ref);
  return cm ? stringMap(cm.data) : undefined;
}

/**
 * How ingress-nginx reads a boolean ConfigMap value: ReadConfig
 * (internal/ingress/controller/template/configmap.go) decodes the ConfigMap's data with
 * mapstructure v1.5.0, weakly typed, whose decodeBool takes strconv.ParseBool of the value as it
 * is, nothing trimmed, and "" as false; undefined when it cannot be parsed (" false", "false\n" of
 * a YAML block scalar), in which case the decode error is logged and the key's default is kept.
 */
export function nginxBool(v: string): boolean | undefined {
  return v === '' ? false : nginxAnnotationBool(v);
}

/**
 * How ingress-nginx reads a boolean annotation (parser.GetBoolAnnotation: Go strconv.ParseBool,
 * nothing trimmed); undefined when it cannot be parsed, in which case the setting's default applies.
 */
export function nginxAnnotationBool(v: string): boolean | undefined {
  return goParseBool(v);
}

/** The protocol names nginx's ssl_protocols takes (ngx_http_ssl_module.c ngx_http_ssl_protocols), lower-cased: it compares them case-insensitively. */
const NGINX_SSL_PROTOCOLS = new Set(['sslv2', 'sslv3', 'tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3']);

/**
 * The ConfigMap's ssl-protocols as nginx reads it once ingress-nginx writes it into
 * `ssl_protocols {{ $cfg.SSLProtocols }};` unchanged (rootfs/etc/nginx/template/nginx.tmpl at
 * controller-v1.15.1): whitespace-separated arguments, one in quotes taken without them; `names`
 * those nginx knows, `unknown` the others. Any unknown argument, or none at all, fails nginx's
 * configuration test (ngx_conf_set_bitmask_slot: `invalid value`; NGX_CONF_1MORE), and the
 * controller then loads no new configuration (nginx.go OnUpdate, testTemplate).
 */
export function nginxSslProtocols(value: string): { names: string[]; unknown: string[] } {
  const names: string[] = [];
  const unknown: string[] = [];
  for (const arg of value.split(/\s+/).filter(Boolean)) {
    const quoted = /^(["'])(.*)\1$/s.exec(arg);
    const name = quoted ? quoted[2]! : arg;
    (NGINX_SSL_PROTOCOLS.has(name.toLowerCase()) ? names : unknown).push(name);
  }
  return { names, unknown };
}

/**
 * Why nginx refuses the whole configuration ingress-nginx renders from this controller ConfigMap's
 * ssl-protocols, or undefined when nothing in it is known to be refused: an argument nginx does not
 * know, or none at all (nginxSslProtocols). Then no key of the ConfigMap is in effect: the
 * controller renders the template, `nginx -t` fails and OnUpdate returns before writing
 * /etc/nginx/nginx.conf or reloading (internal/ingress/controller/nginx.go OnUpdate, testTemplate
 * at controller-v1.15.1); syncIngress records "Error reloading NGINX" and returns before
 * configureDynamically (controller.go). nginx keeps serving the configuration it last loaded,
 * which the input does not show; a controller started with the value runs on the bootstrap
 * rootfs/etc/nginx/nginx.conf, which defines no server. The HSTS settings Lua sends go with it:
 * cfg.json is rewritten before the test, but lua_ingress reads it only in init_by_lua
 * (rootfs/etc/nginx/lua/ngx_conf_init.lua), which runs when nginx loads a configuration.
 */
export function nginxConfigRefused(data: Record<string, string> | undefined): string | undefined {
  const value = data?.['ssl-protocols'];
  if (value === undefined) return undefined;
  const { names, unknown } = nginxSslProtocols(value);
  if (unknown.length > 0) return `nginx knows no protocol ${unknown.map((t) => JSON.stringify(t)).join(', ')} (ssl_protocols takes SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2 and TLSv1.3, separated by spaces)`;
  if (names.length === 0) return 'nginx\'s ssl_protocols needs at least one protocol';
  return undefined;
}

/** The sentence findings on a refused configuration (nginxConfigRefused) end with: what happens then. */
export const NGINX_CONFIG_REFUSED_EFFECT = 'so the configuration ingress-nginx writes fails nginx\'s test and is not loaded (the controller logs "Error reloading NGINX"); nginx keeps serving the configuration it last loaded, which the input does not show';

export interface IngressClassInfo {
  name: string;
  controller?: string;
  isDefault: boolean;
  /** spec.parameters: the controller's own settings object for the class (IngressClassParametersReference). */
  parameters?: { apiGroup?: string; kind?: string; name?: string };
}

const ingressClasses = memoize((snapshot: Snapshot): Map<string, IngressClassInfo> => {
  const m = new Map<string, IngressClassInfo>();
  for (const ic of snapshot.resources.ingressclasses ?? []) {
    const name = ic.metadata?.name;
    if (!name) continue;
    const p = obj(obj(ic.spec)?.parameters);
    const parameters = p ? { apiGroup: str(p.apiGroup), kind: str(p.kind), name: str(p.name) } : undefined;
    m.set(name, { name, controller: str(obj(ic.spec)?.controller), isDefault: ic.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true', ...(parameters ? { parameters } : {}) });
  }
  return m;
}, ['network', 'tls']);

export function ingressClassOf(ing: KubeObject): string | undefined {
  return str(obj(ing.spec)?.ingressClassName) ?? ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
}

/**
 * The ingress-nginx controllers that serve this Ingress (empty when another controller does), as
 * internal/ingress/controller/store/store.go GetIngressClass decides: spec.ingressClassName must
 * name an IngressClass of the controller's --controller-class; without it, the deprecated
 * kubernetes.io/ingress.class annotation must equal the controller's --ingress-class ("nginx" by
 * default), whatever IngressClasses exist; without either, --watch-ingress-without-class takes it
 * (and the default IngressClass, which the API server writes into spec.ingressClassName).
 */
export function nginxControllersFor(snapshot: Snapshot, ing: KubeObject): NginxController[] {
  // A controller that does not watch the Ingress's namespace never sees it; one that may (its
  // selector over labels the snapshot does not show) is kept, as Traefik's unknown namespaces are.
  const ns = ing.metadata?.namespace ?? 'default';
  return nginxControllersByClass(snapshot, ing).filter((c) => nginxWatches(snapshot, c, ns).sees !== false);
}

/** The controllers whose class flags take this Ingress (or may: classTakes), whatever namespaces they watch. */
function nginxControllersByClass(snapshot: Snapshot, ing: KubeObject): NginxController[] {
  return nginxControllers(snapshot).filter((c) => classTakes(snapshot, c, ing) !== false);
}

/**
 * Whether this controller's class flags take the Ingress: true, false, or why that is not known
 * (a flag the decision reads is unknown: NginxController.classUnknown).
 */
function classTakes(snapshot: Snapshot, c: NginxController, ing: KubeObject): boolean | string {
  const classes = ingressClasses(snapshot);
  const unknown = c.classUnknown;
  const className = str(obj(ing.spec)?.ingressClassName);
  if (className !== undefined) {
    const ic = classes.get(className);
    if (ic?.controller) return unknown?.controllerClass ?? ic.controller === c.controllerClass;
    return unknown?.ingressClass ?? className === c.ingressClass;
  }
  const annotation = ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (annotation !== undefined) return unknown?.ingressClass ?? annotation === c.ingressClass;
  if (c.watchWithoutClass) return true;
  const dflt = defaultIngressClass(snapshot);
  if (dflt?.controller !== undefined && unknown?.controllerClass === undefined && dflt.controller === c.controllerClass) return true;
  return unknown?.watchWithoutClass ?? (dflt?.controller !== undefined ? unknown?.controllerClass : undefined) ?? false;
}

const defaultIngressClass = memoize((snapshot: Snapshot): IngressClassInfo | undefined => [...ingressClasses(snapshot).values()].find((c) => c.isDefault), ['network', 'tls']);

/**
 * Why it is not known whether ingress-nginx controller `c` serves this Ingress as ztaudit judges
 * it: a flag deciding whether it takes the Ingress comes from a value ztaudit cannot know
 * (classUnknown), or the annotations it reads (--annotations-prefix) are unknown while the
 * Ingress has annotations. Undefined when known. Verdicts resting on it cannot be confirmed.
 */
export function nginxServingDoubt(snapshot: Snapshot, c: NginxController, ing: KubeObject): string | undefined {
  const takes = classTakes(snapshot, c, ing);
  if (typeof takes === 'string') return `whether ingress-nginx controller ${refString(c.ref)} takes it is not known: ${takes}`;
  if (c.annotationPrefixUnknown !== undefined && Object.keys(ing.metadata?.annotations ?? {}).some((k) => k !== 'kubernetes.io/ingress.class')) return `which of its annotations ingress-nginx controller ${refString(c.ref)} reads is not known: ${c.annotationPrefixUnknown}`;
  return undefined;
}

/**
 * Why what the input shows of ingress-nginx controller `c` (its Ingresses, its ConfigMap's keys)
 * is not what it serves: nginx refuses the configuration it renders (nginxConfigRefused, its
 * ConfigMap's ssl-protocols), so it keeps serving the configuration it last loaded, every server
 * and location of it, annotations and redirects included (syncIngress returns before
 * configureDynamically). Undefined when no refusal is seen. A ConfigMap not read, or not known
 * (configMapUnknown), is no refusal seen: its settings are judged where they are read (the checks'
 * conditional reads, NginxSetting.unknown), as a read ConfigMap whose snippets nginx may refuse is.
 */
export function nginxConfigRefusedDoubt(snapshot: Snapshot, c: NginxController): string | undefined {
  const refused = c.configMap ? nginxConfigRefused(configMapData(snapshot, c.configMap)) : undefined;
  return refused === undefined ? undefined : `nginx refuses the configuration ingress-nginx controller ${refString(c.ref)} renders, as the ssl-protocols of its ConfigMap ${c.configMap!.namespace}/${c.configMap!.name} is refused (${refused}), so it keeps serving the configuration it last loaded, which the input does not show`;
}

/**
 * Why a verdict resting on controller `c` serving this Ingress as the input shows it cannot be
 * confirmed: whether it takes the Ingress or reads its annotations (nginxServingDoubt), else
 * whether it loads any of it (nginxConfigRefusedDoubt). Undefined when known.
 */
export function nginxAppliedDoubt(snapshot: Snapshot, c: NginxController, ing: KubeObject): string | undefined {
  return nginxServingDoubt(snapshot, c, ing) ?? nginxConfigRefusedDoubt(snapshot, c);
}

/** The first nginxAppliedDoubt of the controllers serving this Ingress (nginxControllersFor): a pass resting on them all is not confirmed. */
export function nginxIngressDoubt(snapshot: Snapshot, ing: KubeObject): string | undefined {
  for (const c of nginxControllersFor(snapshot, ing)) {
    const d = nginxAppliedDoubt(snapshot, c, ing);
    if (d !== undefined) return d;
  }
  return undefined;
}

/**
 * Why a finding on this Ingress may not hold: every ingress-nginx controller serving it
 * (nginxControllersFor) is in doubt (nginxAppliedDoubt), so none may take it, read the
 * annotations it was judged on, or load the configuration it was judged on. With one controller
 * that surely serves it as the input shows, a finding that holds for any controller serving it
 * holds for that one: its clients meet it whatever the others serve. Undefined then, and when no
 * controller in the snapshot serves it (judged on the defaults).
 */
export function nginxIngressFailDoubt(snapshot: Snapshot, ing: KubeObject): string | undefined {
  let first: string | undefined;
  for (const c of nginxControllersFor(snapshot, ing)) {
    const d = nginxAppliedDoubt(snapshot, c, ing);
    if (d === undefined) return undefined;
    first ??= d;
  }
  return first;
}

/**
 * The annotation prefixes that mean something on this Ingress: those of the ingress-nginx
 * controllers serving it, each with the controllers reading it; when the snapshot holds none of
 * them, the default prefix with no controller (defaults apply).
 */
export function nginxAnnotationGroups(snapshot: Snapshot, ing: KubeObject): Array<{ prefix: string; controllers: NginxController[] }> {
  const groups = new Map<string, NginxController[]>();
  for (const c of nginxControllersFor(snapshot, ing)) {
    const l = groups.get(c.annotationPrefix) ?? [];
    l.push(c);
    groups.set(c.annotationPrefix, l);
  }
  if (groups.size === 0) return [{ prefix: NGINX_ANNOTATION_PREFIX, controllers: [] }];
  return [...groups].map(([prefix, controllers]) => ({ prefix, controllers }));
}

/**
 * The ingress-nginx controllers of the snapshot that bear on this Ingress: all of them but those
 * whose class flags take it in a namespace they do not watch. Such a controller never sees the
 * Ingress (pkg/flags/flags.go --watch-namespace, store.go New informers.WithNamespace), so the
 * Ingress reads as if that controller were not in the snapshot: an ingress-nginx the snapshot
 * does not hold may serve it, or nothing does.
 */
export function nginxControllersBearingOn(snapshot: Snapshot, ing: KubeObject): NginxController[] {
  const ns = ing.metadata?.namespace ?? 'default';
  const blind = new Set(nginxControllersByClass(snapshot, ing).filter((c) => nginxWatches(snapshot, c, ns).sees === false));
  const all = nginxControllers(snapshot);
  return blind.size === 0 ? all : all.filter((c) => !blind.has(c));
}

/** Whether ingress-nginx serves (or is configured for) this Ingress. */
export function servedByIngressNginx(snapshot: Snapshot, ing: KubeObject): boolean {
  if (nginxControllersFor(snapshot, ing).length > 0) return true;
  const known = nginxControllersBearingOn(snapshot, ing);
  const className = str(obj(ing.spec)?.ingressClassName);
  const annotation = ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
  // The annotation is matched against --ingress-class, never IngressClass names: controllers the
  // snapshot holds have all turned it down.
  if (className === undefined && annotation !== undefined && known.length > 0) return false;
  const cls = className ?? annotation;
  const ic = cls !== undefined ? ingressClasses(snapshot).get(cls) : undefined;
  // A known IngressClass names the controller; leftover nginx.ingress.kubernetes.io annotations
  // (an Ingress migrated to another controller) say nothing then. They (or the annotations of a
  // controller's --annotations-prefix) are the only hint when the Ingress names no class, or one
  // no IngressClass defines.
  if (ic) return ic.controller === INGRESS_NGINX_CONTROLLER;
  const prefixes = new Set([NGINX_ANNOTATION_PREFIX, ...known.map((c) => c.annotationPrefix)]);
  const annotations = ing.metadata?.annotations ?? {};
  return Object.keys(annotations).some((k) => [...prefixes].some((p) => k.startsWith(p)));
}

export function ingressClassesByController(snapshot: Snapshot): IngressClassInfo[] {
  return [...ingressClasses(snapshot).values()];
}

/** The IngressClass of that name, if the snapshot has it. */
export function ingressClassNamed(snapshot: Snapshot, name: string): IngressClassInfo | undefined {
  return ingressClasses(snapshot).get(name);
}

export interface NginxConfigSource {
  /** The controller ConfigMap, or the controller workload itself when it has no --configmap. */
  resource: ResourceRef;
  configMap?: { namespace: string; name: string };
  /** ConfigMap data; undefined when there is no --configmap or the ConfigMap does not exist (defaults apply). */
  data?: Record<string, string>;
  controllers: NginxController[];
  /** Why the controller's ConfigMap is not known (NginxController.configMapUnknown): its settings are not judged, neither read nor defaults. */
  unknown?: string;
}

/**
 * One entry per controller ConfigMap (controllers sharing a ConfigMap are grouped), plus one
 * per controller without --configmap: the subjects of controller-wide settings.
 */
export const nginxConfigSources = memoize((snapshot: Snapshot): NginxConfigSource[] => {
  const byCm = new Map<string, NginxConfigSource>();
  const out: NginxConfigSource[] = [];
  for (const c of nginxControllers(snapshot)) {
    // A controller that does not start serves nothing with its settings: named in the note instead (nginxNotStarting).
    if ('none' in c.watch) continue;
    if (!c.configMap || !c.configMap.name) {
      out.push({ resource: c.ref, controllers: [c], ...(c.configMapUnknown !== undefined ? { unknown: c.configMapUnknown } : {}) });
      continue;
    }
    const key = `${c.configMap.namespace}/${c.configMap.name}`;
    const seen = byCm.get(key);
    if (seen) { seen.controllers.push(c); continue; }
    const src: NginxConfigSource = { resource: { kind: 'ConfigMap', namespace: c.configMap.namespace, name: c.configMap.name }, configMap: c.configMap, data: configMapData(snapshot, c.configMap), controllers: [c] };
    byCm.set(key, src);
    out.push(src);
  }
  return out;
}, ['network', 'tls']);

/**
 * The ingress-nginx controllers of the snapshot that do not start (NginxWatch `none`), each with
 * why, for the checks judging controllers' settings to say so: their settings are not judged
 * (nginxConfigSources leaves them out), and the Ingresses they would serve read as if they were
 * not in the snapshot.
 */
export function nginxNotStarting(snapshot: Snapshot): string | undefined {
  const down = nginxControllers(snapshot).flatMap((c) => ('none' in c.watch ? [`${refString(c.ref)} (${c.watch.none})`] : []));
  return down.length === 0 ? undefined : `${down.length} ingress-nginx controller(s) cannot start, so their settings are not judged and they serve no Ingress: ${down.slice(0, 5).join('; ')}${down.length > 5 ? `; and ${down.length - 5} more` : ''}`;
}

/** A redirect setting as ingress-nginx resolves it for one Ingress, and where the value came from. */
export interface NginxSetting {
  v: boolean;
  source: string;
  /** The controller's --configmap is not known (configMapUnknown): `v` is the default, which its ConfigMap may change. */
  unknown?: string;
}

/**
 * Why whether HTTP is redirected for a controller's locations cannot be confirmed: force-ssl-redirect,
 * or ssl-redirect on an Ingress with TLS, comes from a ConfigMap that is not known, and no
 * annotation turns the redirect on regardless. Undefined when known.
 */
export function nginxRedirectUnknown(s: { force: NginxSetting; redirect: NginxSetting }, hasTls: boolean): string | undefined {
  if ((s.force.v && !s.force.unknown) || (hasTls && s.redirect.v && !s.redirect.unknown)) return undefined;
  return s.force.unknown ?? (hasTls ? s.redirect.unknown : undefined);
}

/**
 * force-ssl-redirect and ssl-redirect for the locations of one Ingress, once per ingress-nginx
 * controller serving it (each decides with its own ConfigMap; none found: the defaults). Both
 * are location settings from the annotations of the Ingress that defines the path (rewrite
 * annotation parser, strconv.ParseBool); an annotation that is missing or does not parse takes
 * the ConfigMap value, and `notes` says which did not parse.
 */
export function nginxRedirectSettings(snapshot: Snapshot, ing: KubeObject): { settings: Array<{ force: NginxSetting; redirect: NginxSetting }>; notes: string[] } {
  const ann = ing.metadata?.annotations ?? {};
  const notes = new Set<string>();
  // Each controller reads the annotations of its own --annotations-prefix.
  const annotation = (prefix: string, key: string): NginxSetting | undefined => {
    const raw = ann[`${prefix}${key}`];
    const v = raw === undefined ? undefined : nginxAnnotationBool(raw);
    if (raw !== undefined && v === undefined) notes.add(`annotation ${prefix}${key}: "${raw}" is not a boolean ingress-nginx parses; the ConfigMap value applies`);
    return v === undefined ? undefined : { v, source: `annotation ${prefix}${key}: "${raw}"` };
  };
  const controllers = nginxControllersFor(snapshot, ing);
  const settings = (controllers.length ? controllers : [undefined]).map((c) => {
    const prefix = c?.annotationPrefix ?? NGINX_ANNOTATION_PREFIX;
    const data = c?.configMap ? configMapData(snapshot, c.configMap) : undefined;
    const cm = c?.configMap ? `ConfigMap ${c.configMap.namespace}/${c.configMap.name}` : '';
    const fromCm = (key: string, dflt: boolean): NginxSetting => {
      if (c?.configMapUnknown !== undefined) return { v: dflt, source: `the ConfigMap of controller ${refString(c.ref)} (not known: ${c.configMapUnknown})`, unknown: `the ${key} of ingress-nginx controller ${refString(c.ref)} cannot be confirmed: ${c.configMapUnknown}` };
      const raw = data?.[key];
      const v = raw === undefined ? undefined : nginxBool(raw);
      // A value ingress-nginx refuses keeps the default (nginxBool), and the source says so.
      if (raw !== undefined && v === undefined) notes.add(`${cm} ${key}: ${JSON.stringify(raw)} is not a boolean ingress-nginx parses (nothing is trimmed); its default ${dflt} applies`);
      return v === undefined ? { v: dflt, source: `ingress-nginx default ${key}: ${dflt}` } : { v, source: `${cm} ${key}: "${raw}"${c ? ` (controller ${refString(c.ref)})` : ''}` };
    };
    return { force: annotation(prefix, 'force-ssl-redirect') ?? fromCm('force-ssl-redirect', false), redirect: annotation(prefix, 'ssl-redirect') ?? fromCm('ssl-redirect', true) };
  });
  return { settings, notes: [...notes] };
}
