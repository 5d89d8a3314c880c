// The network area's checks, in report order. Each check is one module named by its id.
import type { Check } from '../../src/engine/types.ts';
import { namespaceDefaultDenyIngress } from './namespace-default-deny-ingress.ts';
import { namespaceDefaultDenyEgress } from './namespace-default-deny-egress.ts';
import { allowAllIngress } from './allow-all-ingress.ts';
import { unrestrictedEgress } from './unrestricted-egress.ts';
import { intentViolation } from './intent-violation.ts';
import { cniNotEnforcing } from './cni-not-enforcing.ts';
import { policySelectsNothing } from './policy-selects-nothing.ts';
import { invalidPolicy } from './invalid-policy.ts';
import { exposedWorkload } from './exposed-workload.ts';
import { flowVisibilityOff } from './flow-visibility-off.ts';
import { egressNotControlled } from './egress-not-controlled.ts';

export const networkChecks: Check[] = [
  namespaceDefaultDenyIngress,
  namespaceDefaultDenyEgress,
  allowAllIngress,
  unrestrictedEgress,
  intentViolation,
  cniNotEnforcing,
  policySelectsNothing,
  invalidPolicy,
  exposedWorkload,
  flowVisibilityOff,
  egressNotControlled,
];
