// serve's /runs and /runs.json list a partial run's open findings beside those it carries for the
// checks it could not evaluate, as `ztaudit history` lists them ("0 (+10)": README, History;
// docs/deploy.md, /runs). Reviewer's repro (/tmp/rev-serve2/gone): runs.json said critical 0,
// total 11 for a run whose history row read "0 (+10) 6 (+43)". Two real runs over one SQLite
// history: complete, then with NetworkPolicies forbidden (nothing else changed).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../../src/base/vocabulary.ts';
import { main } from '../../../src/cli/main.ts';
import { readRunListPage } from '../../../src/cli/serve-run-list.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { runListHtml, runListJson } from '../../../src/report/run-list.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { REPO } from '../../helm/helm.ts';

const quiet = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: REPO };

describe('/runs and /runs.json: a partial run\'s carried findings', () => {
  it('are stated beside its own counts, per severity in the JSON (`carried`) and as "own (+carried)" in the HTML, as `ztaudit history` states them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-runs-carried-'));
    const db = join(dir, 'h.db');
    const full = join(dir, 'full.snap.json.gz');
    expect(await main(['snapshot', '--manifests', 'examples/demo-cluster', '-o', full, '-q'], quiet)).toBe(0);
    const blind = join(dir, 'blind.snap.json.gz');
    const s = await readSnapshot(full);
    s.coverage.networkpolicies = { status: 'forbidden', detail: 'list networkpolicies: 403' };
    delete (s.resources as Record<string, unknown>).networkpolicies;
    writeSnapshot(blind, s);
    for (const [i, snap] of [full, blind].entries()) {
      const err: string[] = [];
      expect(await main(['run', '--snapshot', snap, '--config', 'examples/ztaudit.demo.yaml', '--cluster', 'demo', '--history', db, '--out', join(dir, `r${i}`), '--no-notify', '--format', 'json'], { ...quiet, stderr: (t: string) => err.push(t) }), err.join('')).toBe(0);
    }
    const out: string[] = [];
    expect(await main(['history', '--history', db, '-o', 'json'], { ...quiet, stdout: (t: string) => out.push(t) })).toBe(0);
    const history = JSON.parse(out.join('')) as Array<{ id: string; findings: Record<string, number>; carried?: Record<string, number> }>;

    const store = await openRunStore(db);
    const page = await readRunListPage(store, undefined).finally(() => store.close());
    const json = runListJson(page!) as { runs: Array<{ id: string; partial: boolean; findings: Record<string, number>; carried?: Record<string, number> }> };
    const [partial, complete] = json.runs;
    expect(partial!.partial).toBe(true);
    const carried = history.find((r) => r.id === partial!.id)!.carried!;
    const total = SEVERITIES.reduce((n, sev) => n + carried[sev]!, 0);
    expect(total).toBeGreaterThan(0);
    expect(partial!.carried).toEqual({ ...carried, total });
    // Own and carried add up to the complete run's: nothing changed in the cluster.
    for (const sev of SEVERITIES) expect(partial!.findings[sev]! + partial!.carried![sev]!).toBe(complete!.findings[sev]);
    expect(complete!.carried).toBeUndefined();

    const html = runListHtml(page!);
    const row = (id: string) => html.split('<tr>').find((r) => r.includes(`href="/runs/${id}"`))!;
    expect(row(partial!.id)).toContain(`<td class="num">${partial!.findings.total} (+${total})</td>`);
    expect(row(complete!.id)).toContain(`<td class="num">${complete!.findings.total}</td>`);
  }, 60_000);
});
