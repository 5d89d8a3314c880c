import type { Check } from '../../src/engine/types.ts';
import { buildRbacModel, bindingRef, formatSubject } from '../../src/analysis/rbac/model.ts';
import { RBAC_NEEDS } from './common.ts';
import { LEAST_PRIVILEGE } from '../controls.ts';

export const danglingBinding: Check = {
  id: 'rbac.dangling-binding',
  area: 'rbac',
  title: 'Binding refers to a missing role or to no valid subject',
  protectsAgainst: 'bindings whose role does not exist (or cannot be referenced): they grant nothing today and take effect silently when someone creates that role',
  severity: 'low',
  controls: [...LEAST_PRIVILEGE, 'NIST-800-53:AC-2'],
  remediation: 'Delete the binding, or create the role it was meant for on purpose; a binding waiting for a role is a grant anyone who can create roles can activate.',
  needs: RBAC_NEEDS,
  *evaluate(ctx) {
    for (const b of buildRbacModel(ctx.snapshot).bindings) {
      if (b.origin !== 'input') continue;
      const resource = bindingRef(b);
      const label = `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name}`;
      const problems: string[] = [];
      if (b.roleProblem) problems.push(b.roleProblem);
      for (const s of b.invalidSubjects) problems.push(s.reason);
      if (problems.length === 0) {
        yield { status: 'pass', resource, message: `${label} refers to ${b.roleRef.kind} ${b.roleRef.name}, which exists` };
        continue;
      }
      yield {
        status: 'fail', resource,
        message: `${label}: ${problems.join('; ')}`,
        evidence: { roleRef: b.roleRef, problems, subjects: b.subjects.map(formatSubject) },
      };
    }
  },
};
