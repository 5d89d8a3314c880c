// The source flags every command shares: --manifests DIR (repeatable), --snapshot FILE, or
// a live cluster (--kubeconfig, --context; KUBECONFIG, ~/.kube/config, in-cluster), and the
// name the cluster goes by in reports and history (--cluster, else cluster.name in the config,
// else the kubeconfig's context, or the manifests' absolute path).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, InputError } from '../base/errors.ts';
import { readCaBundle } from '../base/ca-bundle.ts';
import { clusterNameOf, oneLine } from '../base/plain-text.ts';
import { KubeconfigNotFoundError, loadKubeconfig } from '../kube/kubeconfig.ts';
import { loadManifests } from '../collect/manifests.ts';
import { readSnapshot } from '../snapshot/io.ts';
import type { CoverageEntry, Snapshot } from '../snapshot/types.ts';
import type { Logger } from '../base/log.ts';
import { collectLive, type ConfigMapRef, type ConfigMapRefs } from '../collect/live.ts';
import { probeExposed } from '../collect/tls-probe.ts';
import { ingressControllerConfigMapRefs, ingressControllerEnvConfigMapRefs, NGINX_CONTROLLER_KINDS, probeTargets } from '../analysis/tls/index.ts';
import { ISTIO_REVISION_KINDS, istioRevisionConfigMapRefs, meshConfigMapRefs } from '../analysis/mesh/index.ts';
import { ISTIOD_KINDS, istiodConfigMapRefs } from '../analysis/mesh/configmaps.ts';
import { CILIUM_CONFIG_MAP_REF_KINDS, ciliumConfigMapRefs } from '../analysis/netpol/cilium/config.ts';
import { CONTOUR_CONFIG_MAP_REF_KINDS, contourConfigMapRefs } from '../analysis/tls/contour.ts';
import { TRAEFIK_CONFIG_MAP_REF_KINDS, traefikConfigMapRefs } from '../analysis/tls/traefik.ts';
import { antreaConfigMapRefs, CNI_KINDS } from '../analysis/netpol/cni.ts';
import { calicoIpamConfigMaps } from '../analysis/netpol/calico/ip-pools.ts';
import { felixConfigMaps } from '../analysis/netpol/calico/felix.ts';
import { POD_VIEW_KINDS, type KindKey } from '../snapshot/kinds.ts';
import { onlyWithOf, unreadKind } from '../engine/audit.ts';
import type { Check } from '../engine/types.ts';
import { CHECKS } from '../../checks/index.ts';
import { defaultConfig, type Config } from '../config/types.ts';
import { CLUSTER_VERSION_FORM, CLUSTER_VERSION_SAYS } from '../config/schema.ts';
import { clusterMinor, LATEST_MINOR } from '../analysis/pss/levels.ts';
import { collect, seconds } from './command.ts';

export interface SourceFlags {
  kubeconfig?: string;
  context?: string;
  manifests?: string[];
  snapshot?: string;
  /** Seconds per API request (live clusters). */
  requestTimeout?: number;
  /** Seconds one API server outage may be retried for (live clusters; default 30). */
  retryBudget?: number;
  /** The cluster's name in reports and history. */
  cluster?: string;
  /** The cluster's Kubernetes version, for sources that do not tell it (manifests). */
  clusterVersion?: string;
}

/** The source flags, declared once for every command that reads a cluster. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--manifests <dir>', 'audit YAML/JSON manifests below DIR instead of a cluster (repeatable; a file works too)', collect)
    .option('--snapshot <file>', 'audit a snapshot file written by `ztaudit snapshot`')
    .option('--kubeconfig <file>', 'kubeconfig of the live cluster (default: KUBECONFIG, ~/.kube/config, then the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--request-timeout <seconds>', 'give up on one API request after this many seconds', seconds('--request-timeout'))
    .option('--retry-budget <seconds>', 'retry refused, reset, timed-out and throttled API requests for at most this long per outage (default 30)', seconds('--retry-budget', { zero: true }))
    .option('--cluster <name>', "the cluster's name in reports and history (default: cluster.name in the config, else the kubeconfig context, else the manifests' absolute path)", clusterName)
    .option('--cluster-version <version>', "the cluster's Kubernetes version (e.g. v1.34.2) where the source does not tell it, as manifests do not: Pod Security is judged at it, and a manifest at an apiVersion that release does not serve is skipped as kubectl apply would fail (default: cluster.version in the config, else the newest policy ztaudit knows)", clusterVersion);
}

/** --cluster-version's value, of the form cluster.version takes. */
function clusterVersion(value: string): string {
  if (!new RegExp(CLUSTER_VERSION_FORM).test(value)) throw new ConfigError(`--cluster-version: ${JSON.stringify(value)} is not ${CLUSTER_VERSION_SAYS}`);
  return value;
}

