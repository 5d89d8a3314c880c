// The worker thread behind serve-pages.ts: opens the history read-only and renders stored
// runs (and the fleet report, /fleet) to HTML on request, one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { UnreadableRunError, errorMessage } from '../base/errors.ts';
import { oneLine } from '../base/plain-text.ts';
import { openRunStore } from '../history/store.ts';
import { renderHtml } from '../report/html.ts';
import type { RunPagesSource } from './serve-pages.ts';
import { storedRunRendering } from './stored-report.ts';
import { fleetDataOf, unreadableInFleet } from '../fleet/data.ts';
import { fleetHtml } from '../fleet/render.ts';
import { buildFleetView } from '../fleet/view.ts';
import type { FleetQuery } from '../run/fleet.ts';

const source = workerData as RunPagesSource;
const port = parentPort!;
const store = await openRunStore(source.history, {
  kubeconfigPath: source.kubeconfigPath, context: source.context, cwd: source.cwd, env: source.env, readOnly: true,
});

port.on('message', (m: { reqId: number; id?: string; has?: string; fleet?: Omit<FleetQuery, 'now'> & { now: string } }) => {
  void (async () => {
    try {
      if (m.fleet) {
        // A stored run that cannot be read is left out and named, as `ztaudit fleet` does: the page is served.
        const warnings: string[] = [];
        const data = await fleetDataOf(store, { ...m.fleet, now: new Date(m.fleet.now) }, (error) => { warnings.push(unreadableInFleet(error)); });
        return port.postMessage({ reqId: m.reqId, html: data.clusters.length > 1 ? fleetHtml(buildFleetView(data)) : null, warnings });
      }
      if (m.has !== undefined) return port.postMessage({ reqId: m.reqId, stored: await store.has(m.has) });
      if (!m.id) return port.postMessage({ reqId: m.reqId, html: null });
      let report;
      try {
        report = await store.get(m.id);
      } catch (error: unknown) {
        // Stored but not readable (damaged JSON, a part gone): the page says which run and why.
        if (error instanceof UnreadableRunError) return port.postMessage({ reqId: m.reqId, unreadable: oneLine(error.message) });
        throw error;
      }
      if (!report) return port.postMessage({ reqId: m.reqId, html: null });
      // Rendered as `ztaudit report ID --format html` renders it: the same findings, carried ones included.
      const warnings: string[] = [];
      const extras = await storedRunRendering(store, report, ['html'], (w) => { warnings.push(w); });
      port.postMessage({ reqId: m.reqId, html: renderHtml(report, extras), warnings });
    } catch (error: unknown) {
      port.postMessage({ reqId: m.reqId, error: errorMessage(error) });
    }
  })();
});
