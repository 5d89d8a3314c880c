// Containers whose root filesystem is writable. Not part of the Pod Security Standards (no PSS
// level requires readOnlyRootFilesystem), so Pod Security Admission never enforces it; NSA/CISA's
// hardening guidance does, and kubeaudit, Polaris and kube-score flag it.
import type { Check } from '../../src/engine/types.ts';
import { hardeningVerdicts, systemExclusionText, type ContainerJudge, type JudgeScope } from './lib/hardening.ts';
import { IMMUTABLE_FILESYSTEM } from '../controls.ts';

export const writableRootJudge: ContainerJudge = (c, spec) => {
  // Windows containers cannot mount the root filesystem read-only; the field is refused there.
  if (spec?.os?.name === 'windows') return undefined;
  return c.securityContext?.readOnlyRootFilesystem === true ? undefined : { what: 'readOnlyRootFilesystem is not true' };
};

/** A debug container attached with `kubectl debug` runs with the pod's identity and may set readOnlyRootFilesystem. */
const SCOPE: JudgeScope = { ephemeral: true };

export const writableRootFilesystem: Check = {
  id: 'pod-security.writable-root-filesystem',
  area: 'pod-security',
  title: 'Containers run with a read-only root filesystem',
  protectsAgainst: 'containers whose root filesystem is writable, so an intruder can drop tools, alter binaries or persist in the image layer (outside the Pod Security Standards: no PSS level requires it and Pod Security Admission never enforces it; NSA/CISA hardening guidance does); system namespaces are excluded by default and counted in the coverage section',
  severity: 'low',
  controls: IMMUTABLE_FILESYSTEM,
  remediation: 'Set `securityContext.readOnlyRootFilesystem: true` on every container and mount an emptyDir (or a volume) at the paths the application writes to, such as /tmp or a cache directory. The severity is low by default; raise it with config `checks: {pod-security.writable-root-filesystem: {severity: medium}}`.',
  needs: ['pods'],
  evaluate: (ctx) => hardeningVerdicts(ctx, writableRootJudge, 'every container has a read-only root filesystem', writableRootFilesystem.severity, SCOPE),
  excluded: (ctx) => systemExclusionText(ctx, writableRootJudge, SCOPE),
};
