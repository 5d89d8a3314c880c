// The network area's checks, in report order. Each check is one module named by its id.
import type { Check } from '../../src/engine/types.ts';

export const networkChecks: Check[] = [];
