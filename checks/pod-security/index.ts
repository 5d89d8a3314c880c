// The pod-security area's checks, in report order. Each check is one module named by its id.
import type { Check } from '../../src/engine/types.ts';
import { enforceMissing } from './enforce-missing.ts';
import { enforceBelowTarget } from './enforce-below-target.ts';
import { podViolatesEnforcedLevel } from './pod-violates-enforced-level.ts';
import { podViolatesTarget } from './pod-violates-target.ts';
import { enforceWeakerThanWarnAudit } from './enforce-weaker-than-warn-audit.ts';
import { versionPinnedOld } from './version-pinned-old.ts';
import { invalidLabel } from './invalid-label.ts';
import { writableRootFilesystem } from './writable-root-filesystem.ts';
import { resourceLimitsMissing } from './resource-limits-missing.ts';

export const podSecurityChecks: Check[] = [
  enforceMissing,
  enforceBelowTarget,
  podViolatesEnforcedLevel,
  podViolatesTarget,
  enforceWeakerThanWarnAudit,
  versionPinnedOld,
  invalidLabel,
  writableRootFilesystem,
  resourceLimitsMissing,
];
