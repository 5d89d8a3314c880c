// Calico source ports: an EntityRule's `ports` / `notPorts` on the source side match the packet's
// source port ("ports: Positive match on the specified ports", "notPorts: Negative match on the
// specified ports", docs.tigera.io/calico/latest/reference/resources/networkpolicy, EntityRule).
// The model does not know a connection's source port: a list holding every source port (1-65535)
// is no condition, any other matches some connections only, so a verdict it may decide is not certain.
import { describe, expect, it } from 'vitest';
import { calicoBase, matrixConns, reach, webNeverDb } from './calico-scenes.ts';

const rule = (action: string, source: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: srcports, namespace: shop}
spec:
  selector: all()
  types: [Ingress]
  ingress:
  - action: ${action}
    protocol: TCP
    source: ${source}
${action === 'Allow' ? '' : '  - action: Allow\n'}`;

describe('Calico rules on source ports', () => {
  it('a Deny on source ports 1:65535 holds every connection: DENIED for certain (exit 1), as the matrix says', () => {
    const yaml = calicoBase() + rule('Deny', "{ports: ['1:65535']}");
    const r = reach(yaml, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by Calico NetworkPolicy shop/srcports rule 0 (Deny): TCP 8080');
    expect(matrixConns(yaml, 'other/client[Deployment]', 'shop/web[Deployment]')).not.toContain('All Connections');
  });

  it('a Deny on source ports 1024:65535 may deny some connections: UNKNOWN (exit 2) naming the ports, not a certain ALLOWED', () => {
    const r = reach(calicoBase() + rule('Deny', "{ports: ['1024:65535']}"), 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('source ports ["1024:65535"]: the rule matches only connections from those source ports, which the model does not tell apart; counted as not matching');
  });

  it('a Pass on notPorts [53] may pass some connections: UNKNOWN (exit 2)', () => {
    const r = reach(calicoBase() + rule('Pass', '{notPorts: [53]}'), 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('source notPorts [53]');
  });

  it('an Allow on source port 443 allows some connections only: UNKNOWN (exit 2), not a certain ALLOWED', () => {
    const r = reach(calicoBase() + rule('Allow', '{ports: [443]}'), 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('source ports [443]: the rule matches only connections from those source ports, which the model does not tell apart; counted as matching');
  });
});

describe('a source-ports rule the model counts as not matching leaves a denial it may undo in doubt', () => {
  // Tier platform: a Pass on some source ports, nothing else, so what it does not pass meets the
  // tier's end (Deny); the default tier would allow what it passes.
  const passTier = `---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: platform}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: platform.pass-some}
spec:
  tier: platform
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Pass
    protocol: TCP
    source: {ports: ['32768:60999']}
`;

  it('reach: UNKNOWN (exit 2), read as DENIED by the end of tier platform; the intent "web never db" cannot be confirmed (medium)', () => {
    const yaml = calicoBase() + passTier;
    const r = reach(yaml, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('the end of Calico tier platform');
    const res = webNeverDb(yaml);
    expect(res).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(res.message).toContain('cannot be confirmed');
    expect(res.message).toContain('source ports ["32768:60999"]');
  });
});
