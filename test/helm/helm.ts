// Finds the pinned helm binary (built from its Go module by test/cluster/build-helm.sh, which
// .ci/run runs before the tests) and renders the chart. No test builds it: a missing binary
// makes the helm tests skip, loudly, outside CI and fails them in CI.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { skipOrFail } from '../helpers/ci.ts';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHART_DIR = join(REPO, 'helm', 'ztaudit');
const BUILD_SCRIPT = join(REPO, 'test', 'cluster', 'build-helm.sh');
/** The Kubernetes version the cluster tier runs; charts are rendered for it. */
export const KUBE_VERSION = /KUBERNETES_VERSION=(\S+)/.exec(readFileSync(join(REPO, 'test', 'cluster', 'versions.env'), 'utf8'))?.[1] ?? 'v1.36.3';

/** The cached helm binary, or null after a loud skip (in CI a missing binary throws). */
export function findHelm(what: string): { helm: string | null } {
  if (process.env.ZTAUDIT_HELM) return { helm: process.env.ZTAUDIT_HELM };
  const r = spawnSync('bash', [BUILD_SCRIPT, '--no-build'], { encoding: 'utf8', timeout: 60_000 });
  const path = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status === 0 && path) return { helm: path };
  skipOrFail(what, `helm binary not available (${r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`}); build it with: bash test/cluster/build-helm.sh`);
  return { helm: null };
}

export interface HelmRun {
  status: number;
  stdout: string;
  stderr: string;
}

function helmEnv(kubeconfig: string): NodeJS.ProcessEnv {
  // No user config, cache, repositories or cluster leak into the tests.
  return {
    PATH: process.env.PATH ?? '', HOME: '/nonexistent', HELM_CACHE_HOME: '/tmp/ztaudit-helm-cache', HELM_CONFIG_HOME: '/tmp/ztaudit-helm-config', HELM_DATA_HOME: '/tmp/ztaudit-helm-data',
    KUBECONFIG: kubeconfig,
  };
}

/** Runs helm with no cluster to reach. */
export function runHelm(helm: string, args: string[]): HelmRun {
  const r = spawnSync(helm, args, { encoding: 'utf8', timeout: 60_000, env: helmEnv('/nonexistent') });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs helm against the cluster of `kubeconfig`; asynchronous, so a stand-in server in this process can answer. */
export function runHelmAgainst(helm: string, args: string[], kubeconfig: string): Promise<HelmRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(helm, args, { env: helmEnv(kubeconfig), timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/** Values as `--set-json key=JSON`, one per top-level key; helm merges them over values.yaml. */
export function valuesArgs(values: Record<string, unknown>): string[] {
  return Object.entries(values).flatMap(([k, v]) => ['--set-json', `${k}=${JSON.stringify(v)}`]);
}

/** The API server address the tests give the chart, as an operator without a cluster at render time must. */
export const TEST_API_SERVER_CIDRS = ['10.0.0.10/32'];

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** `--api-versions`: API versions the cluster is said to serve (the chart's .Capabilities). */
  apiVersions?: string[];
}

/** `helm template` has no cluster for the chart's lookup of the API server: the tests set the value, as an operator must. */
function withApiServer(values: Record<string, unknown>): Record<string, unknown> {
  const np = (values.networkPolicy ?? {}) as Record<string, unknown>;
  const api = (np.apiServer ?? {}) as Record<string, unknown>;
  if (api.cidrs !== undefined) return values;
  return { ...values, networkPolicy: { ...np, apiServer: { ...api, cidrs: TEST_API_SERVER_CIDRS } } };
}

function templateArgs(options: RenderOptions): string[] {
  return ['template', options.release ?? 'zt', CHART_DIR, '--namespace', options.namespace ?? 'ztaudit', '--kube-version', KUBE_VERSION,
    ...(options.apiVersions ?? []).flatMap((v) => ['--api-versions', v])];
}

/** Renders with no cluster; networkPolicy.apiServer.cidrs is TEST_API_SERVER_CIDRS unless `values` set it. */
export function templateChart(helm: string, values: Record<string, unknown> = {}, options: RenderOptions = {}): HelmRun {
  return runHelm(helm, [...templateArgs(options), ...valuesArgs(withApiServer(values))]);
}

/** Renders with `--dry-run=server` against the cluster of `kubeconfig`, so the chart's lookups see it; `values` as given. */
export function templateChartAgainst(helm: string, kubeconfig: string, values: Record<string, unknown> = {}, options: RenderOptions = {}): Promise<HelmRun> {
  return runHelmAgainst(helm, [...templateArgs(options), '--dry-run=server', ...valuesArgs(values)], kubeconfig);
}

/** Parses rendered manifests; throws with helm's message when rendering failed. */
export function parseRendered(r: HelmRun): KubeObject[] {
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => {
    if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0]!.message}`);
    return d.toJS() as KubeObject | null;
  }).filter((o): o is KubeObject => o !== null);
}

/** Renders and parses; throws with helm's message when rendering fails. */
export function renderChart(helm: string, values: Record<string, unknown> = {}, options: RenderOptions = {}): KubeObject[] {
  return parseRendered(templateChart(helm, values, options));
}

export function byKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}
