// Which Linkerd release is installed, for the decisions that differ between releases: where
// linkerd-config's values keep the install's settings (top-level from 2.10, linkerd.ts
// linkerdSettings) and whether the chart's default clusterNetworks holds fd00::/8 (from 2.16,
// linkerdClusterNetworks).

import type { KubeObject } from '../../snapshot/types.ts';
import { oneLine } from '../../base/plain-text.ts';
import { imageTag } from '../images.ts';
import { meshComponentOfImage } from './components.ts';
import { arr, obj, str } from './util.ts';

/** A release as its version string names it: a 2.x minor (stable-, enterprise-, version-) or an edge release. */
export type LinkerdVersion = { minor: number } | { edge: [number, number, number] };

/**
 * A Linkerd version string: `stable-2.14.10`, `enterprise-2.16.1`, `version-2.18` (2.x releases),
 * `edge-24.5.1`, each possibly after `linkerd/cli ` or `linkerd/helm ` (the chart's
 * linkerd.io/created-by annotation). Anything else (a dev build, the chart's unreplaced
 * placeholder `linkerdVersionValue`, a digest) is no release: undefined.
 */
export function parseLinkerdVersion(version: string): LinkerdVersion | undefined {
  const release = /^(?:linkerd\/(?:cli|helm) )?(?:stable|enterprise|version)-2\.(\d+)(?:\.\d+)*$/.exec(version);
  if (release) return { minor: Number(release[1]) };
  const edge = /^(?:linkerd\/(?:cli|helm) )?edge-(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return edge ? { edge: [Number(edge[1]), Number(edge[2]), Number(edge[3])] } : undefined;
}

/** The first release of a change: the 2.x minor and the edge release that carry it. */
export interface LinkerdSince {
  minor: number;
  edge: [number, number, number];
}

export function linkerdVersionAtLeast(v: LinkerdVersion, since: LinkerdSince): boolean {
  if ('minor' in v) return v.minor >= since.minor;
  for (let i = 0; i < 3; i++) if (v.edge[i] !== since.edge[i]) return v.edge[i] > since.edge[i];
  return true;
}

/**
 * Where the install's settings moved from `global` to the top of linkerd-config's values
 * (linkerd.ts linkerdSettings): linkerd2 pkg/charts/linkerd2/values.go has `Global *Global` at
 * edge-21.2.1 and none at edge-21.2.2 or stable-2.10.0.
 */
export const LINKERD_TOP_LEVEL_VALUES: LinkerdSince = { minor: 10, edge: [21, 2, 2] };

/**
 * The releases the control plane names, each with where it was read (`source`, one line). Several
 * when its parts disagree (an upgrade under way): a decision is then taken only when they all
 * give it (linkerdReleaseAtLeast).
 */
export interface LinkerdRelease {
  versions: Array<{ version: string; parsed: LinkerdVersion; source: string }>;
}

/** true or false when every release read is, or is not, at least `since`; undefined when they differ. */
export function linkerdReleaseAtLeast(release: LinkerdRelease, since: LinkerdSince): boolean | undefined {
  const answers = new Set(release.versions.map((v) => linkerdVersionAtLeast(v.parsed, since)));
  return answers.size === 1 ? [...answers][0] : undefined;
}

/** "stable-2.14.10 (Deployment linkerd/linkerd-destination annotation linkerd.io/created-by)", each release read. */
export function linkerdReleaseText(release: LinkerdRelease): string {
  return release.versions.map((v) => `${v.version} (${v.source})`).join(', ');
}

/** The control-plane Deployments the chart installs in its namespace, by the component label it gives each. */
const CONTROL_PLANE = new Map([['linkerd-destination', 'destination'], ['linkerd-identity', 'identity'], ['linkerd-proxy-injector', 'proxy-injector']]);
export const CREATED_BY = 'linkerd.io/created-by';

/**
 * The release of Linkerd's control plane from its Deployments linkerd-destination,
 * linkerd-identity and linkerd-proxy-injector, each labelled linkerd.io/control-plane-component
 * (destination, identity, proxy-injector) and linkerd.io/control-plane-ns naming its own
 * namespace, as linkerd2's chart writes them (charts/linkerd-control-plane/templates/
 * destination.yaml, identity.yaml, proxy-injector.yaml at stable-2.14.10 and edge-26.8.3).
 * Per Deployment, the first that names a release: its annotation linkerd.io/created-by
 * (partials.annotations.created-by in charts/partials/templates/_metadata.tpl: `linkerd/helm
 * <linkerdVersion>`, or cliVersion `linkerd/cli <version>` when the CLI rendered it), its label
 * app.kubernetes.io/version (linkerdVersion), its pod template's annotation linkerd.io/proxy-version
 * (partials.proxy.annotations: proxy.image.version, else linkerdVersion), else the tag of the
 * component's own container image (`{{.Values.controllerImage}}:{{.Values.controllerImageVersion |
 * default .Values.linkerdVersion}}`, cr.l5d.io/linkerd/controller:stable-2.14.10). Distinct
 * releases are all kept (LinkerdRelease). undefined when none names one. O(Deployments).
 */
export function linkerdReleaseOfDeployments(deployments: KubeObject[]): LinkerdRelease | undefined {
  const seen = new Map<string, LinkerdRelease['versions'][number]>();
  for (const d of deployments) {
    const name = d.metadata?.name ?? '';
    const component = CONTROL_PLANE.get(name);
    const ns = d.metadata?.namespace;
    const labels = d.metadata?.labels ?? {};
    if (!component || !ns || labels['linkerd.io/control-plane-component'] !== component || labels['linkerd.io/control-plane-ns'] !== ns) continue;
    const where = oneLine(`Deployment ${ns}/${name}`);
    const template = obj(obj(d.spec)?.template);
    const candidates: Array<[string | undefined, string]> = [
      [str(d.metadata?.annotations?.[CREATED_BY]), `${where} annotation ${CREATED_BY}`],
      [str(labels['app.kubernetes.io/version']), `${where} label app.kubernetes.io/version`],
      [str(obj(obj(template?.metadata)?.annotations)?.['linkerd.io/proxy-version']), `${where} pod template annotation linkerd.io/proxy-version`],
    ];
    for (const c of arr(obj(template?.spec)?.containers)) {
      const image = str(obj(c)?.image);
      if (image && str(obj(c)?.name) === component && meshComponentOfImage(image, component)?.mesh === 'linkerd') candidates.push([imageTag(image), `${where} image ${oneLine(image)}`]);
    }
    for (const [version, source] of candidates) {
      const parsed = version === undefined ? undefined : parseLinkerdVersion(version);
      if (!parsed) continue;
      // The version without the created-by prefix: two Deployments of one release read alike.
      const bare = version!.replace(/^linkerd\/(?:cli|helm) /, '');
      if (!seen.has(bare)) seen.set(bare, { version: bare, parsed, source });
      break;
    }
  }
  return seen.size > 0 ? { versions: [...seen.values()].sort((a, b) => a.version.localeCompare(b.version)) } : undefined;
}
