// Felix's DropActionOverride: what Felix does with each packet Calico policy denies. Calico
// Enterprise and Calico Cloud have it ("Calico Cloud adds a Felix option DropActionOverride that
// configures how the deny action in a Rule is interpreted. It can add logs for denied packets, or
// even allow the traffic through", docs.tigera.io/calico-cloud/visibility/iptables; the field
// `dropActionOverride` of tigera/api pkg/apis/projectcalico/v3/felixconfig.go, "Possible values are
// Drop, LogAndDrop, Accept, LogAndAccept. [Default: Drop]", pattern `^(?i)(Drop|LogAndDrop|Accept|LogAndAccept)?$`).
// Accept and LogAndAccept turn every policy denial into an accept: a cluster that looks
// default-deny is open. Calico Open Source has no such parameter (projectcalico/calico v3.32.1
// felix/config/config_params.go and api/pkg/apis/projectcalico/v3/felixconfig.go define none;
// Felix logs "Ignoring unknown config param." for FELIX_DROPACTIONOVERRIDE), so a calico/node
// agent ignores it.
//
// Where Felix takes it: "Configuration for Felix is read from one of five possible locations, in
// order [...] 1. Environment variables. 2. The Felix configuration file. 3. Host-specific
// FelixConfiguration resources (node.<nodename>). 4. Selector-scoped FelixConfiguration resources
// [...] 5. The global FelixConfiguration resource (default). The value of any configuration
// parameter is the value read from the first location containing a value"
// (docs.tigera.io/calico/latest/reference/felix/configuration; felix/config/config_params.go
// SourcesInDescendingOrder). A variable is FELIX_ and the name under any casing
// (env_var_loader.go lower-cases it); an empty value is ignored (Config.UpdateFrom).

import type { KubeObject, Snapshot } from '../../../snapshot/types.ts';
import { CALICO_ENTERPRISE_NODE_IMAGES, CNI_KINDS, isCalicoAgentContainer } from '../cni.ts';
import { imageRepository, repositoryIs } from '../../images.ts';
import { podTemplateOf } from '../../workloads.ts';
import { envConfigMaps, envOf } from './ip-pools.ts';
import { containerArgv } from '../../flags.ts';

export const FELIX_DROP_ENV = 'FELIX_DROPACTIONOVERRIDE';

/** What the snapshot says of Felix's drop action: every Felix accepts what policy denies, or whether any does cannot be told (each with why, for people); neither when every Felix drops. */
export interface FelixDropAction {
  /** Every Calico agent's Felix accepts the packets policy denies: where that is set ("FelixConfiguration default sets dropActionOverride to \"Accept\""). */
  accept?: string;
  /** Whether some Felix accepts them cannot be told (some nodes only, a value not shown, an edition not known, FelixConfigurations not read): why. */
  unconfirmed?: string;
  /** Some Calico agent that may honour the setting takes it from the FelixConfigurations (no variable sets it): they must be read. */
  readsConfigs: boolean;
}

type Edition = 'enterprise' | 'open-source' | 'unknown';

/** One layer's answer: whether it accepts (and where that is set), or why it cannot be told; undefined when it sets nothing. */
type Layered = { accept: boolean; from: string } | { unknown: string };

/** Whether a value turns denials into accepts: Accept or LogAndAccept, any casing; Drop, LogAndDrop or a value Felix refuses do not. */
function accepts(value: string): boolean {
  const v = value.toLowerCase();
  return v === 'accept' || v === 'logandaccept';
}

/** The Calico agent containers (calico-node, Calico Enterprise's cnx-node or tigera/node), each with who runs it and which edition its image is. */
function felixAgents(snapshot: Snapshot): Array<{ c: Record<string, unknown>; namespace?: string; who: string; edition: Edition; image?: string }> {
  const out: Array<{ c: Record<string, unknown>; namespace?: string; who: string; edition: Edition; image?: string }> = [];
  for (const key of CNI_KINDS) {
    for (const o of snapshot.resources[key] ?? []) {
      const c = agentContainer(o);
      if (!c) continue;
      const image = typeof c.image === 'string' ? c.image : undefined;
      const repo = image === undefined ? '' : imageRepository(image);
      const edition: Edition = CALICO_ENTERPRISE_NODE_IMAGES.some((r) => repositoryIs(repo, r)) ? 'enterprise'
        : ['calico/node', 'calico/node-windows'].some((r) => repositoryIs(repo, r)) ? 'open-source' : 'unknown';
      const namespace = o.metadata?.namespace;
      out.push({ c, ...(namespace ? { namespace } : {}), who: `${(c.name as string | undefined) ?? 'calico-node'} (${o.kind ?? 'DaemonSet'} ${namespace ?? ''}/${o.metadata?.name ?? ''})`, edition, ...(image ? { image } : {}) });
    }
  }
  return out;
}

