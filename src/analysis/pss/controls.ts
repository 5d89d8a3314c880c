// Maps failing Pod Security checks to CIS Kubernetes Benchmark v1.10 section-5 ids, so a
// finding names the benchmark items a reviewer will look up (ids as aquasecurity/kube-bench
// mirrors them in cfg/cis-1.10).

import type { PssFailure } from './evaluate.ts';

const CIS = 'CIS-1.10:';

/** CIS v1.10 ids for one failing check, refined by what its detail names. */
function cisIdsFor(f: Pick<PssFailure, 'id' | 'forbiddenDetail' | 'keepsNetRaw'>): string[] {
  const detail = f.forbiddenDetail ?? '';
  switch (f.id) {
    case 'privileged':
      return ['5.2.2'];
    case 'hostNamespaces': {
      const ids: string[] = [];
      if (detail.includes('hostPID')) ids.push('5.2.3');
      if (detail.includes('hostIPC')) ids.push('5.2.4');
      if (detail.includes('hostNetwork')) ids.push('5.2.5');
      return ids.length > 0 ? ids : ['5.2.3', '5.2.4', '5.2.5'];
    }
    case 'allowPrivilegeEscalation':
      return ['5.2.6'];
    case 'runAsNonRoot':
    case 'runAsUser':
      return ['5.2.7'];
    case 'capabilities_baseline':
      return detail.includes('NET_RAW') ? ['5.2.8', '5.2.9'] : ['5.2.9'];
    case 'capabilities_restricted': {
      const ids: string[] = [];
      // A container that drops neither ALL nor NET_RAW keeps it: containerd's and CRI-O's
      // default capability sets include CAP_NET_RAW.
      if (f.keepsNetRaw === true || detail.includes('NET_RAW')) ids.push('5.2.8');
      if (detail.includes('capabilities.add')) ids.push('5.2.9');
      if (detail.includes('capabilities.drop')) ids.push('5.2.10');
      return ids.length > 0 ? ids : ['5.2.10'];
    }
    case 'windowsHostProcess':
      return ['5.2.11'];
    case 'hostPathVolumes':
      return ['5.2.12'];
    case 'restrictedVolumes':
      return detail.includes('"hostPath"') ? ['5.2.12', '5.7.3'] : ['5.7.3'];
    case 'hostPorts':
      return ['5.2.13'];
    case 'seccompProfile_baseline':
    case 'seccompProfile_restricted':
      return ['5.7.2'];
    default: // appArmorProfile, seLinuxOptions, procMount*, sysctls, hostProbesAndHostLifecycle
      return ['5.7.3'];
  }
}

// One collator for every call: `localeCompare(b, 'en', { numeric: true })` builds one per
// comparison, which at 150k pods was a tenth of the whole run's CPU. Same order.
const numericOrder = new Intl.Collator('en', { numeric: true }).compare;

/** The CIS control ids ('CIS-1.10:5.2.2', ...) that a set of failing checks maps to, sorted. */
export function cisControlsFor(failures: ReadonlyArray<Pick<PssFailure, 'id' | 'forbiddenDetail' | 'keepsNetRaw'>>): string[] {
  const ids = new Set<string>();
  for (const f of failures) for (const id of cisIdsFor(f)) ids.add(id);
  return [...ids].sort(numericOrder).map((id) => CIS + id);
}

/** Every CIS id a pod-level Pod Security finding can carry (for the checks' static control list). */
export const POD_CIS_CONTROLS: readonly string[] = [
  '5.2.2', '5.2.3', '5.2.4', '5.2.5', '5.2.6', '5.2.7', '5.2.8', '5.2.9', '5.2.10', '5.2.11', '5.2.12', '5.2.13', '5.7.2', '5.7.3',
].map((id) => CIS + id);
