// Finds the credentials a live run uses, the way kubectl does: an explicit --kubeconfig file;
// else every file in KUBECONFIG (merged, first definition of a name wins, missing files skipped);
// else ~/.kube/config; else the in-cluster service account. --context picks the context.
// client-node's own loadFromDefault merges KUBECONFIG the other way round (the last file's
// current-context wins, duplicate names throw), which would audit a different cluster than
// `kubectl` with the same environment, so the merge is done here.

import fs from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Cluster, Context, KubeConfig as KubeConfigClass, User } from '@kubernetes/client-node';
import { ConfigError, errorMessage } from '../base/errors.ts';

// client-node's KubeConfig module imports the whole generated API (every model and API
// class), only for makeApiClient, which ztaudit never calls (its requests are raw, client.ts):
// loading it cost ~45 MiB of the collector's RSS (docs/performance.md). The KubeConfig module
// is loaded on first use with that one import answered by a stub; should a later client-node
// import it differently, the hook simply does not match and the real module loads.
const GENERATED_API_STUB = `data:text/javascript,${encodeURIComponent('const no = () => { throw new Error("ztaudit does not load client-node\'s generated API"); };\nexport const createConfiguration = no;\nexport class ServerConfiguration { constructor() { no(); } }\n')}`;
let kubeConfigClass: typeof KubeConfigClass | undefined;

function newKubeConfig(): KubeConfigClass {
  if (!kubeConfigClass) {
    const hooks = registerHooks({
      resolve(specifier, context, next) {
        if (specifier === './gen/index.js' && context.parentURL?.endsWith('/@kubernetes/client-node/dist/config.js')) return { url: GENERATED_API_STUB, shortCircuit: true };
        return next(specifier, context);
      },
    });
    try {
      kubeConfigClass = (createRequire(import.meta.url)('@kubernetes/client-node/dist/config.js') as { KubeConfig: typeof KubeConfigClass }).KubeConfig;
    } finally {
      hooks.deregister();
    }
  }
  return new kubeConfigClass();
}

type KubeConfig = KubeConfigClass;

/** No kubeconfig anywhere kubectl would look, and not in a pod: a caller may suggest other sources. */
export class KubeconfigNotFoundError extends ConfigError {}

export const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeconfigOptions {
  kubeconfigPath?: string;
  context?: string;
  /** Environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Directory holding the in-cluster token, ca.crt and namespace (tests point it elsewhere). */
  inClusterDir?: string;
}

export interface ResolvedKubeconfig {
  kc: KubeConfig;
  contextName: string;
  clusterName: string;
  server: string;
  /** Files read, or 'in-cluster'. */
  sources: string[];
}

function readFile(kc: KubeConfig, file: string): void {
  try {
    kc.loadFromFile(file, { onInvalidEntry: 'filter' });
  } catch (error: unknown) {
    // Never the parser's source excerpt: the lines around a YAML error may hold a token.
    const e = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
    const where = typeof e.mark?.line === 'number' ? ` at line ${e.mark.line + 1}${typeof e.mark.column === 'number' ? `, column ${e.mark.column + 1}` : ''}` : '';
    const why = typeof e.reason === 'string' ? `${e.reason}${where}` : errorMessage(error).split('\n')[0];
    throw new ConfigError(`cannot read kubeconfig ${file}: ${why}`);
  }
}

/** Merges kubeconfig files with kubectl's rule: the first file that sets a value wins. */
function mergeFirstWins(files: string[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const file of files) {
    const one = newKubeConfig();
    readFile(one, file);
    for (const c of one.getClusters() ?? []) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.getUsers() ?? []) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.getContexts() ?? []) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!currentContext && one.getCurrentContext()) currentContext = one.getCurrentContext();
  }
  const kc = newKubeConfig();
  kc.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext });
  return kc;
}

/** The pod's service account; the token file is re-read (projected tokens rotate). */
function inClusterConfig(host: string, port: string, saDir: string): KubeConfig {
  const kc = newKubeConfig();
  const hostPart = net.isIPv6(host) ? `[${host}]` : host;
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server: `https://${hostPart}:${port}`, caFile: path.join(saDir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: path.join(saDir, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  return kc;
}

export function loadKubeconfig(options: KubeconfigOptions = {}): ResolvedKubeconfig {
  const env = options.env ?? process.env;
  let kc: KubeConfig;
  let sources: string[];
  if (options.kubeconfigPath) {
    if (!fs.existsSync(options.kubeconfigPath)) throw new ConfigError(`kubeconfig ${options.kubeconfigPath} does not exist`);
    kc = mergeFirstWins([options.kubeconfigPath]);
    sources = [options.kubeconfigPath];
  } else {
    const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f.length > 0);
    const existing = fromEnv.filter((f) => fs.existsSync(f));
    const home = env.HOME || os.homedir();
    const defaultFile = home ? path.join(home, '.kube', 'config') : '';
    const saDir = options.inClusterDir ?? IN_CLUSTER_DIR;
    if (existing.length > 0) {
      kc = mergeFirstWins(existing);
      sources = existing;
    } else if (fromEnv.length === 0 && defaultFile && fs.existsSync(defaultFile)) {
      kc = mergeFirstWins([defaultFile]);
      sources = [defaultFile];
    } else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && fs.existsSync(path.join(saDir, 'token'))) {
      kc = inClusterConfig(env.KUBERNETES_SERVICE_HOST, env.KUBERNETES_SERVICE_PORT, saDir);
      sources = ['in-cluster'];
    } else {
      const tried = fromEnv.length > 0 ? `KUBECONFIG=${fromEnv.join(path.delimiter)} (no such file)` : `${defaultFile || '~/.kube/config'} (no such file)`;
      throw new KubeconfigNotFoundError(`no kubeconfig found: tried ${tried} and the in-cluster service account; pass --kubeconfig`);
    }
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new ConfigError(`context "${options.context}" not found in kubeconfig (${sources.join(', ')}); available: ${names.join(', ') || 'none'}`);
    }
    kc.setCurrentContext(options.context);
  }
  const contextName = kc.getCurrentContext();
  const context = contextName ? kc.getContextObject(contextName) : null;
  if (!context) throw new ConfigError(`kubeconfig (${sources.join(', ')}) has no current context; pass --context`);
  const cluster = kc.getCluster(context.cluster);
  if (!cluster || !cluster.server) throw new ConfigError(`context "${contextName}" names cluster "${context.cluster}", which the kubeconfig does not define with a server`);
  if (context.user && !kc.getUser(context.user)) throw new ConfigError(`context "${contextName}" names user "${context.user}", which the kubeconfig does not define`);
  return { kc, contextName, clusterName: cluster.name, server: cluster.server.replace(/\/+$/, ''), sources };
}
