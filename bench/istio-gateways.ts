// Istio gateway linking benchmark (not a timed test): `node bench/istio-gateways.ts [--gateways 2000] [--workloads 20000]`.
// On the generated scene of ./istio-gateways-gen.ts, runs tls.legacy-protocol-enabled and
// tls.weak-ciphers and prints their CPU time (user + sys) and a digest of their results.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CHECK_BY_ID } from '../checks/index.ts';
import { snapshotFromObjects } from '../src/collect/from-objects.ts';
import { defaultConfig } from '../src/config/types.ts';
import { runChecks } from '../src/engine/run.ts';
import { istioGatewayScene } from './istio-gateways-gen.ts';

const { values } = parseArgs({ options: { gateways: { type: 'string', default: '2000' }, workloads: { type: 'string', default: '20000' } } });
const G = Number(values.gateways);
const W = Number(values.workloads);

const objects = istioGatewayScene(G, W);
const snapshot = snapshotFromObjects(objects, { origin: 'live', clusterVersion: 'v1.31.4' });
const checks = ['tls.legacy-protocol-enabled', 'tls.weak-ciphers'].map((id) => CHECK_BY_ID.get(id)!);
const before = process.cpuUsage();
const t = performance.now();
const outcomes = runChecks(checks, { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') });
const cpu = process.cpuUsage(before);
const wall = performance.now() - t;
const digest = createHash('sha256');
for (const o of outcomes) for (const r of o.results) digest.update(`${o.check.id}\0${r.status}\0${r.severity ?? ''}\0${r.resource.kind}/${r.resource.namespace ?? ''}/${r.resource.name}\0${r.message}\n`);
const counts = outcomes.map((o) => `${o.check.id}: ${o.status}, ${o.results.length} results (${o.results.filter((r) => r.status === 'fail').length} fail)`).join('; ');
console.log(`${G} Gateways x ${W} Deployments: checks CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (user ${(cpu.user / 1e6).toFixed(2)}, sys ${(cpu.system / 1e6).toFixed(2)}), wall ${(wall / 1000).toFixed(2)} s; ${counts}; results sha256 ${digest.digest('hex').slice(0, 16)}`);
