// Port numbers as Cilium reads them: iana.IsSvcName first (pkg/iana/svcname.go, so anything with a
// letter, "0x1F90" included, is a named port), then strconv.ParseUint(port, 0, 16) in both rule
// validation (pkg/policy/api/rule_validation.go PortProtocol.sanitize) and enforcement
// (pkg/policy/l4.go), cilium v1.20.2. Base 0 accepts Go's digit-separating underscores: "8_080" is
// port 8080. The CRD pattern (pkg/policy/api/l4.go PortProtocol.Port) anchors only its first
// alternative at the start, so any value starting with a digit passes it.
import { describe, expect, it } from 'vitest';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { CILIUM_AGENT, ctxOf, ns, pod, run, snap } from './helpers.ts';

const cluster = (port: string) => `${CILIUM_AGENT}${ns('shop')}${pod('shop', 'web', { app: 'web' })}${pod('shop', 'client', { app: 'client' })}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{}], toPorts: [{ports: [{port: "${port}", protocol: TCP}]}]}]
`;
const verdict = (yaml: string, port: string) => reachCommandCore(snap(yaml), { from: 'shop/client', to: 'shop/web', port }).output.split('\n')[0]!.split(':')[0];
const invalid = (yaml: string) => run(invalidPolicy, ctxOf(yaml)).filter((v) => v.status === 'fail').map((v) => v.message);

describe('Go base-0 port numbers', () => {
  it.each([['8_080', '8080'], ['0_17', '15'], ['0x_1F90', '8080']])('"%s" is valid and opens port %s only', (written, port) => {
    const yaml = cluster(written);
    expect(invalid(yaml)).toEqual([]);
    expect([verdict(yaml, port), verdict(yaml, '80')]).toEqual(['ALLOWED', 'DENIED']);
  });

  it.each(['8__080', '8080_', '_8080'])('"%s" breaks underscoreOK: invalid', (written) => {
    expect(invalid(cluster(written))).toEqual([`CiliumNetworkPolicy shop/p is invalid and takes no effect: spec.ingress[0].toPorts[0].ports[0].port: "${written}" is neither a port number nor a port name`]);
  });

  it('"0x1F90" is a port name (it has letters), not 8080', () => {
    expect(verdict(cluster('0x1F90'), '8080')).toBe('DENIED');
  });
});
