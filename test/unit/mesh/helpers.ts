import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

export function objects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter((o) => o && typeof o === 'object');
}

export function ctxOf(yamlText: string, configure?: (c: Config) => void, extra: KubeObject[] = []): AuditContext {
  const config = defaultConfig();
  configure?.(config);
  return { snapshot: snapshotFromObjects([...objects(yamlText), ...extra]), config, now: new Date('2026-06-01T00:00:00Z') };
}

/** Runs a check the way the engine does (coverage gate and appliesTo aside). */
export function run(check: Check, ctx: AuditContext): Verdict[] {
  return check.evaluate(ctx);
}

export const fails = (vs: Verdict[]) => vs.filter((v) => v.status === 'fail');

export function deployment(ns: string, name: string, opts: { labels?: Record<string, string>; annotations?: Record<string, string>; hostNetwork?: boolean; ports?: number[] } = {}): KubeObject {
  const labels = { app: name, ...(opts.labels ?? {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels, annotations: opts.annotations ?? {} },
        spec: {
          hostNetwork: opts.hostNetwork,
          containers: [{ name: 'app', image: 'example/app:1', ports: (opts.ports ?? [8080]).map((p) => ({ containerPort: p })) }],
        },
      },
    },
  };
}

/** A Namespace as YAML (a document ending in `---`), Istio-injected unless other labels are given. */
export const namespaceYaml = (name: string, labels = 'istio-injection: enabled') => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${labels}}}
---`;

/** A Deployment as YAML: pods labelled app=<name> (and `podLabels`), listening on `ports`, under `serviceAccount` when given. */
export function deploymentYaml(namespace: string, name: string, o: { serviceAccount?: string; podLabels?: string; ports?: number[] } = {}): string {
  const ports = (o.ports ?? [8000]).map((p) => `{containerPort: ${p}}`).join(', ');
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}${o.podLabels ? `, ${o.podLabels}` : ''}}}
    spec:
${o.serviceAccount !== undefined ? `      serviceAccountName: ${o.serviceAccount}\n` : ''}      containers: [{name: ${name}, image: example/${name}:1, ports: [${ports}]}]
---`;
}