/** The Calico agent among a workload's containers (never an init container: Felix runs in the agent itself). */
function agentContainer(o: KubeObject): Record<string, unknown> | undefined {
  const spec = podTemplateOf(o)?.spec as { containers?: unknown } | undefined;
  const list = Array.isArray(spec?.containers) ? spec.containers.filter((c): c is Record<string, unknown> => !!c && typeof c === 'object') : [];
  return list.find((c) => isCalicoAgentContainer(c as { name?: unknown; image?: unknown }));
}

/**
 * The ConfigMaps FELIX_DROPACTIONOVERRIDE may come from (its configMapKeyRef, the envFrom ones),
 * for every Calico agent not known to run Calico Open Source, whatever else addresses the pods
 * (a cloud CNI, Canal): the live collector reads them by name (src/cli/source.ts
 * calicoConfigMapRefs), and one not read leaves the drop action unconfirmed.
 */
export function felixConfigMaps(snapshot: Snapshot): Array<{ namespace: string; name: string }> {
  const refs = new Map<string, { namespace: string; name: string }>();
  for (const a of felixAgents(snapshot)) {
    if (a.edition === 'open-source' || !a.namespace) continue;
    for (const name of envConfigMaps(a.c, FELIX_DROP_ENV, true)) refs.set(`${a.namespace}/${name}`, { namespace: a.namespace, name });
  }
  return [...refs.values()];
}

/**
 * FELIX_DROPACTIONOVERRIDE as the agent container's env gives it (ip-pools.ts envOf, any casing of
 * the name), a value written with $(VAR) expanded as the kubelet expands it (flags.ts containerArgv).
 */
function envValue(snapshot: Snapshot, a: { c: Record<string, unknown>; namespace?: string }): { value: string } | { unread: string } | undefined {
  const env = envOf(snapshot, a.namespace, a.c, FELIX_DROP_ENV, { ignoreCase: true });
  if (!env || !('value' in env) || !env.value.includes('$(')) return env;
  const list: unknown[] = Array.isArray(a.c.env) ? a.c.env : [];
  const at = list.findLastIndex((e) => typeof (e as { name?: unknown } | null)?.name === 'string' && (e as { name: string }).name.toLowerCase() === FELIX_DROP_ENV.toLowerCase());
  const entry = list[at] as { name: string; value?: unknown } | undefined;
  if (!entry || typeof entry.value !== 'string') return env;
  // Against the entries before it, as the kubelet expands a value.
  const [x] = containerArgv({ env: list.slice(0, at), args: [entry.value] });
  return x!.unresolved.length ? { unread: `${entry.name} is set from variables whose value is not read (${x!.unresolved.map((n) => JSON.stringify(n)).join(', ')})` } : { value: x!.arg };
}

/**
 * The FelixConfigurations' layer: the `default` one for every node, under the per-node
 * `node.<nodename>` ones and the selector-scoped ones (spec.nodeSelector, on any other name). One
 * that gives some nodes another answer than the default leaves it unknown: the model does not
 * place pods on nodes. Other names apply to no node.
 */
