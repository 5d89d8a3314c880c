// Finds the credentials a live run uses, the way kubectl does: an explicit --kubeconfig file;
// else every file in KUBECONFIG (merged, first definition of a name wins, missing files skipped);
// else ~/.kube/config; else the in-cluster service account. --context picks the context.
// client-node's own loadFromDefault merges KUBECONFIG the other way round (the last file's
// current-context wins, duplicate names throw), which would audit a different cluster than
// `kubectl` with the same environment, so the merge is done here. So is the reading of each
// file: client-node read a token-file when it loaded the file, relative to the working
// directory and untrimmed, and left out the whole user when it was missing.

import fs from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Cluster, Context, KubeConfig as KubeConfigClass, User } from '@kubernetes/client-node';
import YAML, { YAMLError } from 'yaml';
import { ConfigError, errorMessage } from '../base/errors.ts';
import { oneLine } from '../base/plain-text.ts';
import { YAML_QUIET, yamlMessage } from '../base/yaml-message.ts';
import { proxyUrlProblem } from './proxy.ts';

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
export class KubeconfigNotFoundError extends ConfigError {
  /** Where it was looked for ("~/.kube/config (no such file) and the in-cluster service account"), for a caller's own hint. */
  readonly tried: string;
  constructor(tried: string) {
    super(`no kubeconfig found: tried ${tried}; pass --kubeconfig`);
    this.tried = tried;
  }
}

/** The credentials of the kubeconfig's user cannot be had (an unreadable token-file, a failing exec plugin). */
export class CredentialError extends ConfigError {}

export const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeconfigOptions {
  kubeconfigPath?: string;
  context?: string;
  /** Environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Directory holding the in-cluster token, ca.crt and namespace (tests point it elsewhere). */
  inClusterDir?: string;
}

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;

/** KUBERNETES_EXEC_INFO's spec.cluster (client.authentication.k8s.io Cluster, its JSON names). */
export interface ExecCluster {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  /** Base64, as Go encodes bytes in JSON. */
  'certificate-authority-data'?: string;
  'proxy-url'?: string;
  'disable-compression'?: boolean;
  /** The cluster's extension named client.authentication.k8s.io/exec. */
  config?: unknown;
}

/** A user's exec credential plugin (clientcmd's ExecConfig, validated as client-go validates it). */
export interface ExecConfig {
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  apiVersion: (typeof EXEC_API_VERSIONS)[number];
  interactiveMode: 'Never' | 'IfAvailable' | 'Always';
  installHint?: string;
  /** Set when provideClusterInfo is: handed to the plugin in KUBERNETES_EXEC_INFO. */
  cluster?: ExecCluster;
}

/** What the client handles itself for the context's user, beside client-node's KubeConfig. */
export interface UserCredentials {
  name: string;
  /** The kubeconfig file that defines the user, or 'in-cluster'. */
  source: string;
  /** An absolute path: a relative token-file is the kubeconfig's directory's, as kubectl reads it. */
  tokenFile?: string;
  exec?: ExecConfig;
}

export interface ResolvedKubeconfig {
  kc: KubeConfig;
  contextName: string;
  clusterName: string;
  server: string;
  /** Files read, or 'in-cluster'. */
  sources: string[];
  /** The context's user, when it names one. */
  user?: UserCredentials;
  /** The environment the kubeconfig was resolved in (exec plugins inherit it). */
  env: Record<string, string | undefined>;
}

interface ClusterEntry { cluster: Cluster; source: string; execExtension?: unknown; disableCompression?: boolean }
interface UserEntry { user: User; credentials: UserCredentials; exec?: Record<string, unknown> }
interface FileEntries { clusters: ClusterEntry[]; users: UserEntry[]; contexts: Context[]; currentContext: string }
interface Loaded { kc: KubeConfig; clusters: Map<string, ClusterEntry>; users: Map<string, UserEntry> }

/** Where a user's credentials come from, for an error message. */
export function userLabel(c: UserCredentials): string {
  return c.source === 'in-cluster' ? 'the in-cluster service account' : `user ${JSON.stringify(c.name)} in kubeconfig ${c.source}`;
}

function fsReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file (ENOENT)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'EISDIR') return 'a directory (EISDIR)';
  return errorMessage(error).split('\n')[0];
}

/**
 * The token of a token-file, trimmed as client-go's file token source trims it (a file written
 * by `echo $TOKEN > file` ends in a line break, which is no character of a header).
 */