/** --cluster's value: an empty one (`--cluster "$CLUSTER"` with the variable unset) would file every such run under one nameless cluster. */
function clusterName(value: string): string {
  if (value.trim() === '') throw new ConfigError('--cluster: the name is empty (an unset variable?); give the cluster\'s name or leave the flag out');
  // Reports, the fleet and `ztaudit history` show the name as it is: "prod" and "prod " would be two clusters that read alike.
  if (value !== value.trim()) throw new ConfigError(`--cluster: ${JSON.stringify(value)} begins or ends with white space, which no report shows: give the name without it`);
  // Canonically equal spellings ("café" typed as é or as e + U+0301) show alike: one cluster,
  // kept in Normalization Form C (UAX #15, https://www.unicode.org/reports/tr15/), as cluster.name is.
  return clusterNameOf(value);
}

export function describeSource(flags: SourceFlags): string {
  if (flags.manifests?.length) return `manifests ${flags.manifests.join(', ')}`;
  if (flags.snapshot) return `snapshot ${flags.snapshot}`;
  return `cluster${flags.context ? ` (context ${flags.context})` : ''}`;
}

export interface SourceContext {
  /** With config.tls.probe.enabled, exposed endpoints are probed after collection. */
  config?: Config;
  env?: Record<string, string | undefined>;
  /** Relative --manifests, --snapshot and --kubeconfig paths are resolved against this. */
  cwd?: string;
  /** Abandons a live collection and the TLS probes (serve at shutdown). */
  signal?: AbortSignal;
  /** Given: each kind a live collection warned it could not read, with why, is added (`run` says it once). */
  said?: Set<string>;
  /**
   * Given (`run`): a kind that could not be read and that checks need is not warned of during
   * the collection; its line (the kind and why) is put here, for the caller to say once the
   * checks have run, with how many the run left not evaluated for it (notEvaluatedFor): which
   * of the checks that need it apply depends on the cluster and the config.
   */
  unread?: Map<string, string>;
}

export async function loadSource(flags: SourceFlags, log: Logger, context: SourceContext = {}): Promise<Snapshot> {
  const snapshot = await collectSource(flags, log, context);
  const config = context.config;
  // A snapshot file keeps the name it was taken under, which an older ztaudit did not put in NFC.
  snapshot.cluster.name = clusterNameOf(flags.cluster ?? config?.cluster.name ?? snapshot.cluster.name);
  noteClusterVersion(snapshot, flags, config, log);
  if (config?.tls.probe.enabled) await probeSnapshot(snapshot, config, log, context.signal);
  return snapshot;
}

/** The end of the run note of a manifests source without a version. */
const UNKNOWN_VERSION = 'the cluster version is unknown; set cluster.version (or --cluster-version)';
/** The notes noteClusterVersion makes, whichever v1.N the newest policy was when they were made. */
const VERSION_NOTE = /^Pod Security judged at v1\.\d+, the newest policy ztaudit knows: /;

/**
 * The version the operator gave (--cluster-version, cluster.version) stands in where the source
 * told none; an API server's own answer wins over it. Manifests with no version are judged at
 * the newest Pod Security policy, which the run says, since an older cluster's is stricter.
 */
