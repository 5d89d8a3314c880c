// An ingress-nginx ConfigMap whose ssl-protocols nginx refuses takes every other key of it out of
// effect. The controller renders the whole nginx.conf from the ConfigMap and tests it with
// `nginx -t` before it writes or reloads anything: kubernetes/ingress-nginx
// internal/ingress/controller/nginx.go OnUpdate returns testTemplate's error before
// os.WriteFile(cfgPath, ...) and `nginx -s reload`, and controller.go syncIngress then records the
// "Error reloading NGINX" event and returns before configureDynamically (both at
// controller-v1.15.1). nginx keeps the configuration it last loaded; a controller started with the
// bad value runs nginx on the bootstrap rootfs/etc/nginx/nginx.conf ("A very simple nginx
// configuration file that forces nginx to start": `http {}`, no server). HSTS goes with it:
// createLuaConfig rewrites /etc/nginx/lua/cfg.json before the test, but lua_ingress takes its hsts
// settings from that file only in init_by_lua (rootfs/etc/nginx/lua/ngx_conf_init.lua,
// lua_ingress.set_config), run when nginx loads a configuration. Which ssl-protocols values nginx
// refuses: test/unit/tls/ingress-nginx-ssl-protocols-tokens.test.ts. So tls.weak-ciphers and
// tls.hsts-disabled judge such a ConfigMap as tls.legacy-protocol-enabled does: a medium
// "cannot be confirmed", never a pass and never a finding resting on keys that are not in effect.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Check } from '../../../src/engine/types.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';
import { hstsDisabled } from '../../../checks/tls/hsts-disabled.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';

function configMapVerdict(check: Check, data: Record<string, string>): Verdict {
  const yaml = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: ingress-nginx}}
  template:
    metadata: {labels: {app: ingress-nginx}}
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: [/nginx-ingress-controller, --configmap=ingress-nginx/ingress-nginx-controller]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: ${JSON.stringify(data)}
`;
  const ctx: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  const out = [...check.evaluate(ctx)].filter((v) => v.resource.kind === 'ConfigMap');
  expect(out).toHaveLength(1);
  return out[0]!;
}

const REFUSED = 'TLSv1.2,TLSv1.3'; // one argument nginx does not know: commas are not separators
const severity = (v: Verdict) => [v.status, v.status === 'fail' ? v.severity : undefined];

describe('tls.weak-ciphers on a ConfigMap whose ssl-protocols nginx refuses', () => {
  it('strong ssl-ciphers: medium "cannot be confirmed", not a pass (nginx serves the last loaded configuration)', () => {
    const v = configMapVerdict(weakCiphers, { 'ssl-protocols': REFUSED, 'ssl-ciphers': 'ECDHE-RSA-AES128-GCM-SHA256' });
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain('cannot be confirmed');
    expect(v.message).toContain('nginx knows no protocol "TLSv1.2,TLSv1.3"');
    expect(v.message).toContain('nginx keeps serving the configuration it last loaded');
    expect(v.evidence?.unconfirmed).toContain('nginx knows no protocol');
  });

  it('ssl-ciphers unset: not a pass on the ingress-nginx default either', () => {
    const v = configMapVerdict(weakCiphers, { 'ssl-protocols': REFUSED });
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain('cannot be confirmed');
  });

  it('weak ssl-ciphers: the finding says the suites cannot be confirmed, not that they are served', () => {
    const v = configMapVerdict(weakCiphers, { 'ssl-protocols': REFUSED, 'ssl-ciphers': 'AES128-SHA:DES-CBC3-SHA' });
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain('cannot be confirmed');
    expect(v.message).not.toContain('enables weak suites for every server');
    expect(v.evidence?.weakSuites).toBeUndefined();
  });

  it('an ssl-protocols nginx takes keeps the verdicts on the ciphers', () => {
    expect(configMapVerdict(weakCiphers, { 'ssl-protocols': 'TLSv1.2 TLSv1.3', 'ssl-ciphers': 'ECDHE-RSA-AES128-GCM-SHA256' }).status).toBe('pass');
    const weak = configMapVerdict(weakCiphers, { 'ssl-protocols': 'TLSv1.2 TLSv1.3', 'ssl-ciphers': 'AES128-SHA' });
    expect(weak.status).toBe('fail');
    expect(weak.message).toContain('enables weak suites for every server');
  });
});

describe('tls.hsts-disabled on a ConfigMap whose ssl-protocols nginx refuses', () => {
  it('hsts left on (the default): medium "cannot be confirmed", not a pass', () => {
    const v = configMapVerdict(hstsDisabled, { 'ssl-protocols': REFUSED });
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain('cannot be confirmed');
    expect(v.message).toContain('nginx keeps serving the configuration it last loaded');
  });

  it('hsts "false" and a short max-age: not findings on keys that are not in effect, a "cannot be confirmed" instead', () => {
    for (const data of [{ hsts: 'false' }, { 'hsts-max-age': '60' }] as Array<Record<string, string>>) {
      const v = configMapVerdict(hstsDisabled, { 'ssl-protocols': '', ...data });
      expect(severity(v)).toEqual(['fail', 'medium']);
      expect(v.message).toContain('cannot be confirmed');
      expect(v.message).toContain("nginx's ssl_protocols needs at least one protocol");
    }
  });

  it('an ssl-protocols nginx takes keeps the verdicts on hsts', () => {
    expect(configMapVerdict(hstsDisabled, { 'ssl-protocols': 'TLSv1.2 TLSv1.3' }).status).toBe('pass');
    const off = configMapVerdict(hstsDisabled, { 'ssl-protocols': 'TLSv1.2 TLSv1.3', hsts: 'false' });
    expect(off.status).toBe('fail');
    expect(off.message).toContain('answers without Strict-Transport-Security');
  });
});

describe('the three checks agree on a refused ConfigMap', () => {
  it('tls.legacy-protocol-enabled, tls.weak-ciphers and tls.hsts-disabled each say it cannot be confirmed, for the same reason', () => {
    const data = { 'ssl-protocols': 'TLSv1.0 TLSv1.2' };
    const reasons = [legacyProtocolEnabled, weakCiphers, hstsDisabled].map((c) => configMapVerdict(c, data)).map((v) => [v.status, v.severity, v.evidence?.unconfirmed]);
    expect(new Set(reasons.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(reasons[0]).toEqual(['fail', 'medium', expect.stringContaining('nginx knows no protocol "TLSv1.0"')]);
  });
});
