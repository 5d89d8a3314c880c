// The layering of ztaudit, as data: the parts, what each holds, and the parts each may import.
// dependency-cruiser enforces it in `npm test` (scripts/run-tests.mjs); docs/architecture.md
// is generated from the same table (`npm run docs`), and a unit test fails when it is stale.
// A new import that crosses a line the table does not allow fails with the rule's name, e.g.
// "error analysis-must-not-import-engine: src/analysis/x.ts → src/engine/types.ts".

/** Bottom first: a part may import only parts listed in its `may` (and itself). */
export const PARTS = [
  { name: 'base', path: 'src/base', holds: 'the shared vocabulary (areas, severities, resource references, verdicts), errors, the Logger type, the version, small helpers', may: [] },
  { name: 'snapshot', path: 'src/snapshot', holds: 'the kinds ztaudit reads, the Snapshot type, snapshot files', may: ['base'] },
  { name: 'run', path: 'src/run', holds: 'run-result types: RunReport, Finding, RunDiff, TrendPoint; the waiver rules every reader of a run applies', may: ['base', 'snapshot'] },
  { name: 'config', path: 'src/config', holds: 'ztaudit.yaml: types, schema, validation; the environment', may: ['base'] },
  { name: 'kube', path: 'src/kube', holds: 'kubeconfig, the one Kubernetes HTTP client, its retry policy, API discovery', may: ['base', 'snapshot'] },
  { name: 'analysis', path: 'src/analysis', holds: 'models over a snapshot (network, TLS, RBAC, pod security, mesh) answering typed questions', may: ['base', 'snapshot', 'config', 'run'] },
  { name: 'engine', path: 'src/engine', holds: 'the Check contract, running checks behind the coverage gate (waiving their findings), scores', may: ['base', 'snapshot', 'config', 'run', 'analysis'] },
  { name: 'checks', path: 'checks', holds: 'the check catalog: one module per check, framework control sets', may: ['base', 'snapshot', 'config', 'analysis', 'engine'] },
  { name: 'collect', path: 'src/collect', holds: 'snapshots from a live cluster, manifests or objects; TLS probes', may: ['base', 'snapshot', 'config', 'kube'] },
  { name: 'diff', path: 'src/diff', holds: 'a run against the last runs that evaluated each check', may: ['base', 'config', 'run', 'engine'] },
  { name: 'history', path: 'src/history', holds: 'run stores: SQLite, ConfigMaps, PostgreSQL, none', may: ['base', 'config', 'run', 'kube'] },
  { name: 'report', path: 'src/report', holds: 'renderers: JSON, HTML, JUnit, Markdown, SARIF, CSV, PDF', may: ['base', 'run', 'engine'] },
  { name: 'fleet', path: 'src/fleet', holds: 'the fleet report over every cluster in a store: its data (from any store), view-model and formats', may: ['base', 'run', 'engine', 'history', 'report'] },
  { name: 'notify', path: 'src/notify', holds: 'notifiers (Slack, email; the fleet digest) and publishers (PolicyReports)', may: ['base', 'run', 'engine', 'report', 'kube', 'fleet'] },
  { name: 'pipeline', path: 'src/pipeline', holds: 'one run end to end over the edges it is handed', may: ['base', 'snapshot', 'config', 'run', 'analysis', 'engine', 'diff'] },
  { name: 'schedule', path: 'src/schedule', holds: 'the long-running daemon: schedule, HTTP server, metrics', may: ['base', 'run'] },
  { name: 'cli', path: 'src/cli', holds: 'commands: argument parsing, wiring the edges, formatting answers, exit codes', may: ['base', 'snapshot', 'run', 'config', 'kube', 'analysis', 'engine', 'checks', 'collect', 'diff', 'history', 'report', 'fleet', 'notify', 'pipeline', 'schedule'] },
  { name: 'bin', path: 'bin', holds: 'the executable', may: ['cli'] },
];

/** Rules beyond the arrows. */
export const OTHER_RULES = [
  { name: 'no-cycles', comment: 'No module imports itself through others (type-only imports included).', from: {}, to: { circular: true } },
  {
    name: 'client-node-only-in-kube',
    comment: 'Only src/kube/ talks to @kubernetes/client-node: one client for the collector, the history store and the publishers.',
    from: { pathNot: '^src/kube/' },
    to: { path: 'node_modules/@kubernetes/client-node/' },
  },
  {
    name: 'pure-core-does-no-io',
    comment: 'Analysis, checks, engine, diff and the run types take data and return data: no files, sockets, processes or network clients.',
    from: { path: '^(src/(analysis|engine|diff|run)/|checks/)' },
    to: { path: '^(node:)?(fs|fs/promises|http|https|http2|tls|dgram|child_process|worker_threads|sqlite)$|node_modules/(@kubernetes/client-node|nodemailer|@slack/web-api|playwright-core)/' },
  },
  { name: 'src-never-imports-tests', comment: 'Shipped code never imports test code.', from: { path: '^(src|checks|bin)/' }, to: { path: '^(test|bench|scripts)/' } },
  { name: 'no-unresolvable', comment: 'Every relative import resolves to a file.', from: {}, to: { couldNotResolve: true } },
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const under = (part) => `^${escape(part.path)}/`;
const byName = new Map(PARTS.map((p) => [p.name, p]));

/** One rule per forbidden arrow, so a violation names exactly which line it crossed. */
export function layerRules() {
  const rules = [];
  for (const from of PARTS) {
    const allowed = new Set([from.name, ...from.may]);
    for (const to of PARTS) {
      if (allowed.has(to.name)) continue;
      rules.push({
        name: `${from.name}-must-not-import-${to.name}`,
        comment: `${from.name} may import only ${from.may.length ? from.may.join(', ') : 'no other part'} (docs/architecture.md)`,
        severity: 'error',
        from: { path: under(from) },
        to: { path: under(to) },
      });
    }
  }
  return rules;
}

for (const p of PARTS) for (const m of p.may) if (!byName.has(m)) throw new Error(`.dependency-cruiser.mjs: ${p.name} may import unknown part ${m}`);

export default {
  forbidden: [...layerRules(), ...OTHER_RULES.map((r) => ({ severity: 'error', ...r }))],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^node_modules/' },
  },
};
