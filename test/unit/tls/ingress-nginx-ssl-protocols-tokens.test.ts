// ingress-nginx writes the ConfigMap's ssl-protocols into nginx.conf as it is, `ssl_protocols
// {{ $cfg.SSLProtocols }};` (kubernetes/ingress-nginx rootfs/etc/nginx/template/nginx.tmpl line 456
// at controller-v1.15.1; the ConfigMap is decoded with no check of the value,
// internal/ingress/controller/template/configmap.go ReadConfig). nginx takes the directive's
// space-separated arguments and knows only SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2 and TLSv1.3,
// compared case-insensitively (nginx/nginx src/http/modules/ngx_http_ssl_module.c
// ngx_http_ssl_protocols and src/core/ngx_conf_file.c ngx_conf_set_bitmask_slot at release-1.27.5:
// any other value is `invalid value "%s"`, NGX_CONF_ERROR). The controller tests each new
// configuration with `nginx -t` before it reloads (internal/ingress/controller/nginx.go OnUpdate and
// testTemplate at controller-v1.15.1): a failing one is never loaded ("Error reloading NGINX"), so
// nginx keeps serving the configuration it last loaded, whose protocols the input does not show.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';

/** A CBC-SHA suite TLS 1.0 and 1.1 can negotiate, so an enabled old version completes handshakes. */
const CBC = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA';

function verdict(protocols: string, ciphers: string | undefined = CBC): Verdict {
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
data: ${JSON.stringify({ 'ssl-protocols': protocols, ...(ciphers !== undefined ? { 'ssl-ciphers': ciphers } : {}) })}
`;
  const ctx: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  const out = [...legacyProtocolEnabled.evaluate(ctx)].filter((v) => v.resource.kind === 'ConfigMap');
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe('ingress-nginx ssl-protocols: one old protocol nginx knows', () => {
  for (const [value, legacy] of [['TLSv1', 'TLSv1'], ['TLSv1.1', 'TLSv1.1'], ['SSLv3', 'SSLv3'], ['tlsv1.1', 'tlsv1.1'], ['  TLSv1.1\n', 'TLSv1.1']] as const) {
    it(`${JSON.stringify(value)} is flagged (high): nginx enables it, and the CBC suite works below TLS 1.2`, () => {
      const v = verdict(value);
      expect([v.status, v.severity ?? 'high']).toEqual(['fail', 'high']);
      expect(v.evidence?.legacy).toEqual([legacy]);
    });
  }
});

describe('ingress-nginx ssl-protocols with a value nginx does not know: nginx refuses the configuration, so what is served cannot be confirmed', () => {
  for (const [value, bad] of [['TLSv1.0', 'TLSv1.0'], ['TLSv1 TLSv1.0 TLSv1.2', 'TLSv1.0'], ['TLSv1.2,TLSv1.3', 'TLSv1.2,TLSv1.3'], ['TLS1.2', 'TLS1.2']] as const) {
    it(`${JSON.stringify(value)}: medium "cannot be confirmed", naming ${JSON.stringify(bad)} (was ${value.includes('TLSv1.0') ? 'a high finding for TLS 1.0' : 'a pass'})`, () => {
      const v = verdict(value);
      expect([v.status, v.severity]).toEqual(['fail', 'medium']);
      expect(v.message).toContain('cannot be confirmed');
      expect(v.message).toContain(`nginx knows no protocol ${JSON.stringify(bad)}`);
      expect(v.evidence?.unknownProtocols).toEqual([bad]);
    });
  }

  it('set but empty: nginx wants at least one argument, so the same', () => {
    const v = verdict('');
    expect([v.status, v.severity]).toEqual(['fail', 'medium']);
    expect(v.message).toContain('cannot be confirmed');
  });

  it('names nginx knows, quoted as nginx reads a quoted argument, keep their verdicts', () => {
    expect(verdict('TLSv1.2 TLSv1.3').status).toBe('pass');
    expect(verdict('"TLSv1.2" TLSv1.3').status).toBe('pass');
    expect(verdict("'TLSv1.1' TLSv1.2").status).toBe('fail');
    expect(verdict("'TLSv1.1' TLSv1.2").severity ?? 'high').toBe('high');
  });
});
