// Child process for the crash and concurrency tests: `node store-child.ts URL MODE [KUBECONFIG]`.
// MODE save: acquire, then store large runs in a loop, printing "saving ID" / "saved ID"
// around each save, until killed. MODE hold: acquire and wait to be killed.
// STORE_CHILD_LEASE_MS sets a k8s:// store's lock lease (renewed every quarter of it).
import { openK8sStore } from '../../../src/history/k8s.ts';
import { openRunStore, parseStoreUrl } from '../../../src/history/store.ts';
import { makeReport } from './big-report.ts';

const [url, mode, kubeconfigPath] = process.argv.slice(2);
const retention = { maxRuns: 1000, maxAgeDays: 0 };
const location = parseStoreUrl(url, process.cwd());
const store = process.env.STORE_CHILD_LEASE_MS && location.kind === 'k8s'
  ? await openK8sStore(location.namespace, location.name, { kubeconfigPath, retention, now: () => new Date(), lockTtlMs: Number(process.env.STORE_CHILD_LEASE_MS) })
  : await openRunStore(url, { kubeconfigPath, retention });
await store.acquire('demo'); // makeReport's cluster (a shared store locks per cluster)
process.stdout.write(`ready ${process.pid}\n`);
if (mode === 'hold') {
  // The timer holds the store: once nothing did, the collector could finalise its lock
  // connection, and the lock went with it (another process then acquired it, under load).
  setInterval(() => store.describe(), 1000);
} else {
  const findings = Number(process.env.STORE_CHILD_FINDINGS ?? 2000);
  const evidenceBytes = Number(process.env.STORE_CHILD_EVIDENCE ?? 1500);
  for (let i = 0; ; i++) {
    const id = `child-${process.pid}-${i}`;
    const report = makeReport(id, new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString(), { findings, evidenceBytes });
    process.stdout.write(`saving ${id}\n`);
    await store.save(report);
    process.stdout.write(`saved ${id}\n`);
  }
}