function noteClusterVersion(snapshot: Snapshot, flags: SourceFlags, config: Config | undefined, log: Logger): void {
  const given = flags.clusterVersion ?? config?.cluster.version;
  const told = snapshot.cluster.version;
  // A snapshot file keeps the notes of the run that wrote it: one from manifests without a
  // version says so, which no longer holds once a version is given. Each is made again below
  // from the version now used (a snapshot read twice would otherwise say it twice).
  snapshot.notes = snapshot.notes.filter((n) => !VERSION_NOTE.test(n));
  if (given !== undefined && told === undefined) snapshot.cluster.version = given;
  else if (given !== undefined && told !== undefined && clusterMinor(given) !== clusterMinor(told)) {
    log.warn(`${flags.clusterVersion !== undefined ? '--cluster-version' : 'cluster.version'} ${given} is not used: the source says the cluster runs ${told}`);
  }
  if (snapshot.cluster.version === undefined && snapshot.origin === 'manifests') {
    const note = `Pod Security judged at v1.${LATEST_MINOR}, the newest policy ztaudit knows: ${UNKNOWN_VERSION}`;
    // In the run's notes (the report shows them); said on the terminal, not warned of: most manifests runs have no version to give.
    log.info(note);
    snapshot.notes.push(note);
  }
  const minor = clusterMinor(snapshot.cluster.version);
  if (minor !== undefined && minor > LATEST_MINOR) {
    const note = `Pod Security judged at v1.${LATEST_MINOR}, the newest policy ztaudit knows: the cluster runs ${snapshot.cluster.version}`;
    log.info(note);
    snapshot.notes.push(note);
  }
}

/**
 * The TLS probes of what the snapshot exposes (config.tls.probe), into snapshot.probes; what
 * was left out goes to its notes, what the deadline cut off makes it partial.
 */
export async function probeSnapshot(snapshot: Snapshot, config: Config, log: Logger, signal?: AbortSignal): Promise<void> {
  const plan = probeTargets(snapshot, config);
  log.info(`probing ${plan.targets.length} TLS endpoint(s) (at most ${config.tls.probe.deadlineSeconds} s)`);
  const { timeoutMs, concurrency, deadlineSeconds, caFile } = config.tls.probe;
  const ca = caFile === undefined ? undefined : caBundle(caFile);
  const probed = await probeExposed(plan.targets, { timeoutMs, concurrency, deadlineSeconds, ...(signal ? { signal } : {}), ...(ca ? { ca } : {}) });
  snapshot.probes = probed.probes;
  for (const note of [...plan.notes, ...probed.notes]) {
    log.warn(note);
    snapshot.notes.push(note);
  }
  for (const line of probed.partial) log.warn(line);
  if (probed.partial.length > 0) snapshot.partial = [...(snapshot.partial ?? []), ...probed.partial];
}

