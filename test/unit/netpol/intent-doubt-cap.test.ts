// network.intent-violation's search for flows reach would call UNKNOWN is capped
// (MAX_DOUBT_PAIRS). The cap is spent only on pairs whose doubt touches the intent's ports, and
// a search the cap stopped before finding a doubted flow is a medium "could not be confirmed",
// never a pass. The doubt itself: a Kubernetes ipBlock under Calico is matched on pod addresses
// (libcalico-go k8s conversion k8sPeerToCalicoFields turns it into rule nets), which the model
// does not know (no IPPool here).
import { describe, expect, it } from 'vitest';
import { snap } from './helpers.ts';
import { calicoNode } from './calico-intent-cases.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { MAX_DOUBT_PAIRS } from '../../../src/analysis/netpol/flows.ts';

const config = { ...defaultConfig(), intent: { deny: [{ name: 'web-never-db', from: { namespace: 'shop', podSelector: { app: 'web' } }, to: { namespace: 'shop', podSelector: { app: 'db' } }, ports: [5432] }] } };

/** More web classes than the cap allows pairs toward two destinations. */
const SOURCES = Math.ceil(MAX_DOUBT_PAIRS / 2) + 1;
const webs = Array.from({ length: SOURCES }, (_, i) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-${i}, namespace: shop}
spec:
  selector: {matchLabels: {app: web, i: "${i}"}}
  template:
    metadata: {labels: {app: web, i: "${i}"}}
    spec: {containers: [{name: c, image: nginx}]}
`).join('');
const db = (inst: string) => `---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db-${inst}, namespace: shop}
spec:
  selector: {matchLabels: {app: db, inst: ${inst}}}
  template:
    metadata: {labels: {app: db, inst: ${inst}}}
    spec: {containers: [{name: db, image: postgres, ports: [{containerPort: 5432}, {containerPort: 9999}]}]}
`;
const exceptVpc = (inst: string, port: number) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-${inst}, namespace: shop}
spec:
  podSelector: {matchLabels: {inst: ${inst}}}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]
    ports: [{port: ${port}}]
`;

const intentOf = (yaml: string) => {
  const [outcome] = runChecks([intentViolation], { snapshot: snap(yaml), config, now: new Date('2026-12-05T00:00:00Z') });
  expect(outcome.results).toHaveLength(1);
  return outcome.results[0];
};

describe('the doubt search cap', () => {
  it('doubts on another port (9999) do not use up the cap: the flow in doubt on 5432 toward db-b is found, a medium "cannot be confirmed"', () => {
    const v = intentOf(calicoNode + webs + db('a1') + db('a2') + db('b') + exceptVpc('a1', 9999) + exceptVpc('a2', 9999) + exceptVpc('b', 5432));
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('intent "web-never-db" cannot be confirmed');
    expect(v.message).toContain('StatefulSet shop/db-b (TCP 5432) may be allowed');
  });

  it('a search the cap stopped before it found a flow in doubt is a medium "could not be confirmed", not a pass', () => {
    // Every web pod's egress is open only to port 9999, so no pair is in doubt on 5432, yet each pair toward a1 and a2 has a doubt on 5432 to weigh.
    const egress = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{ports: [{port: 9999}]}]
`;
    const v = intentOf(calicoNode + webs + db('a1') + db('a2') + exceptVpc('a1', 5432) + exceptVpc('a2', 5432) + egress);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toMatch(new RegExp(`^intent "web-never-db" could not be confirmed: no allowed flow from shop pods \\{app=web\\} to shop pods \\{app=db\\}, but the search for flows in doubt stopped at its cap after evaluating \\d+ pod-class pairs, ${MAX_DOUBT_PAIRS} of them with a doubt on the intent's ports \\(cap ${MAX_DOUBT_PAIRS} such pairs or ${MAX_DOUBT_PAIRS * 5} evaluations\\); the rest were not checked$`));
  });
});
