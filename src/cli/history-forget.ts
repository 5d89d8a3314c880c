// `ztaudit history forget --cluster NAME [--yes]`: a retired or renamed cluster leaves the
// store, so `history`, `fleet` and serve's pages stop showing it as stale. Without --yes it
// only says what would go; with it, every run of exactly that cluster goes, and whatever the
// store keeps for that cluster alone (RunStore.forget), never a run of another cluster.
import { HistoryError } from '../base/errors.ts';
import { oneLine, unescapeShown } from '../base/plain-text.ts';
import type { ClusterRuns, RunStore } from '../history/run-store.ts';
import { byName } from '../fleet/data.ts';
import { EXIT_OK, type CliIO } from './io.ts';
import { addStoreOptions, openStoreForReading, withStoreErrors, type StoreFlags } from './history.ts';
import { defineCommand } from './command.ts';

interface ForgetOptions extends StoreFlags { cluster: string; yes?: boolean }

/** A cluster name as every line here shows it: quoted, on its line, its controls escaped. */
const named = (cluster: string) => `"${oneLine(cluster)}"${cluster === cluster.normalize('NFC') ? '' : ' (stored in another Unicode spelling of that name: not NFC)'}`;

function span(runs: ClusterRuns): string {
  const end = (what: string, r: ClusterRuns['oldest']) => (r ? `${what} ${oneLine(r.id)} (started ${oneLine(r.startedAt)})` : '');
  const damaged = runs.damaged ? ` (${runs.damaged} of them ${runs.damaged === 1 ? 'a damaged index entry' : 'damaged index entries'}, listed as UNREADABLE by ztaudit history)` : '';
  return [`${runs.runs} run(s)${damaged}`, end('oldest', runs.oldest), end('newest', runs.newest)].filter(Boolean).join(', ');
}

/**
 * The stored cluster names canonically equal to one of `typed` (the same text in Normalization
 * Form C, https://www.unicode.org/reports/tr15/) but spelled otherwise, sorted: runs stored before
 * --cluster and cluster.name were normalised may hold either spelling. One pass over the stored
 * runs' summaries (an unreadable one still names its cluster when its store knows it).
 */
async function canonicalTwins(store: RunStore, typed: readonly string[]): Promise<string[]> {
  const wanted = new Set(typed.map((t) => t.normalize('NFC')));
  const stored = new Set<string>();
  for (const s of await store.list(Number.MAX_SAFE_INTEGER, (error) => { if (error.cluster !== undefined) stored.add(error.cluster); })) stored.add(s.cluster);
  return [...stored].filter((name) => !typed.includes(name) && wanted.has(name.normalize('NFC'))).sort(byName);
}

export async function forgetCluster(values: ForgetOptions, io: CliIO): Promise<number> {
  return withStoreErrors(io, 'history forget', async () => {
    let cluster = values.cluster;
    // Opened as the read-only commands open it: a store that does not exist yet is not created
    // (it has no cluster to forget); removing takes the store as a run's save does.
    const store = await openStoreForReading(values, io, 'history forget');
    try {
      const where = store.describe();
      let planned = await store.forget(cluster, false);
      // A name with a character every output escapes (a no-break space shows as \u00a0) is typed
      // back as `history` lists it: read so when the text as typed matches no cluster.
      const shown = unescapeShown(cluster);
      if (planned.runs === 0 && shown !== cluster) {
        const asShown = await store.forget(shown, false);
        if (asShown.runs > 0) [cluster, planned] = [shown, asShown];
      }
      // Names stored under another spelling of the same text (café as é, or as e + U+0301: canonically
      // equal, shown alike, UAX #15) are the same cluster: found and forgotten with it.
      const twins = await canonicalTwins(store, planned.runs > 0 ? [cluster] : [cluster, shown]);
      const names = [...(planned.runs > 0 ? [cluster] : []), ...twins];
      if (names.length === 0) throw new HistoryError(`no cluster ${named(cluster)} in ${where} (the name must match exactly, or be canonically equal Unicode; ztaudit history lists each run's cluster); nothing removed`);
      if (!values.yes) {
        for (const name of names) {
          const runs = name === cluster && planned.runs > 0 ? planned : await store.forget(name, false);
          io.stdout(`Would forget cluster ${named(name)} in ${where}: ${span(runs)}.\n`);
        }
        io.stdout('Nothing removed: run again with --yes to remove these runs and everything the store keeps for this cluster.\n');
        return EXIT_OK;
      }
      let forgot = 0;
      for (const name of names) {
        const removed = await store.forget(name, true);
        if (removed.runs === 0) continue;
        forgot++;
        io.stdout(`Forgot cluster ${named(name)} in ${where}: removed ${span(removed)}.\n`);
      }
      if (forgot === 0) throw new HistoryError(`no cluster ${named(cluster)} in ${where} any more (removed meanwhile); nothing removed`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  });
}

export const HISTORY_FORGET = defineCommand<ForgetOptions>({
  name: 'forget',
  summary: 'remove every stored run of one retired or renamed cluster (exact name) and what the store keeps for it; without --yes, only says what would go',
  define: (cmd) => {
    addStoreOptions(cmd)
      .requiredOption('--cluster <name>', 'the cluster, exactly as `ztaudit history` lists it (no prefix, no pattern; a canonically equal Unicode spelling matches too)')
      .option('--yes', 'remove them; without it nothing is removed');
  },
  examples: [
    'ztaudit history forget --cluster old-prod  # what would go: the run count, the oldest and newest run',
    'ztaudit history forget --cluster old-prod --yes --history postgres://ztaudit@db/ztaudit',
  ],
  exitCodes: [
    '0  the cluster\'s runs were listed (without --yes) or removed',
    '2  no cluster of that exact name in the store (nothing removed), the store could not be read or written, or a run holds it',
  ],
  run: (opts, _args, io) => forgetCluster(opts, io),
});
