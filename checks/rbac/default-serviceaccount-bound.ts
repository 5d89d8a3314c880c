import type { Check } from '../../src/engine/types.ts';
import { isBuiltinGrant, isIgnoredSubject } from '../../src/analysis/rbac/audit.ts';
import { bindingsNaming, buildRbacModel, bindingRef } from '../../src/analysis/rbac/model.ts';
import type { Subject } from '../../src/analysis/rbac/types.ts';
import { RBAC_NEEDS } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

export const defaultServiceAccountBound: Check = {
  id: 'rbac.default-serviceaccount-bound',
  area: 'rbac',
  title: 'Default service account has role bindings',
  protectsAgainst: 'permissions on a namespace\'s `default` service account, which every pod without serviceAccountName runs as',
  severity: 'medium',
  controls: [cis('5.1.5'), 'NSA-CISA:PS/service-account-tokens', ...LEAST_PRIVILEGE],
  remediation: 'Create a dedicated ServiceAccount for the workload that needs the permissions, bind the role to it, and remove the default service account from the binding.',
  needs: [...RBAC_NEEDS, 'namespaces'],
  *evaluate(ctx) {
    const model = buildRbacModel(ctx.snapshot);
    const ignore = ctx.config.rbac?.ignoreSubjects ?? [];
    // Every namespace has a default service account; bindings may also name one of a namespace
    // the snapshot does not list (a manifests dir), which is judged too.
    const namespaces = new Set(model.namespaces);
    for (const sub of model.subjects) if (sub.kind === 'ServiceAccount' && sub.name === 'default' && sub.namespace) namespaces.add(sub.namespace);
    for (const ns of [...namespaces].sort()) {
      const sa: Subject = { kind: 'ServiceAccount', namespace: ns, name: 'default' };
      if (isIgnoredSubject(sa, ignore)) continue;
      // A binding counts even when its role is missing: it takes effect once the role exists.
      const bindings = bindingsNaming(model, sa).filter((b) => !isBuiltinGrant(b, sa));
      const resource = { kind: 'ServiceAccount', namespace: ns, name: 'default' };
      if (bindings.length === 0) {
        yield { status: 'pass', resource, message: `ServiceAccount ${ns}/default is not named by any binding` };
        continue;
      }
      yield {
        status: 'fail', resource,
        message: `ServiceAccount ${ns}/default is bound by ${bindings.map((b) => `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name} → ${b.roleRef.kind} ${b.roleRef.name}`).join('; ')}`,
        evidence: { bindings: bindings.map((b) => ({ ...bindingRef(b), roleRef: b.roleRef, resolved: !!b.role })) },
      };
    }
  },
};
