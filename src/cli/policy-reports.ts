// --policy-reports: writes wgpolicyk8s.io/v1alpha2 PolicyReport / ClusterPolicyReport
// objects for policy-reporter users. Needs write access to those kinds only; a failure is a
// warning, never a lost run (the run is already stored and rendered).
import { loadKubeconfig } from '../collect/kubeconfig.ts';
import { errorMessage } from '../base/errors.ts';
import { writePolicyReports } from '../report/policy-reports.ts';
import type { RunReport } from '../run/types.ts';
import type { CliIO } from './io.ts';
import type { Logger } from '../base/log.ts';

export async function publishPolicyReports(report: RunReport, flags: { kubeconfig?: string; context?: string }, io: CliIO, log: Logger): Promise<void> {
  try {
    const { kc } = loadKubeconfig({ kubeconfigPath: flags.kubeconfig, context: flags.context, env: io.env });
    const outcome = await writePolicyReports(report, kc);
    log.info(`policy reports: ${outcome.applied.length} written, ${outcome.deleted.length} removed`);
    for (const e of outcome.errors) log.warn(`policy reports: ${e}`);
  } catch (error: unknown) {
    log.warn(`policy reports not written: ${errorMessage(error)}`);
  }
}
