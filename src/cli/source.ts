// The source flags every command shares: --manifests DIR (repeatable), --snapshot FILE, or
// a live cluster (--kubeconfig, --context; KUBECONFIG, ~/.kube/config, in-cluster).
import { ConfigError } from '../errors.ts';
import { loadManifests } from '../collect/manifests.ts';
import { readSnapshot } from '../snapshot/io.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { Logger } from './log.ts';

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

export async function loadSource(flags: SourceFlags, log: Logger, extra: { probeTls?: boolean } = {}): Promise<Snapshot> {
  const chosen = [flags.manifests?.length ? '--manifests' : '', flags.snapshot ? '--snapshot' : '', flags.kubeconfig || flags.context ? '--kubeconfig/--context' : ''].filter(Boolean);
  if (chosen.length > 1) throw new ConfigError(`choose one source: ${chosen.join(' or ')}`);
  if (flags.manifests?.length) {
    const snapshot = loadManifests(flags.manifests);
    for (const note of snapshot.notes) log.warn(note);
    return snapshot;
  }
  if (flags.snapshot) return readSnapshot(flags.snapshot);
  const timeoutMs = flags['request-timeout'] ? Number(flags['request-timeout']) * 1000 : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new ConfigError(`--request-timeout ${flags['request-timeout']}: must be a number of seconds`);
  const { collectLive } = await import('../collect/live.ts');
  const snapshot = await collectLive({
    kubeconfigPath: flags.kubeconfig,
    context: flags.context,
    ...(timeoutMs ? { timeoutMs } : {}),
    onProgress: (kind: string, count: number) => log.progress(kind, count),
  });
  void extra;
  return snapshot;
}
