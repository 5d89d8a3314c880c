import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { INGRESS_NGINX_CONTROLLER, ingressClassesByController, nginxControllers } from '../../src/analysis/tls/index.ts';
import { refString } from '../../src/analysis/workloads.ts';

export const retiredIngressController: Check = {
  id: 'tls.retired-ingress-controller',
  area: 'tls',
  title: 'The ingress controller is a supported project',
  protectsAgainst: 'running an edge proxy whose project is retired (ingress-nginx: no security fixes after March 2026)',
  severity: 'low',
  controls: ['NSA-CISA:UP', 'NIST-800-53:SA-22', 'NIST-800-207:T5'],
  remediation: 'Plan a migration off ingress-nginx (retired March 2026, no further security fixes), e.g. to a Gateway API implementation or another maintained Ingress controller.',
  needs: ['deployments', 'daemonsets', 'ingressclasses'],
  reads: ['statefulsets'],
  evaluate(ctx) {
    const out: Verdict[] = [];
    const message = 'ingress-nginx was retired in March 2026 (best-effort maintenance ended; no further security fixes): an internet-facing TLS terminator without upstream fixes.';
    for (const c of nginxControllers(ctx.snapshot)) {
      out.push({ status: 'fail', resource: c.ref, message: `${refString(c.ref)} runs ingress-nginx (${c.image ?? 'image unknown'}). ${message}`, evidence: { image: c.image, controllerClass: c.controllerClass } });
    }
    const seenControllers = new Set(nginxControllers(ctx.snapshot).map((c) => c.controllerClass));
    for (const ic of ingressClassesByController(ctx.snapshot)) {
      const resource = { kind: 'IngressClass', name: ic.name };
      if (ic.controller === INGRESS_NGINX_CONTROLLER) {
        // The controller workload may live outside the snapshot (another cluster scope, a manifests subset).
        if (!seenControllers.has(INGRESS_NGINX_CONTROLLER)) out.push({ status: 'fail', resource, message: `IngressClass ${ic.name} routes to ingress-nginx. ${message}`, evidence: { controller: ic.controller } });
      } else {
        out.push({ status: 'pass', resource, message: `IngressClass ${ic.name} uses controller ${ic.controller ?? '(unset)'}.`, evidence: { controller: ic.controller } });
      }
    }
    return out;
  },
};
