// config.linkerd.io/control-port and admin-port as the Linkerd proxy injector reads them.
//
// Upstream: linkerd2 pkg/inject/inject.go applyAnnotationOverrides (stable-2.14.10 and main) reads
// both with strconv.ParseInt(override, 10, 32) and keeps proxy.ports.control 4190 / admin 4191
// (charts/linkerd-control-plane/values.yaml) when it returns an error. Go's ParseInt trims no
// spaces (" 5000" is an error), accepts one leading sign ("+5000" is 5000) and leading zeros, and
// fails past the int32 range. A skipped port equal to the proxy's own control/admin port exposes
// no application (charts/partials/templates/_proxy-init.tpl ignores them anyway).
import { describe, expect, it } from 'vitest';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { goParseInt } from '../../../src/base/go-int.ts';
import { ctxOf, run } from './helpers.ts';

// The reviewer's repros lk-ctlspace / lk-ctlplus: skip 5000 on a container declaring 5000.
const yaml = (controlPort: string, key = 'config.linkerd.io/control-port') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata:
      labels: {app: app}
      annotations: {config.linkerd.io/skip-inbound-ports: "5000", ${key}: ${JSON.stringify(controlPort)}}
    spec:
      containers: [{name: app, image: example/app:1, ports: [{containerPort: 5000}]}]
`;
const skip = (y: string) => run(linkerdSkipPorts, ctxOf(y)).find((v) => v.resource.name === 'app')!;
const authz = (y: string) => run(authzMissing, ctxOf(y)).find((v) => v.resource.kind === 'Deployment')!;

describe('Linkerd control-port / admin-port parsed as Go strconv.ParseInt(v, 10, 32)', () => {
  it('a control-port the injector rejects (" 5000", "5000 ", "5_000", "0x1388") keeps 4190: skipped 5000 fails', () => {
    for (const value of [' 5000', '5000 ', '5_000', '0x1388', '']) {
      const v = skip(yaml(value));
      expect(v.status, JSON.stringify(value)).toBe('fail');
      expect(v.message).toContain('inbound 5000 bypass the linkerd-proxy');
      const a = authz(yaml(value));
      expect(a.message, JSON.stringify(value)).toContain('port 5000 skips its linkerd-proxy');
    }
  });

  it('an admin-port the injector rejects keeps 4191 the same way', () => {
    expect(skip(yaml(' 5000', 'config.linkerd.io/admin-port')).status).toBe('fail');
  });

  it('a control-port or admin-port ParseInt accepts ("+5000", "05000", "5000") moves the proxy there: 5000 is its own port, no finding', () => {
    for (const value of ['+5000', '05000', '5000']) {
      expect(skip(yaml(value)).status, value).toBe('pass');
      expect(skip(yaml(value, 'config.linkerd.io/admin-port')).status, value).toBe('pass');
    }
  });

  it('a value outside 1-65535 (ParseInt accepts it within int32) frees no application port', () => {
    for (const value of ['-5000', '70000', '0', '2147483648']) expect(skip(yaml(value)).status, value).toBe('fail');
  });

  it('goParseInt follows Go: sign, int32 bounds, no spaces, no underscores', () => {
    expect(goParseInt('+5000', 32)).toBe(5000);
    expect(goParseInt('-2147483648', 32)).toBe(-2147483648);
    expect(goParseInt('2147483647', 32)).toBe(2147483647);
    expect(goParseInt('2147483648', 32)).toBeUndefined();
    expect(goParseInt('2147483648', 64)).toBe(2147483648);
    for (const bad of [' 1', '1 ', '+', '', '1_0', '٣', '+-1']) expect(goParseInt(bad, 32), bad).toBeUndefined();
  });
});
