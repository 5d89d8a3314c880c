// Watch benchmark (`serve --watch`, issue #22): loads a synthetic cluster (default M, 15k pods)
// into a real kube-apiserver + etcd (the cluster test tier's binaries), starts
// `ztaudit serve --watch` as a real process with a local Slack Web API stand-in, then measures
//   1. latency: from the API call that deletes a default-deny NetworkPolicy to the stand-in
//      receiving the regression (median of --trials; the policy is re-created between trials
//      and that watch run is waited for);
//   2. idle CPU of the daemon between changes (utime+stime over --idle seconds, no changes);
//   3. RSS at the start and the end of a soak with a steady trickle of pod churn (one pod
//      created and one deleted every --churn-ms) lasting --soak-minutes, and the CPU it took.
//   node bench/watch.ts [--size M] [--trials 10] [--idle 60] [--soak-minutes 30] [--churn-ms 2000]
// The daemon runs with the environment's ZTAUDIT_HEAP_GROWTH_PERCENT and glibc malloc's
// setting the image ships (bench/malloc.ts; `--glibc-malloc` for glibc's own).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlPlane } from '../test/cluster/control-plane.ts';
import { apiRequest } from '../test/cluster/env.ts';
import { startFakeSlack } from '../test/unit/notify/slack-server.ts';
import { SIZES } from './generate.ts';
import { loadGeneratedCluster } from './load-cluster.ts';
import { HEAP_GROWTH_ENV } from '../src/base/heap.ts';
import { describeMalloc, mallocEnv } from './malloc.ts';


const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'M' }, trials: { type: 'string', default: '10' }, idle: { type: 'string', default: '60' },
    'soak-minutes': { type: 'string', default: '30' }, 'glibc-malloc': { type: 'boolean' }, 'churn-ms': { type: 'string', default: '2000' }, debounce: { type: 'string', default: '3' },
  },
});
const size = values.size as keyof typeof SIZES;
/** The daemon's memory settings: the heap growth when set, and glibc malloc's (the image's unless --glibc-malloc). */
const daemonMemoryEnv: Record<string, string> = {
  ...(process.env[HEAP_GROWTH_ENV] ? { [HEAP_GROWTH_ENV]: process.env[HEAP_GROWTH_ENV] } : {}),
  ...mallocEnv(process.env, values['glibc-malloc'] === true),
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
}
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

