// The watch, as ServeWatch sees it, without a cluster (the cluster tier drives the real one
// against kube-apiserver): serve --watch tests hand it in as the watcher.
import type { WatchSource } from '../../../src/cli/serve-watch.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { WatchChange } from '../../../src/collect/watch.ts';
import { KINDS, type KindKey } from '../../../src/snapshot/kinds.ts';
import type { CoverageEntry, KubeObject, Snapshot } from '../../../src/snapshot/types.ts';

/** The watch, as ServeWatch sees it: objects held, changes recorded, coverage per kind. */
export class FakeWatch implements WatchSource {
  objects: KubeObject[];
  coverage: Partial<Record<KindKey, CoverageEntry>> = {};
  private pending: WatchChange[] = [];
  private kinds = new Set<KindKey>();
  constructor(objects: KubeObject[]) { this.objects = objects; }
  async start() {}
  async relistAll() {}
  async readReferencedConfigMaps() {}
  async stop() {}
  snapshot(): Snapshot {
    const s = snapshotFromObjects(structuredClone(this.objects), { clusterName: 'prod' });
    s.source = 'live';
    s.origin = 'live';
    for (const [k, c] of Object.entries(this.coverage)) {
      s.coverage[k as KindKey] = c;
      s.resources[k as KindKey] = [];
    }
    return s;
  }
  takeChanges() {
    const out = { changes: this.pending, dropped: 0, kinds: this.kinds, since: null };
    this.pending = [];
    this.kinds = new Set();
    return out;
  }
  giveBack(batch: { changes: WatchChange[]; kinds: Set<KindKey> }) {
    this.pending = [...batch.changes, ...this.pending];
    for (const k of batch.kinds) this.kinds.add(k);
  }
  hasChanges() { return this.kinds.size > 0; }
  metrics() { return { lagSeconds: 0, events: {}, watching: {} }; }
  private keyOf(o: KubeObject): KindKey { return KINDS.find((k) => k.kind === o.kind && o.apiVersion?.startsWith(k.group || 'v1'))!.key as KindKey; }
  remove(kind: string, namespace: string | undefined, name: string) {
    const o = this.objects.find((x) => x.kind === kind && x.metadata?.name === name && x.metadata?.namespace === namespace)!;
    this.objects = this.objects.filter((x) => x !== o);
    this.change(this.keyOf(o), 'deleted', o);
  }
  add(o: KubeObject) {
    this.objects.push(o);
    this.change(this.keyOf(o), 'created', o);
  }
  touch(kind: string, name: string) {
    const o = this.objects.find((x) => x.kind === kind && x.metadata?.name === name)!;
    o.metadata!.annotations = { ...o.metadata!.annotations, touched: String(Date.now()) };
    this.change(this.keyOf(o), 'updated', o);
  }
  fail(kind: KindKey, c: CoverageEntry | undefined) {
    if (c) this.coverage[kind] = c; else delete this.coverage[kind];
    this.kinds.add(kind);
  }
  private change(kind: KindKey, type: WatchChange['type'], o: KubeObject) {
    this.pending.push({ kind, type, name: o.metadata!.name!, ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}), at: Date.now() });
    this.kinds.add(kind);
  }
}