export function readTokenFile(c: UserCredentials & { tokenFile: string }): string {
  let text: string;
  try {
    text = fs.readFileSync(c.tokenFile, 'utf8');
  } catch (error: unknown) {
    throw new CredentialError(`cannot read token-file ${c.tokenFile} of ${userLabel(c)}: ${fsReason(error)}`);
  }
  const token = text.trim();
  if (!token) throw new CredentialError(`token-file ${c.tokenFile} of ${userLabel(c)} is empty`);
  return token;
}

const EXEC_EXTENSION = 'client.authentication.k8s.io/exec';
const INTERACTIVE_MODES = ['Never', 'IfAvailable', 'Always'] as const;

/**
 * The user's exec section, checked as clientcmd's validation checks it (a command, a known
 * apiVersion, env entries with names, interactiveMode set for v1 and IfAvailable by default for
 * v1beta1), and the cluster it is handed with provideClusterInfo: a certificate-authority file
 * is read into certificate-authority-data, as rest.ConfigToExecCluster reads it.
 */
function execConfig(raw: Record<string, unknown>, user: UserCredentials, entry: ClusterEntry): ExecConfig {
  const bad = (why: string) => new ConfigError(`exec plugin of ${userLabel(user)}: ${why}`);
  const command = text(raw.command);
  if (!command) throw bad('exec.command is missing');
  const apiVersion = EXEC_API_VERSIONS.find((v) => v === raw.apiVersion);
  if (!apiVersion) throw bad(raw.apiVersion === undefined ? 'exec.apiVersion is missing' : `exec.apiVersion ${JSON.stringify(raw.apiVersion)} is none of ${EXEC_API_VERSIONS.join(', ')}`);
  const mode = raw.interactiveMode ?? (apiVersion === 'client.authentication.k8s.io/v1beta1' ? 'IfAvailable' : undefined);
  const interactiveMode = INTERACTIVE_MODES.find((m) => m === mode);
  if (!interactiveMode) throw bad(mode === undefined ? `exec.interactiveMode is missing (${apiVersion} requires Never, IfAvailable or Always)` : `exec.interactiveMode ${JSON.stringify(mode)} is none of ${INTERACTIVE_MODES.join(', ')}`);
  if (raw.args !== undefined && !(Array.isArray(raw.args) && raw.args.every((a) => typeof a === 'string'))) throw bad('exec.args is not a list of strings');
  const env: ExecConfig['env'] = [];
  for (const e of raw.env === undefined || raw.env === null ? [] : Array.isArray(raw.env) ? raw.env : [raw.env]) {
    const name = text(record(e)?.name);
    if (!name) throw bad('an exec.env entry has no name');
    const value = record(e)?.value;
    env.push({ name, value: typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value) });
  }
  const out: ExecConfig = { command, args: (raw.args as string[] | undefined) ?? [], env, apiVersion, interactiveMode, ...(text(raw.installHint) ? { installHint: text(raw.installHint) } : {}) };
  if (raw.provideClusterInfo === true) {
    const c = entry.cluster;
    let ca = c.caData;
    if (!ca && c.caFile) {
      try {
        ca = fs.readFileSync(c.caFile).toString('base64');
      } catch (error: unknown) {
        throw bad(`cannot read certificate-authority ${c.caFile} of cluster ${JSON.stringify(c.name)} for provideClusterInfo: ${fsReason(error)}`);
      }
    }
    out.cluster = {
      server: c.server,
      ...(c.tlsServerName ? { 'tls-server-name': c.tlsServerName } : {}),
      ...(c.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
      ...(ca ? { 'certificate-authority-data': ca } : {}),
      ...(c.proxyUrl ? { 'proxy-url': c.proxyUrl } : {}),
      ...(entry.disableCompression ? { 'disable-compression': true } : {}),
      ...(entry.execExtension !== undefined ? { config: entry.execExtension } : {}),
    };
  }
  return out;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const record = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined);
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(record).filter((e) => e !== undefined) : []);

/**
 * Reads one kubeconfig file as client-go's loader does: a relative certificate-authority,
 * client-certificate, client-key or token-file, and an exec command with a path separator in
 * it, are the file's directory's (clientcmd ResolveLocalPaths); a command without one is looked
 * up on PATH. An entry without a name (a cluster without a server, a context without a cluster)
 * is left out; what is then missing is named when the context is resolved.
 */