function configsLayer(snapshot: Snapshot): Layered | undefined {
  const coverage = snapshot.coverage['calico.felixconfigurations'];
  if (coverage && (coverage.status === 'forbidden' || coverage.status === 'error')) {
    return { unknown: `FelixConfigurations (felixconfigurations.crd.projectcalico.org) could not be read (${coverage.status}), and one may set dropActionOverride for some or all nodes` };
  }
  const valueOf = (o: KubeObject) => {
    const v = (o.spec as { dropActionOverride?: unknown } | undefined)?.dropActionOverride;
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const set = (o: KubeObject, v: string) => `FelixConfiguration ${o.metadata?.name ?? ''} sets dropActionOverride to ${JSON.stringify(v)}`;
  let base: Layered | undefined;
  const scoped: Array<{ o: KubeObject; v: string; where: string }> = [];
  for (const o of snapshot.resources['calico.felixconfigurations'] ?? []) {
    const v = valueOf(o);
    if (v === undefined) continue;
    const name = o.metadata?.name ?? '';
    const selector = (o.spec as { nodeSelector?: unknown } | undefined)?.nodeSelector;
    if (name === 'default') base = { accept: accepts(v), from: `${set(o, v)} for every node` };
    else if (name.startsWith('node.')) scoped.push({ o, v, where: `for node ${name.slice('node.'.length)}` });
    else if (typeof selector === 'string' && selector.trim() !== '') scoped.push({ o, v, where: `for the nodes its nodeSelector ${JSON.stringify(selector)} picks` });
  }
  const baseAccepts = base !== undefined && 'accept' in base && base.accept;
  const differs = scoped.find((x) => accepts(x.v) !== baseAccepts);
  if (differs) return { unknown: `${set(differs.o, differs.v)} ${differs.where}${base && 'from' in base ? ` (${base.from})` : ''}, and ztaudit does not place pods on nodes` };
  return base;
}

/**
 * What Felix does with the packets Calico policy denies, agent by agent: a FELIX_DROPACTIONOVERRIDE
 * variable of the agent container first (for every node that DaemonSet runs on), else the
 * FelixConfigurations. An agent running calico/node (Calico Open Source) ignores both; one whose
 * image is neither calico/node nor a Calico Enterprise node image may honour them or not, so an accept there is
 * unconfirmed. Agents that disagree leave it unconfirmed. With no Calico agent in the snapshot,
 * a FelixConfiguration setting Accept is unconfirmed too, and unread ones count for nothing.
 */
export function felixDropAction(snapshot: Snapshot): FelixDropAction {
  const agents = felixAgents(snapshot);
  let readsConfigs = false;
  let configs: Layered | undefined | null = null;
  const fromConfigs = () => (configs === null ? (configs = configsLayer(snapshot)) : configs);
  if (!agents.length) {
    const layer = fromConfigs();
    return layer && 'accept' in layer && layer.accept
      ? { unconfirmed: `${layer.from}, and no calico-node agent in the snapshot shows whether Calico Enterprise or Calico Cloud (which honour it) or Calico Open Source (which has no such setting) runs`, readsConfigs }
      : { readsConfigs };
  }
  const layers: Layered[] = [];
  for (const a of agents) {
    if (a.edition === 'open-source') {
      layers.push({ accept: false, from: `${a.who} runs Calico Open Source (${JSON.stringify(a.image ?? '')}), which has no dropActionOverride` });
      continue;
    }
    const env = envValue(snapshot, a);
    let layer: Layered | undefined;
    if (env && 'unread' in env) layer = { unknown: `${a.who}: ${env.unread}` };
    else if (env && env.value !== '') layer = { accept: accepts(env.value), from: `${a.who} has ${FELIX_DROP_ENV}=${JSON.stringify(env.value)} in its env` };
    else {
      readsConfigs = true;
      layer = fromConfigs() ?? { accept: false, from: `${a.who}: no FelixConfiguration sets dropActionOverride (default Drop)` };
    }
    if ('accept' in layer && layer.accept && a.edition === 'unknown') {
      layer = { unknown: `${layer.from}, which Calico Enterprise and Calico Cloud honour and Calico Open Source ignores, and ${a.who} runs ${a.image === undefined ? 'no image' : JSON.stringify(a.image)}, neither calico/node nor a Calico Enterprise node image (tigera/cnx-node, tigera/node)` };
    }
    layers.push(layer);
  }
  const doubt = layers.find((l): l is { unknown: string } => 'unknown' in l);
  if (doubt) return { unconfirmed: doubt.unknown, readsConfigs };
  const known = layers as Array<{ accept: boolean; from: string }>;
  if (known.every((l) => !l.accept)) return { readsConfigs };
  if (known.every((l) => l.accept)) return { accept: [...new Set(known.map((l) => l.from))].join('; '), readsConfigs };
  return { unconfirmed: `the Calico agents differ: ${known.map((l) => `${l.from} (${l.accept ? 'accepts' : 'drops'} what policy denies)`).join('; ')}`, readsConfigs };
}
