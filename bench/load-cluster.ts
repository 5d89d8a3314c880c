// Loads a generated cluster (bench/generate.ts) into a test control plane, the way bench/live.ts
// and bench/watch.ts both need it: every built-in listed kind, in dependency order (namespaces,
// service accounts, then the rest), 24 requests at a time, as the admin.
import { KINDS } from '../src/snapshot/kinds.ts';
import type { KubeObject } from '../src/snapshot/types.ts';
import type { ControlPlane } from '../test/cluster/control-plane.ts';
import { apiRequest, collectionPath } from '../test/cluster/env.ts';
import { generateCluster, SIZES } from './generate.ts';

/** The built-in kinds the collector lists (not the by-name ones). */
export const LISTED_BUILTIN = KINDS.filter((k) => k.builtin && !('byNameOnly' in k && k.byNameOnly));

/** Creates the generated cluster of `size`; resolves with how many objects were created and how long it took. */
export async function loadGeneratedCluster(cp: ControlPlane, size: keyof typeof SIZES): Promise<{ created: number; seconds: number }> {
  const snap = generateCluster(SIZES[size], 1);
  // Owners before what they own (Deployments, CronJobs, then ReplicaSets, Jobs…, pods last), so
  // each owner reference can carry its owner's uid: ztaudit folds a pod into its workload only
  // when the uids agree (src/analysis/workloads.ts).
  const first = ['namespaces', 'serviceaccounts', 'deployments', 'cronjobs'];
  const order = [...first, ...LISTED_BUILTIN.map((k) => k.key).filter((k) => !first.includes(k) && k !== 'pods'), 'pods'];
  const uids = new Map<string, string>();
  const uidKey = (kind: string | undefined, ns: string | undefined, name: string | undefined) => `${kind}/${ns ?? ''}/${name}`;
  const t0 = performance.now();
  let created = 0;
  for (const key of order) {
    const list = ((snap.resources as Record<string, KubeObject[] | undefined>)[key] ?? []).filter((o) => !(key === 'namespaces' && o.metadata?.name === 'kube-system'));
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const o = structuredClone(list[next++]);
        delete o.status;
        if (o.metadata) {
          delete o.metadata.uid;
          // ownerReferences need a uid: the owner's, created before (no garbage collector runs here).
          o.metadata.ownerReferences = o.metadata.ownerReferences?.map((r) => ({ ...r, uid: uids.get(uidKey(r.kind, o.metadata?.namespace, r.name)) ?? '00000000-0000-0000-0000-000000000000' }));
          // Pods that predate a namespace's PSA label exist in real clusters; here admission
          // would refuse them, so the labels are left off (collection time is unaffected).
          // The test apiserver's service range is a /24: load Services headless.
          if (o.kind === 'Service') o.spec = { ...o.spec, type: 'ClusterIP', clusterIP: 'None' };
          if (o.kind === 'Namespace' && o.metadata.labels) {
            for (const l of Object.keys(o.metadata.labels)) if (l.startsWith('pod-security.kubernetes.io/')) delete o.metadata.labels[l];
          }
        }
        const r = await apiRequest(cp, cp.adminToken, 'POST', collectionPath(o), o);
        if (r.status >= 300 && r.status !== 409) throw new Error(`create ${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        const uid = (r.body as { metadata?: { uid?: unknown } } | undefined)?.metadata?.uid;
        if (typeof uid === 'string') uids.set(uidKey(o.kind, o.metadata?.namespace, o.metadata?.name), uid);
        created++;
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
  }
  return { created, seconds: (performance.now() - t0) / 1000 };
}