const binDir = spawnSync('bash', ['test/cluster/build-binaries.sh'], { encoding: 'utf8' }).stdout.trim().split('\n').pop()!;
const cp = await startControlPlane(binDir);
const slack = await startFakeSlack();
const dir = mkdtempSync(join(tmpdir(), 'ztaudit-bench-watch-'));
let child: ReturnType<typeof spawn> | null = null;
const lines: string[] = [];
const admin = (method: string, path: string, body?: unknown) => apiRequest(cp, cp.adminToken, method, path, body);
try {
  console.log(`control plane ${cp.version} up in ${(cp.startupMs / 1000).toFixed(1)} s`);
  const { created, seconds } = await loadGeneratedCluster(cp, size);
  console.log(`loaded ${created} objects (${size}) in ${seconds.toFixed(1)} s (load average now ${load()})`);

  // The namespace whose default-deny is deleted, and one for the churn.
  for (const ns of ['bench-shop', 'bench-churn']) {
    await admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await admin('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
  }
  const pod = (name: string, ns: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name.replace(/-\d+$/, '') } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } });
  await admin('POST', '/api/v1/namespaces/bench-shop/pods', pod('web', 'bench-shop'));
  const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'bench-shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  const npPath = '/apis/networking.k8s.io/v1/namespaces/bench-shop/networkpolicies';
  if ((await admin('POST', npPath, policy)).status !== 201) throw new Error('could not create the default-deny policy');

  // realertAfterHours 0: each trial deletes the same policy again, a repeat serve would otherwise
  // hold back as flapping (watch.realertAfterHours); the bench times every alert.
  writeFileSync(join(dir, 'ztaudit.yaml'), `watch: {debounceSeconds: ${Number(values.debounce)}, realertAfterHours: 0}\nnotify: {policy: regression, deadlineSeconds: 30}\n`);
  const ts = performance.now();
  child = spawn(process.execPath, [join(import.meta.dirname, '../bin/ztaudit.cjs'), 'serve', '--watch', '--kubeconfig', cp.kubeconfigPath, '--schedule', '0 0 1 1 *',
    '--port', '0', '--history', 'h.db', '--out', 'out', '--format', 'json'], {
    cwd: dir, stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH, HOME: dir, ZTAUDIT_SLACK_TOKEN: 'xoxb-bench', ZTAUDIT_SLACK_CHANNEL: 'C0BENCH', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
      ...daemonMemoryEnv,
    },
  });
  let tail = '';
  child.stderr!.on('data', (c: Buffer) => {
    tail += c.toString('utf8');
    let nl: number;
    while ((nl = tail.indexOf('\n')) >= 0) { lines.push(tail.slice(0, nl)); tail = tail.slice(nl + 1); }
  });
  const pid = child.pid!;
  const count = (event: string) => lines.filter((l) => l.includes(`"event":"${event}"`)).length;
  const waitFor = async (what: string, ok: () => boolean, ms: number) => {
    const t = Date.now();
    while (!ok()) {
      if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}; last lines:\n${lines.slice(-10).join('\n')}\nSlack: ${slack.calls.map((c) => `${c.path} ${String(c.fields.text).slice(0, 300)}`).join('\n')}`);
      if (child!.exitCode !== null) throw new Error(`serve exited ${child!.exitCode}:\n${lines.slice(-20).join('\n')}`);
      await sleep(20);
    }
  };
  await waitFor('the start-up run', () => count('run-finished') >= 1, 600_000);
  const startup = `serve --watch: start-up list + full run in ${((performance.now() - ts) / 1000).toFixed(1)} s, RSS ${rssMiB(pid)} MiB (load average ${load()})`;
  console.log(startup);
  // serve's own account of a watch run (event watch-timing): ms per phase, memory after it.
  const timings = (from: number) => lines.slice(from).filter((l) => l.includes('"event":"watch-timing"')).map((l) => JSON.parse(l) as { time: string; [k: string]: number | string });

  const posts = () => slack.calls.filter((c) => c.path.endsWith('chat.postMessage'));
  const latencies: number[] = [];
  const phases: Array<Record<string, number>> = [];
  const loads: number[] = [];
  for (let i = 0; i < Number(values.trials); i++) {
    const before = posts().length;
    const mark = lines.length;
    const t = performance.now();
    const del = await admin('DELETE', `${npPath}/default-deny`);
    if (del.status !== 200) throw new Error(`delete: HTTP ${del.status}`);
    await waitFor('the regression on Slack', () => posts().slice(before).some((c) => String(c.fields.text).includes('bench-shop/default-deny deleted')), 120_000);
    const s = (performance.now() - t) / 1000;
    latencies.push(s);
    loads.push(loadavg()[0]!);
    // Put it back and let that watch run (a resolved finding: stored, not alerted) finish.
    const settled = () => count('run-start') === count('run-finished') + count('run-failed');
    await waitFor('the regression run to finish', settled, 120_000);
    const p = (timings(mark).find((x) => x.slackAtMs !== undefined) ?? {}) as Record<string, number>;
    phases.push(p);
    const watchRuns = count('watch-run');
    await admin('POST', npPath, policy);
    await waitFor('the watch run after re-creating the policy', () => count('watch-run') > watchRuns && settled(), 120_000);
    console.log(`trial ${i + 1}: delete -> Slack regression ${s.toFixed(2)} s (load ${load()}); serve's phases (ms): ${Object.entries(p).filter(([k]) => k.endsWith('Ms')).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v}`).join(', ')}`);
  }
  const med = (key: string) => { const xs = phases.map((p) => p[key]).filter((x): x is number => typeof x === 'number'); return xs.length ? (median(xs) / 1000).toFixed(2) : '-'; };

  // Idle: no changes for --idle seconds (bookmarks still arrive).
  await sleep(5_000);
  const idleSeconds = Number(values.idle);
  const c0 = cpuSeconds(pid);
  await sleep(idleSeconds * 1000);
  const idleCpu = (cpuSeconds(pid) - c0) / idleSeconds;

  // Soak: steady pod churn.
  const soakMs = Number(values['soak-minutes']) * 60_000;
  const churnMs = Number(values['churn-ms']);
  const rssStart = rssMiB(pid);
  const cpuStart = cpuSeconds(pid);
  const runsStart = count('watch-run');
  const soakMark = lines.length;
  const ss = performance.now();
  const ssWall = Date.now();
  let n = 0;
  let maxRss = rssStart;
  const samples: Array<{ min: number; rss: number; load: number }> = [];
  const live: string[] = [];
  while (performance.now() - ss < soakMs) {
    const name = `churn-${n++}`;
    await admin('POST', '/api/v1/namespaces/bench-churn/pods', pod(name, 'bench-churn'));
    live.push(name);
    if (live.length > 20) await admin('DELETE', `/api/v1/namespaces/bench-churn/pods/${live.shift()}`);
    const rss = rssMiB(pid);
    maxRss = Math.max(maxRss, rss);
    samples.push({ min: (performance.now() - ss) / 60_000, rss, load: loadavg()[0]! });
    await sleep(churnMs);
  }
  const soakSeconds = (performance.now() - ss) / 1000;
  await sleep(2 * Number(values.debounce) * 1000);
  const rssEnd = rssMiB(pid);
  const soakCpu = (cpuSeconds(pid) - cpuStart) / soakSeconds;
  // RSS and serve's heap, minute by minute (the last watch run finished in each 5-minute slot).
  const soakRuns = timings(soakMark).map((x): Record<string, number> => ({ ...(x as Record<string, number>), min: (Date.parse(x.time) - ssWall) / 60_000 }));
  const slots: string[] = [];
  for (let m = 0; m < soakMs / 60_000; m += 5) {
    const inSlot = samples.filter((x) => x.min >= m && x.min < m + 5);
    const runs = soakRuns.filter((x) => x.min >= m && x.min < m + 5);
    const lastRun = runs[runs.length - 1];
    if (inSlot.length === 0) continue;
    slots.push(`    ${String(m).padStart(2)}-${m + 5} min: RSS median ${median(inSlot.map((x) => x.rss))} MiB (min ${Math.min(...inSlot.map((x) => x.rss))}, max ${Math.max(...inSlot.map((x) => x.rss))}); ${runs.length} watch runs${lastRun ? `, after the last: heap ${lastRun.heapUsedMiB}/${lastRun.heapTotalMiB} MiB, external ${lastRun.externalMiB} MiB` : ''}; load ${median(inSlot.map((x) => x.load)).toFixed(1)}`);
  }
  // Flat: after warm-up (the first 5 minutes), the median RSS of the last 5 minutes is within
  // 5 % of the median of minutes 5-10, and the fitted slope over minutes 5-end is under 1 MiB/min.
  const warm = samples.filter((x) => x.min >= 5);
  const early = median(warm.filter((x) => x.min < 10).map((x) => x.rss));
  const late = median(samples.filter((x) => x.min >= soakMs / 60_000 - 5).map((x) => x.rss));
  const mx = warm.reduce((a, x) => a + x.min, 0) / warm.length, my = warm.reduce((a, x) => a + x.rss, 0) / warm.length;
  const slope = warm.reduce((a, x) => a + (x.min - mx) * (x.rss - my), 0) / warm.reduce((a, x) => a + (x.min - mx) ** 2, 0);
  const flat = Math.abs(late - early) <= 0.05 * early && slope < 1;

  const summary = [
    `watch ${size} (${created} objects loaded in ${seconds.toFixed(0)} s, serve --watch, debounce ${values.debounce} s, heap growth ${process.env[HEAP_GROWTH_ENV] || 'default'}, ${describeMalloc(daemonMemoryEnv)}, shared 2-core machine):`,
    `  ${startup}`,
    `  delete default-deny -> Slack regression: median ${median(latencies).toFixed(2)} s over ${latencies.length} trials (min ${Math.min(...latencies).toFixed(2)}, max ${Math.max(...latencies).toFixed(2)}; target <= ${size === 'M' ? 10 : 30} s at ${size === 'M' ? 'M' : 'L'}); 1-min load average at the trials: median ${median(loads).toFixed(1)} (${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)})`,
    `    trials (s): ${latencies.map((x) => x.toFixed(2)).join(', ')}`,
    `    of which, serve's own medians (s): first change -> watch run starts (debounce) ${med('waitedMs')}; the run until Slack is called ${med('slackAtMs')} = checks ${med('checksMs')} + report sections ${med('detailsMs')} + notes ${med('notesMs')} (audit in all ${med('auditMs')}) + baseline ${med('baselineMs')} + diff ${med('diffMs')} + HTML render ${med('renderMs')}; Slack ${med('slackMs')}; after the alert: render every format ${med('rerenderMs')}, store ${med('storeMs')}`,
    `  idle CPU between changes: ${(idleCpu * 100).toFixed(2)} % of one core over ${idleSeconds} s (target <= 2 %; load average ${load()})`,
    ...(soakMs === 0 ? ['  soak: not run (--soak-minutes 0)'] : [`  soak ${(soakSeconds / 60).toFixed(1)} min, one pod created + one deleted every ${churnMs} ms (${n} pods, ${count('watch-run') - runsStart} watch runs): RSS start ${rssStart} MiB, end ${rssEnd} MiB, max ${maxRss} MiB; CPU ${(soakCpu * 100).toFixed(1)} % of one core`,
    ...slots,
    `    flat (after 5 min warm-up, last-5-min median within 5 % of minutes 5-10 and slope < 1 MiB/min): ${flat ? 'yes' : 'NO'} (minutes 5-10 ${early} MiB, last 5 ${late} MiB, slope ${slope.toFixed(2)} MiB/min)`]),
  ].join('\n');
  console.log(summary);
  mkdirSync('bench/out', { recursive: true });
  writeFileSync(`bench/out/watch-summary-${size}.txt`, `${summary}\n`);
} finally {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  await slack.close();
  await cp.stop();
}
