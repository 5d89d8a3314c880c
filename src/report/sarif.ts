// SARIF 2.1.0 for code-scanning dashboards: rules are the checks of the catalog, results are
// the findings (waived ones carry an accepted external suppression). Kubernetes objects have
// no file location, so each result names its resource as a logical location.
import type { Severity } from '../base/vocabulary.ts';
import type { RunReport } from '../run/types.ts';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
/** GitHub code scanning reads this CVSS-like number to rank security results. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '7.5', medium: '5.0', low: '2.0' };

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<Record<string, unknown>>;
}

export function renderSarif(report: RunReport): SarifLog {
  const ruleIndex = new Map<string, number>();
  const rules: Array<Record<string, unknown>> = [];
  const remediationOf = new Map<string, string>();
  const controlsOf = new Map<string, string[]>();
  const protectsOf = new Map<string, string>();
  for (const c of report.checks) {
    if (c.remediation) remediationOf.set(c.id, c.remediation);
    controlsOf.set(c.id, c.controls);
    if (c.protectsAgainst) protectsOf.set(c.id, c.protectsAgainst);
  }
  const addRule = (id: string, title: string, severity: Severity) => {
    ruleIndex.set(id, rules.length);
    const remediation = remediationOf.get(id);
    rules.push({
      id,
      name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : '')),
      shortDescription: { text: title },
      ...(protectsOf.has(id) ? { fullDescription: { text: `Protects against: ${protectsOf.get(id)}` } } : {}),
      ...(remediation ? { help: { text: remediation } } : {}),
      defaultConfiguration: { level: LEVEL[severity] },
      properties: { tags: ['security', 'kubernetes', ...(controlsOf.get(id) ?? [])], 'security-severity': SECURITY_SEVERITY[severity] },
    });
  };
  for (const c of report.checks) addRule(c.id, c.title, c.severity);
  for (const f of report.findings) if (!ruleIndex.has(f.check)) addRule(f.check, f.check, f.severity);

  const results = report.findings.map((f) => {
    const fq = [f.resource.namespace, f.resource.kind, f.resource.name].filter((x) => x !== undefined && x !== '').join('/');
    return {
      ruleId: f.check,
      ruleIndex: ruleIndex.get(f.check)!,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ logicalLocations: [{ name: f.resource.name, fullyQualifiedName: fq, kind: 'resource' }] }],
      partialFingerprints: { 'ztaudit/v1': f.fingerprint },
      properties: { severity: f.severity, area: f.area, resource: f.resource, ...(f.evidence ? { evidence: f.evidence } : {}) },
      ...(f.waived && f.waiver
        ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${f.waiver.reason} (owner ${f.waiver.owner}, expires ${f.waiver.expires})` }] }
        : {}),
    };
  });

  const notEvaluated = report.checks.filter((c) => c.status === 'not-evaluated' || c.status === 'error');
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'ztaudit', version: report.run.toolVersion, semanticVersion: report.run.toolVersion, rules } },
      automationDetails: { id: `ztaudit/${report.run.cluster.name}/${report.run.id}` },
      invocations: [{
        executionSuccessful: true,
        startTimeUtc: report.run.startedAt,
        endTimeUtc: report.run.finishedAt,
        toolExecutionNotifications: notEvaluated.map((c) => ({
          level: c.status === 'error' ? 'error' : 'warning',
          message: { text: `${c.id} ${c.status}: ${c.reason ?? ''}` },
          descriptor: { id: c.id, index: ruleIndex.get(c.id) },
        })),
      }],
      properties: { cluster: report.run.cluster, score: report.score, checkCatalogVersion: report.run.checkCatalogVersion },
      results,
    }],
  };
}