/** tls.probe.caFile's certificates, read for each run (a bundle rotated in a mounted ConfigMap is used); a file gone bad since the config was loaded is a config error. */
function caBundle(file: string): string[] {
  try {
    return readCaBundle(file);
  } catch (error: unknown) {
    throw new ConfigError(`tls.probe.caFile: ${oneLine(file)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The kinds calicoConfigMapRefs reads: the CNI plugins' workloads (addressedElsewhere) and the calico-node DaemonSet. */
export const CALICO_CONFIG_MAP_REF_KINDS = CNI_KINDS;

/** The ConfigMaps calico-node takes its IPAM settings (ip-pools.ts calicoIpamConfigMaps) and Felix's drop action (felix.ts felixConfigMaps) from. */
export function calicoConfigMapRefs(snapshot: Snapshot): ConfigMapRef[] {
  return [...calicoIpamConfigMaps(snapshot), ...felixConfigMaps(snapshot)];
}

/** The kinds liveConfigMapRefs reads, each from the function that reads it (meshConfigMapRefs reads only the config). */
export const LIVE_CONFIG_MAP_REF_KINDS: readonly KindKey[] = [...new Set<KindKey>([...NGINX_CONTROLLER_KINDS, ...ISTIO_REVISION_KINDS, ...ISTIOD_KINDS, ...CILIUM_CONFIG_MAP_REF_KINDS, ...CNI_KINDS, ...CONTOUR_CONFIG_MAP_REF_KINDS, ...TRAEFIK_CONFIG_MAP_REF_KINDS, ...CALICO_CONFIG_MAP_REF_KINDS])];

/**
 * The ConfigMaps read by name: the ingress controllers' --configmap (and the ConfigMaps their
 * containers take the variables of their args from), the meshes' own (Istio's where its istiods run), Cilium's
 * agent settings, Antrea's feature gates, Contour's --config-path file, Traefik's configuration file, calico-node's IPAM settings. Its `kinds` let serve --watch's refresh build a view of those kinds alone.
 */
export function liveConfigMapRefs(config: Config): ConfigMapRefs & { readonly kinds: readonly KindKey[] } {
  const refs = (partial: Snapshot) => [...ingressControllerConfigMapRefs(partial), ...ingressControllerEnvConfigMapRefs(partial), ...meshConfigMapRefs(config), ...istioRevisionConfigMapRefs(partial, config), ...istiodConfigMapRefs(partial), ...ciliumConfigMapRefs(partial), ...antreaConfigMapRefs(partial), ...contourConfigMapRefs(partial), ...traefikConfigMapRefs(partial), ...calicoConfigMapRefs(partial)];
  return Object.assign(refs, { kinds: LIVE_CONFIG_MAP_REF_KINDS });
}

/** Refuses flags naming more than one source. */
export function checkOneSource(flags: SourceFlags): void {
  const chosen = [flags.manifests?.length ? '--manifests' : '', flags.snapshot ? '--snapshot' : '', flags.kubeconfig || flags.context ? '--kubeconfig/--context' : ''].filter(Boolean);
  if (chosen.length > 1) throw new ConfigError(`choose one source: ${chosen.join(' or ')}`);
}

/**
 * The source as far as it can be known before any work: one source, its files there, a
 * kubeconfig found. `run` asks first, so a run that cannot start logs no "auditing" line and
 * creates no history store; reading the source says the same again for what this leaves out.
 */
export function checkSource(flags: SourceFlags, context: Pick<SourceContext, 'env' | 'cwd'> = {}): void {
  checkOneSource(flags);
  const at = (p: string) => (context.cwd ? resolve(context.cwd, p) : p);
  if (flags.manifests?.length) {
    for (const dir of flags.manifests.map(at)) if (!existsSync(dir)) throw new InputError(`--manifests ${oneLine(dir)}: no such file or directory`);
    return;
  }
  if (flags.snapshot) {
    if (!existsSync(at(flags.snapshot))) throw new InputError(`--snapshot ${oneLine(at(flags.snapshot))}: no such file`);
    return;
  }
  try {
    loadKubeconfig({ kubeconfigPath: flags.kubeconfig ? at(flags.kubeconfig) : undefined, context: flags.context, ...(context.env ? { env: context.env } : {}) });
  } catch (error: unknown) {
    throw noClusterFound(error, flags);
  }
}

/** Nothing chosen and no cluster found: the user may not know the other sources exist. */
function noClusterFound(error: unknown, flags: SourceFlags): unknown {
  if (error instanceof KubeconfigNotFoundError && !flags.kubeconfig) {
    return new ConfigError(`${error.message}, or audit files instead: --manifests DIR (YAML/JSON manifests) or --snapshot FILE (from \`ztaudit snapshot\`)`);
  }
  return error;
}

async function collectSource(flags: SourceFlags, log: Logger, context: SourceContext): Promise<Snapshot> {
  checkOneSource(flags);
  const at = (p: string) => (context.cwd ? resolve(context.cwd, p) : p);
  if (flags.manifests?.length) {
    const clusterVersion = flags.clusterVersion ?? context.config?.cluster.version;
    const snapshot = loadManifests(flags.manifests.map(at), { cwd: context.cwd, limits: (context.config ?? defaultConfig()).limits, ...(clusterVersion !== undefined ? { clusterVersion } : {}) });
    for (const note of snapshot.notes) log.warn(note);
    return snapshot;
  }
  if (flags.snapshot) return readSnapshot(at(flags.snapshot), (context.config ?? defaultConfig()).limits.snapshotMiB, (line) => log.warn(line));
  const timeoutMs = flags.requestTimeout ? flags.requestTimeout * 1000 : undefined;
  const retryBudgetMs = flags.retryBudget !== undefined ? flags.retryBudget * 1000 : undefined;
  const config = context.config ?? defaultConfig();
  // A kind read only for other kinds' sake (KindSpec.onlyWith) is told of once every kind is
  // in: only then is it known whether anything depends on it.
  const later: string[] = [];
  const tell = (kind: KindKey, line: string) => {
    if (context.unread && gatingChecks(kind).length > 0) context.unread.set(kind, line);
    else log.warn(`${line}: ${whoNeeds(kind)}`);
    context.said?.add(kind);
  };
  // Each progress line once (per page of a long list, then the kind's end), and none after
  // the run was abandoned: its requests may still be settling.
  const progress = (kind: string, count: number, done?: CoverageEntry) => {
    if (context.signal?.aborted) return;
    if (!done || done.status === 'ok' || done.status === 'absent') log.progress(kind, count);
    else if (onlyWithOf(kind)) later.push(kind);
    else tell(kind as KindKey, `${kind} could not be read (${done.status}${done.detail ? `: ${done.detail}` : ''})`);
  };
  const snapshot = await collectLive({
    kubeconfigPath: flags.kubeconfig ? at(flags.kubeconfig) : undefined,
    context: flags.context,
    ...(context.env ? { env: context.env } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(retryBudgetMs !== undefined ? { retryBudgetMs } : {}),
    deadlineMs: config.collect.deadlineSeconds * 1000,
    onProgress: progress,
    // ConfigMaps are read by name only: the ingress controllers' --configmap, the meshes' own (istio-<rev> per Istio revision in use), Cilium's agent settings, Contour's --config-path file, calico-node's calico-config.
    configMapRefs: liveConfigMapRefs(config),
  }).catch((error: unknown) => {
    throw noClusterFound(error, flags);
  });
  for (const kind of later) {
    const needed = gatingChecks(kind as KindKey);
    const u = unreadKind(snapshot, kind, new Set(needed.length > 0 ? [kind] : []));
    if (!u) continue;
    if (!u.partial) {
      log.warn(u.line);
      context.said?.add(kind);
    } else if (needed.length > 0) tell(kind as KindKey, u.line);
    else {
      log.warn(`${u.line}: it refines the verdicts on ${onlyWithOf(kind)!.join(' and ')}, so the run is partial`);
      context.said?.add(kind);
    }
  }
  return snapshot;
}

/** The checks that are not evaluated without kind `kind` wherever they apply (`needs`, `reads`; the pod view for `pods`). */
function gatingChecks(kind: KindKey, checks: readonly Check[] = CHECKS): string[] {
  return checks.filter((c) => c.needs.includes(kind) || c.reads?.includes(kind) || (c.needs.includes('pods') && (POD_VIEW_KINDS as readonly string[]).includes(kind))).map((c) => c.id);
}

/** At most this many check ids in the warning for a kind that could not be read; the rest are counted. */
const MAX_NAMED = 4;

const named = (ids: readonly string[]) => `${ids.slice(0, MAX_NAMED).join(', ')}${ids.length > MAX_NAMED ? ` and ${ids.length - MAX_NAMED} more` : ''}`;

/**
 * What a kind that could not be read cost the run, from its checks' outcomes: those not
 * evaluated for want of it. Checks that need it but do not apply (switched off, a feature not
 * configured, nothing of theirs in the cluster) cost nothing and are not counted.
 */
export function notEvaluatedFor(kind: string, checks: ReadonlyArray<{ id: string; status: string; unreadable?: readonly string[] }>): string {
  const ids = checks.filter((c) => c.status === 'not-evaluated' && c.unreadable?.includes(kind)).map((c) => c.id);
  if (ids.length === 0) return 'no check that needs it applies here, so none went unevaluated';
  return `${ids.length === 1 ? 'the check that needs it was' : `the ${ids.length} checks that need it were`} not evaluated (${named(ids)})`;
}

/**
 * What a kind that could not be read costs, from the checks' declarations: those that need it
 * are not evaluated; one read only where the cluster makes it matter, or only to refine a
 * verdict, costs no check its verdict everywhere, and the report says which were not evaluated.
 */
export function whoNeeds(kind: KindKey, checks: readonly Check[] = CHECKS): string {
  const gating = gatingChecks(kind, checks), conditional: string[] = [], refining: string[] = [];
  const gates = new Set(gating);
  for (const c of checks) {
    if (gates.has(c.id)) continue;
    if (c.readsWhen?.some((r) => r.kinds.includes(kind))) conditional.push(c.id);
    else if (c.readsBestEffort?.includes(kind)) refining.push(c.id);
  }
  if (gating.length > 0) return `${gating.length === 1 ? 'the check that needs it' : `the ${gating.length} checks that need it`} will not be evaluated where they apply (${named(gating)})`;
  if (conditional.length > 0) return `no check needs it everywhere; ${named(conditional)} read it where the cluster makes it matter (the report says whether they were evaluated)`;
  if (refining.length > 0) return `no check needs it; ${named(refining)} judge without it and say what they could not read`;
  return 'no check needs it';
}
