// API discovery: which groups, versions and resources the server serves. The collector picks
// each kind's served version from it, and records what is served (RBAC breadth counts it).
import type { CoverageEntry, Snapshot } from '../snapshot/types.ts';
import { KINDS, type KindSpec } from '../snapshot/kinds.ts';
import { runPool } from '../base/pool.ts';
import { describeTransportError, statusMessage, type KubeClient, type KubeResponse } from './client.ts';

export function resourceName(spec: KindSpec): string {
  return spec.group ? `${spec.resource}.${spec.group}` : spec.resource;
}

export function basePathOf(spec: KindSpec, version: string): string {
  return spec.group ? `/apis/${spec.group}/${version}` : `/api/${version}`;
}

/** One entry of a group version's discovery document (subresources included, e.g. "pods/exec"). */
export interface ServedResource {
  name: string;
  namespaced: boolean;
  verbs: string[];
}

export type ApiResource = NonNullable<Snapshot['apiResources']>[number];

export interface Discovery {
  /** group -> served versions; undefined when discovery itself failed. */
  groups?: Map<string, Set<string>>;
  /** group -> its preferred version, as /apis names it. */
  preferred?: Map<string, string>;
  failure?: CoverageEntry;
  /** "group/version" (core: "/v1") -> its resources, memoised so kinds and apiResources share requests. */
  resources: Map<string, Promise<ServedResource[] | CoverageEntry>>;
}


export async function discover(client: KubeClient): Promise<Discovery> {
  const discovery: Discovery = { resources: new Map() };
  let r: KubeResponse;
  try {
    r = await client.get('/apis', 'API discovery (get /apis)');
  } catch (error: unknown) {
    discovery.failure = { status: 'error', detail: `API discovery (get /apis) failed: ${describeTransportError(error)}` };
    return discovery;
  }
  if (r.status === 403) {
    discovery.failure = { status: 'forbidden', detail: 'get /apis (API discovery) at cluster scope' };
    return discovery;
  }
  const groups = (r.body as { groups?: unknown } | undefined)?.groups;
  if (r.status !== 200 || !Array.isArray(groups)) {
    discovery.failure = { status: 'error', detail: `API discovery (get /apis) failed: ${statusMessage(r)}` };
    return discovery;
  }
  discovery.groups = new Map();
  discovery.preferred = new Map();
  for (const g of groups as Array<{ name?: unknown; versions?: Array<{ version?: unknown }>; preferredVersion?: { version?: unknown } }>) {
    if (typeof g?.name !== 'string') continue;
    const versions = new Set<string>();
    for (const v of Array.isArray(g.versions) ? g.versions : []) if (typeof v?.version === 'string') versions.add(v.version);
    discovery.groups.set(g.name, versions);
    const preferred = g.preferredVersion?.version;
    const fallback = Array.isArray(g.versions) ? g.versions.find((v) => typeof v?.version === 'string')?.version : undefined;
    const chosen = typeof preferred === 'string' && preferred ? preferred : fallback;
    if (typeof chosen === 'string') discovery.preferred.set(g.name, chosen);
  }
  return discovery;
}

function parseServedResources(list: unknown[]): ServedResource[] {
  const out: ServedResource[] = [];
  for (const x of list as Array<{ name?: unknown; namespaced?: unknown; verbs?: unknown }>) {
    if (!x || typeof x.name !== 'string' || !x.name) continue;
    const verbs = Array.isArray(x.verbs) ? x.verbs.filter((v): v is string => typeof v === 'string' && v !== '') : [];
    out.push({ name: x.name, namespaced: x.namespaced === true, verbs });
  }
  return out;
}

/** What discovery told of the served resources: those of the groups that answered, and the groups that did not. */
export interface ServedApiResources {
  apiResources: ApiResource[];
  /** Groups ("" for core) whose discovery failed: their resources are not in apiResources. Empty when all answered. */
  missing: string[];
}

/**
 * What the API server serves: /api/v1 and every group's preferred version. A group whose
 * discovery fails is named in `missing` (and a note), and the others' resources are kept: one
 * broken aggregated API (a metrics-server answering 503) must not throw away what every other
 * group said. Undefined when /apis itself failed or no group answered: a list that says nothing
 * never reads as "nothing served".
 */
export async function servedApiResources(client: KubeClient, discovery: Discovery, concurrency: number): Promise<ServedApiResources | undefined> {
  if (discovery.failure) {
    client.notes.push(`served API resources unknown (RBAC breadth uses the built-in resource list): ${discovery.failure.detail ?? discovery.failure.status}`);
    return undefined;
  }
  const targets: Array<[string, string]> = [['', 'v1']];
  for (const [group, version] of discovery.preferred ?? []) targets.push([group, version]);
  const found = new Map<string, ServedResource[]>();
  const problems = new Map<string, string>();
  await runPool(targets, concurrency, async ([group, version]) => {
    // A group no kind is read from only feeds RBAC breadth, which falls back to the built-in
    // list for it: its discovery gets a short deadline, not the full retry budget. An
    // aggregated API whose backend is down (metrics-server) answers 503 on every try, and
    // waiting the budget out added ~27 s to every run (client-go's discovery likewise names the
    // group failed and goes on: ErrGroupDiscoveryFailed).
    const deadline = COLLECTED_GROUPS.has(group) ? undefined : Date.now() + BREADTH_ONLY_DISCOVERY_MS;
    const r = await groupVersionResources(client, discovery, group, version, deadline);
    if (Array.isArray(r)) found.set(group, r);
    else problems.set(group, r.status === 'forbidden' ? `${r.detail} is forbidden` : (r.detail ?? r.status));
  });
  // A core group that lists nothing was not answered: no API server serves no core resource.
  if (found.has('') && found.get('')!.length === 0) {
    found.delete('');
    problems.set('', 'get /api/v1 (API discovery) listed no resources');
  }
  if (found.size === 0) {
    client.notes.push(`served API resources unknown (RBAC breadth uses the built-in resource list): ${problems.get('') ?? [...problems.values()][0] ?? 'no API group answered'}`);
    return undefined;
  }
  const missing: string[] = [];
  const out: ApiResource[] = [];
  for (const [group, version] of targets) {
    const why = problems.get(group);
    if (why !== undefined) {
      missing.push(group);
      client.notes.push(`served API resources of ${group ? `API group ${group}` : 'the core API group'} unknown (RBAC breadth uses the built-in resource list for it): ${why}`);
    }
    for (const res of found.get(group) ?? []) out.push({ group, version, resource: res.name, namespaced: res.namespaced, verbs: res.verbs });
  }
  return { apiResources: out, missing };
}

