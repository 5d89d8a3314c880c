// The Istio releases of the istiods in the snapshot, from their images, for what a release reads
// differently: an AuthorizationPolicy field or `when` key istiod does not know yet is, to it, not
// there (authz.ts). Every istiod counts, whatever its revision: each reads the same policies for
// the proxies it configures, so releases that disagree make the reading unsure.
import type { Snapshot } from '../../snapshot/types.ts';
import { podTemplateOf } from '../workloads.ts';
import { meshComponentOfImage } from './components.ts';
import { arr, obj, str } from './util.ts';

export interface IstiodRelease {
  minor: [number, number];
  /** The patch release when the tag names one ("1.30.2", "1.30.2-distroless"). */
  patch?: number;
  /** `Deployment istio-system/istiod (image docker.io/istio/pilot:1.21.3)`, for messages. */
  from: string;
}

/** What the snapshot tells of istiod's release: the versioned istiods, and those whose image names none (latest, a digest). */
export interface IstiodReleases {
  known: IstiodRelease[];
  unversioned: string[];
}

/** "1.21.3", "1.21.3-distroless", "v1.21" → [1, 21] and patch 3; none for latest, a digest alone. */
export function istioImageRelease(image: string): { minor: [number, number]; patch?: number } | undefined {
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) return undefined;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+.]|$)/.exec(ref.slice(colon + 1));
  return m ? { minor: [Number(m[1]), Number(m[2])], ...(m[3] !== undefined ? { patch: Number(m[3]) } : {}) } : undefined;
}

/** The istiod containers (meshComponentOfImage) of the snapshot's Deployments, StatefulSets and DaemonSets. O(workloads × containers). */
export function istiodReleasesOf(snapshot: Snapshot): IstiodReleases {
  const known: IstiodRelease[] = [];
  const unversioned: string[] = [];
  for (const key of ['deployments', 'statefulsets', 'daemonsets'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      for (const c of arr(obj(podTemplateOf(o)?.spec)?.containers).map(obj)) {
        const image = str(c?.image) ?? '';
        // Every istiod image's repository ends in pilot (meshComponentOfImage): a substring test spares the rest.
        if (!image.includes('pilot') || meshComponentOfImage(image, str(c?.name) ?? '')?.what !== 'istiod') continue;
        const from = `${o.kind ?? 'Deployment'} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''} (image ${image})`;
        const r = istioImageRelease(image);
        if (r) known.push({ ...r, from });
        else unversioned.push(from);
      }
    }
  }
  return { known, unversioned };
}

/** Whether release `r` is `since` or later (a patch `since[2]` of that minor: a release naming no patch is not known to be). */
export function atLeast(r: { minor: [number, number]; patch?: number }, since: readonly [number, number, number?]): boolean | undefined {
  const [a, b] = r.minor;
  if (a !== since[0]) return a > since[0];
  if (b !== since[1]) return b > since[1];
  if (since[2] === undefined || since[2] === 0) return true;
  return r.patch === undefined ? undefined : r.patch >= since[2];
}
