// The source flags every command shares: --manifests DIR (repeatable), --snapshot FILE, or
// a live cluster (--kubeconfig, --context; KUBECONFIG, ~/.kube/config, in-cluster).
import { resolve } from 'node:path';
import { ConfigError } from '../base/errors.ts';
import { loadManifests } from '../collect/manifests.ts';
import { readSnapshot } from '../snapshot/io.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { Logger } from '../base/log.ts';
import { collectLive } from '../collect/live.ts';
import { probeEndpoints } from '../collect/tls-probe.ts';
import { ingressControllerConfigMapRefs, probeTargets } from '../analysis/tls/index.ts';
import { meshConfigMapRefs } from '../analysis/mesh/index.ts';
import { defaultConfig, type Config } from '../config/types.ts';

export const SOURCE_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  manifests: { type: 'string', multiple: true },
  snapshot: { type: 'string' },
  'request-timeout': { type: 'string' },
} as const;

export interface SourceFlags {
  kubeconfig?: string;
  context?: string;
  manifests?: string[];
  snapshot?: string;
  'request-timeout'?: string;
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
  /** Abandons a live collection (serve at shutdown). */
  signal?: AbortSignal;
}

export async function loadSource(flags: SourceFlags, log: Logger, context: SourceContext = {}): Promise<Snapshot> {
  const snapshot = await collectSource(flags, log, context);
  const config = context.config;
  if (config?.tls.probe.enabled) {
    const targets = probeTargets(snapshot, config);
    log.info(`probing ${targets.length} TLS endpoint(s)`);
    snapshot.probes = await probeEndpoints(targets, config.tls.probe);
  }
  return snapshot;
}

async function collectSource(flags: SourceFlags, log: Logger, context: SourceContext): Promise<Snapshot> {
  const chosen = [flags.manifests?.length ? '--manifests' : '', flags.snapshot ? '--snapshot' : '', flags.kubeconfig || flags.context ? '--kubeconfig/--context' : ''].filter(Boolean);
  if (chosen.length > 1) throw new ConfigError(`choose one source: ${chosen.join(' or ')}`);
  const at = (p: string) => (context.cwd ? resolve(context.cwd, p) : p);
  if (flags.manifests?.length) {
    const snapshot = loadManifests(flags.manifests.map(at), { cwd: context.cwd, limits: (context.config ?? defaultConfig()).limits });
    for (const note of snapshot.notes) log.warn(note);
    return snapshot;
  }
  if (flags.snapshot) return readSnapshot(at(flags.snapshot), (context.config ?? defaultConfig()).limits.snapshotMiB);
  const timeoutMs = flags['request-timeout'] ? Number(flags['request-timeout']) * 1000 : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new ConfigError(`--request-timeout ${flags['request-timeout']}: must be a number of seconds`);
  const config = context.config ?? defaultConfig();
  // Each progress line once (a kind's last page and its end report the same count), and none
  // after the run was abandoned: its requests may still be settling.
  const logged = new Map<string, number>();
  const progress = (kind: string, count: number) => {
    if (context.signal?.aborted || logged.get(kind) === count) return;
    logged.set(kind, count);
    log.progress(kind, count);
  };
  return collectLive({
    kubeconfigPath: flags.kubeconfig ? at(flags.kubeconfig) : undefined,
    context: flags.context,
    ...(context.env ? { env: context.env } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    onProgress: progress,
    // ConfigMaps are read by name only: the ingress controllers' --configmap and the meshes' own.
    configMapRefs: (partial) => [...ingressControllerConfigMapRefs(partial), ...meshConfigMapRefs(config)],
  });
}