/** The API groups some kind is read from ("" for core): their discovery is retried as long as any request. */
const COLLECTED_GROUPS: ReadonlySet<string> = new Set(KINDS.map((k) => k.group));
/** How long discovery of a group no kind is read from is retried (a blip of a second or two survives). */
const BREADTH_ONLY_DISCOVERY_MS = 2_000;

/**
 * Resources served in one group version (memoised; core is group ""), or the coverage entry
 * explaining why not known. `deadline` (epoch ms) ends retries early; only groups no kind is
 * read from are given one, so a memoised short answer never stands in for a kind's discovery.
 */
function groupVersionResources(client: KubeClient, discovery: Discovery, group: string, version: string, deadline?: number): Promise<ServedResource[] | CoverageEntry> {
  const gv = `${group}/${version}`;
  let p = discovery.resources.get(gv);
  if (!p) {
    const path = group ? `/apis/${gv}` : `/api/${version}`;
    const what = group ? gv : version;
    p = (async () => {
      let r: KubeResponse;
      try {
        r = await client.get(path, `discovery of ${what}`, deadline);
      } catch (error: unknown) {
        return { status: 'error', detail: `discovery of ${what} failed: ${describeTransportError(error)}` } satisfies CoverageEntry;
      }
      if (r.status === 404) return [];
      if (r.status === 403) return { status: 'forbidden', detail: `get ${path} (API discovery)` } satisfies CoverageEntry;
      const list = (r.body as { resources?: unknown } | undefined)?.resources;
      if (r.status !== 200 || !Array.isArray(list)) return { status: 'error', detail: `discovery of ${what} failed: ${statusMessage(r)}` } satisfies CoverageEntry;
      return parseServedResources(list);
    })();
    discovery.resources.set(gv, p);
  }
  return p;
}

/**
 * Why a kind is not read, as its coverage says it. `settled` when discovery answered (the kind
 * is not served, or served only at versions ztaudit does not read): asking again before
 * discovery is next refreshed tells nothing new. Not when discovery failed: that is retried.
 */
export interface NotRead { coverage: CoverageEntry; settled: boolean }

/**
 * Whether the server's discovery lists built-in kind `spec` at `version`: false when its group
 * version or the resource is not served (an API switched off with the API server's
 * --runtime-config, https://kubernetes.io/docs/tasks/administer-cluster/enable-disable-api/),
 * undefined when discovery could not tell. Asked only after a list answered 404: the group
 * version's resources are those servedApiResources fetches (memoised).
 */
export async function builtinListed(client: KubeClient, spec: KindSpec, version: string, discovery: Discovery): Promise<boolean | undefined> {
  if (spec.group) {
    if (discovery.failure || !discovery.groups) return undefined;
    if (!discovery.groups.get(spec.group)?.has(version)) return false;
  }
  const resources = await groupVersionResources(client, discovery, spec.group, version);
  // No API server serves no core resource: an empty core list says nothing (servedApiResources).
  if (!Array.isArray(resources) || (!spec.group && resources.length === 0)) return undefined;
  return resources.some((r) => r.name === spec.resource);
}

/** Picks the first version in spec.versions that the server serves the resource at. */
export async function servedVersion(client: KubeClient, spec: KindSpec, discovery: Discovery): Promise<string | NotRead> {
  if (spec.builtin) return spec.versions[0];
  if (discovery.failure) return { coverage: discovery.failure, settled: false };
  const served = discovery.groups?.get(spec.group);
  if (!served) return { coverage: { status: 'absent', detail: `API group ${spec.group} is not served (CRD not installed)` }, settled: true };
  let problem: CoverageEntry | undefined;
  for (const v of spec.versions) {
    if (!served.has(v)) continue;
    const resources = await groupVersionResources(client, discovery, spec.group, v);
    if (Array.isArray(resources)) {
      if (resources.some((r) => r.name === spec.resource)) return v;
    } else problem ??= resources;
  }
  if (problem) return { coverage: problem, settled: false };
  // Served, but only at versions ztaudit does not read (a newer API release): not "not
  // installed", which would read as nothing of it existing; its objects are there, unread.
  const others: string[] = [];
  for (const v of served) {
    if (spec.versions.includes(v)) continue;
    const resources = await groupVersionResources(client, discovery, spec.group, v);
    if (Array.isArray(resources) && resources.some((r) => r.name === spec.resource)) others.push(v);
  }
  if (others.length) return { coverage: { status: 'error', detail: `${resourceName(spec)} is served at ${others.join(', ')}; not read (ztaudit reads ${spec.versions.join(', ')})` }, settled: true };
  return { coverage: { status: 'absent', detail: `${resourceName(spec)} is not served at ${spec.versions.join(', ')} (CRD not installed)` }, settled: true };
}