function readFile(file: string): FileEntries {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (error: unknown) {
    throw new ConfigError(`cannot read kubeconfig ${file}: ${fsReason(error)}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(source, { merge: true, ...YAML_QUIET });
  } catch (error: unknown) {
    // Never the parser's source excerpt: the lines around a YAML error may hold a token.
    throw new ConfigError(`cannot read kubeconfig ${file}: ${error instanceof YAMLError ? yamlMessage(error) : errorMessage(error).split('\n')[0]}`);
  }
  // An empty file (or only blanks and comments) is an empty config, as client-go loads zero-length data.
  if (doc === null || doc === undefined) return { clusters: [], users: [], contexts: [], currentContext: '' };
  const root = record(doc);
  if (!root) throw new ConfigError(`cannot read kubeconfig ${file}: not a mapping of clusters, users and contexts`);
  const dir = path.resolve(path.dirname(file));
  const local = (p: string | undefined) => (p === undefined || path.isAbsolute(p) ? p : path.join(dir, p));
  const clusters: ClusterEntry[] = [];
  for (const e of list(root.clusters)) {
    const name = text(e.name);
    const c = record(e.cluster);
    const server = text(c?.server);
    if (!name || !c || !server) continue;
    const execExtension = list(c.extensions).find((x) => x.name === EXEC_EXTENSION)?.extension;
    clusters.push({
      cluster: {
        name, server: server.replace(/\/$/, ''),
        caData: text(c['certificate-authority-data']), caFile: local(text(c['certificate-authority'])),
        skipTLSVerify: c['insecure-skip-tls-verify'] === true, tlsServerName: text(c['tls-server-name']), proxyUrl: text(c['proxy-url']),
      },
      source: file,
      ...(execExtension !== undefined ? { execExtension } : {}),
      ...(c['disable-compression'] === true ? { disableCompression: true } : {}),
    });
  }
  const users: UserEntry[] = [];
  for (const e of list(root.users)) {
    const name = text(e.name);
    if (!name) continue;
    const u = record(e.user) ?? {};
    const exec = record(u.exec);
    const command = text(exec?.command);
    users.push({
      user: {
        name,
        authProvider: record(u['auth-provider']),
        certData: text(u['client-certificate-data']), certFile: local(text(u['client-certificate'])),
        keyData: text(u['client-key-data']), keyFile: local(text(u['client-key'])),
        token: text(u.token), username: text(u.username), password: text(u.password), impersonateUser: text(u.as),
      },
      credentials: { name, source: file, ...(text(u['token-file']) ? { tokenFile: local(text(u['token-file'])) } : {}) },
      // Run by the client (credentials.ts), never by client-node, which leaves the plugin's stdin open.
      ...(exec ? { exec: command?.includes(path.sep) ? { ...exec, command: local(command) } : exec } : {}),
    });
  }
  const contexts: Context[] = [];
  for (const e of list(root.contexts)) {
    const name = text(e.name);
    const c = record(e.context);
    const cluster = text(c?.cluster);
    if (!name || !c || !cluster) continue;
    contexts.push({ name, cluster, user: text(c.user) as string, namespace: text(c.namespace) });
  }
  return { clusters, users, contexts, currentContext: text(root['current-context']) ?? '' };
}

/** Merges kubeconfig files with kubectl's rule: the first file that sets a value wins. */
function mergeFirstWins(files: string[]): Loaded {
  const clusters = new Map<string, ClusterEntry>();
  const users = new Map<string, UserEntry>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const file of files) {
    const one = readFile(file);
    for (const c of one.clusters) if (!clusters.has(c.cluster.name)) clusters.set(c.cluster.name, c);
    for (const u of one.users) if (!users.has(u.user.name)) users.set(u.user.name, u);
    for (const c of one.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    currentContext ||= one.currentContext;
  }
  const kc = newKubeConfig();
  kc.loadFromOptions({ clusters: [...clusters.values()].map((c) => c.cluster), users: [...users.values()].map((u) => u.user), contexts: [...contexts.values()], currentContext });
  return { kc, clusters, users };
}

/** The pod's service account; the token file is re-read (projected tokens rotate). */
function inClusterConfig(host: string, port: string, saDir: string): Loaded {
  const kc = newKubeConfig();
  const hostPart = net.isIPv6(host) ? `[${host}]` : host;
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server: `https://${hostPart}:${port}`, caFile: path.join(saDir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'in-cluster' }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  return { kc, clusters: new Map(), users: new Map([['in-cluster', { user: { name: 'in-cluster' }, credentials: { name: 'in-cluster', source: 'in-cluster', tokenFile: path.join(saDir, 'token') } }]]) };
}

export function loadKubeconfig(options: KubeconfigOptions = {}): ResolvedKubeconfig {
  const env = options.env ?? process.env;
  let loaded: Loaded;
  let sources: string[];
  if (options.kubeconfigPath) {
    if (!fs.existsSync(options.kubeconfigPath)) throw new ConfigError(`kubeconfig ${options.kubeconfigPath} does not exist`);
    loaded = mergeFirstWins([options.kubeconfigPath]);
    sources = [options.kubeconfigPath];
  } else {
    const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f.length > 0);
    const existing = fromEnv.filter((f) => fs.existsSync(f));
    const home = env.HOME || os.homedir();
    const defaultFile = home ? path.join(home, '.kube', 'config') : '';
    const saDir = options.inClusterDir ?? IN_CLUSTER_DIR;
    if (existing.length > 0) {
      loaded = mergeFirstWins(existing);
      sources = existing;
    } else if (fromEnv.length === 0 && defaultFile && fs.existsSync(defaultFile)) {
      loaded = mergeFirstWins([defaultFile]);
      sources = [defaultFile];
    } else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && fs.existsSync(path.join(saDir, 'token'))) {
      loaded = inClusterConfig(env.KUBERNETES_SERVICE_HOST, env.KUBERNETES_SERVICE_PORT, saDir);
      sources = ['in-cluster'];
    } else {
      const tried = fromEnv.length > 0 ? `KUBECONFIG=${fromEnv.join(path.delimiter)} (no such file)` : `${defaultFile || '~/.kube/config'} (no such file)`;
      throw new KubeconfigNotFoundError(`${tried} and the in-cluster service account`);
    }
  }
  const kc = loaded.kc;
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new ConfigError(`context ${JSON.stringify(options.context)} not found in kubeconfig (${sources.join(', ')}); available: ${oneLine(names.join(', ')) || 'none'}`);
    }
    kc.setCurrentContext(options.context);
  }
  const contextName = kc.getCurrentContext();
  const context = contextName ? kc.getContextObject(contextName) : null;
  if (!context) throw new ConfigError(`kubeconfig (${sources.join(', ')}) has no current context; pass --context`);
  const cluster = kc.getCluster(context.cluster);
  if (!cluster || !cluster.server) throw new ConfigError(`context ${JSON.stringify(contextName)} names cluster ${JSON.stringify(context.cluster)}, which the kubeconfig does not define with a server`);
  if (context.user && !kc.getUser(context.user)) throw new ConfigError(`context ${JSON.stringify(contextName)} names user ${JSON.stringify(context.user)}, which the kubeconfig does not define`);
  const clusterEntry = loaded.clusters.get(cluster.name) ?? { cluster, source: sources.join(', ') };
  const proxyProblem = cluster.proxyUrl ? proxyUrlProblem(cluster.proxyUrl) : null;
  if (proxyProblem) throw new ConfigError(`proxy-url of cluster ${JSON.stringify(cluster.name)} in kubeconfig ${clusterEntry.source}: ${proxyProblem}`);
  // As client-go (transport.TLSConfigFor: "specifying a root certificates file with the insecure
  // flag is not allowed"): a pinned CA beside insecure-skip-tls-verify would read as verified
  // while nothing is, and a man in the middle could feed the audit any cluster state.
  if (cluster.skipTLSVerify && (cluster.caData || cluster.caFile)) {
    throw new ConfigError(`cluster ${JSON.stringify(cluster.name)} in kubeconfig ${clusterEntry.source} sets both insecure-skip-tls-verify and certificate-authority${cluster.caData ? '-data' : ''}: verification would be off though a CA is pinned (kubectl refuses this too); remove one`);
  }
  const entry = context.user ? loaded.users.get(context.user) : undefined;
  const user = entry && { ...entry.credentials, ...(entry.exec ? { exec: execConfig(entry.exec, entry.credentials, clusterEntry) } : {}) };
  // As client-go: a token-file that cannot be read fails the client's creation (an inline token is used first).
  if (user?.tokenFile && !entry?.user.token) readTokenFile({ ...user, tokenFile: user.tokenFile });
  return { kc, contextName, clusterName: cluster.name, server: cluster.server.replace(/\/+$/, ''), sources, ...(user ? { user } : {}), env };
}
