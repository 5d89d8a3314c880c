// A Linkerd skip list is read as the pod's linkerd-init reads it, entry by entry, not trimmed.
//
// Upstream:
// - linkerd2 pkg/inject/inject.go (stable-2.14.10, edge-26.8.3) copies config.linkerd.io/skip-inbound-ports
//   and skip-outbound-ports verbatim into the values; charts/partials/templates/_proxy-init.tpl gives
//   them to linkerd-init as --inbound-ports-to-ignore "<control>,<admin>,<value>" and
//   --outbound-ports-to-ignore "<value>" (the latter only when not empty).
// - linkerd2-proxy-init proxy-init/cmd/root.go (proxy-init/v2.2.3, installed by stable-2.14.10, and
//   proxy-init/v2.4.9, built into edge-26.8.3's proxy image by Dockerfile.proxy) reads both with
//   pflag StringSliceVar (a CSV record: no space trimmed); pkg/iptables/iptables.go
//   makeMultiportDestinations reads each entry with pkg/util/portrange.go ParsePortRange
//   (strconv.Atoi on each bound: " 3306" is an error, "+443" is 443; IsValidPort accepts 0, its test
//   TestParsePort has "0") and logs and leaves out an entry it rejects (TestMakeMultiportDestinations:
//   "not-a-number" is dropped). When it reads no entry it still returns one empty list of ports.
// - linkerd2 controller/api/destination/endpoint_translator.go reads the pod's skip-inbound-ports
//   through pkg/util/parsing.go ParsePorts, whose GetPortRanges trims each entry (strings.TrimSpace):
//   a port it reads as skipped gets no TlsIdentity, so meshed callers connect to it without mTLS.
import { describe, expect, it } from 'vitest';
import { parseProxyInitPorts } from '../../../src/analysis/mesh/index.ts';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import { ctxOf, run } from './helpers.ts';

const scene = (annotations: string, ports = '[{containerPort: 3306}, {containerPort: 443}]', extra = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db}
      annotations: ${annotations}
    spec:
      containers: [{name: db, image: example/db:1, ports: ${ports}}]
${extra}`;
const skip = (y: string) => run(linkerdSkipPorts, ctxOf(y)).find((v) => v.resource.name === 'db')!;
const unauth = (y: string) => run(linkerdUnauthenticatedDefault, ctxOf(y)).find((v) => v.resource.name === 'db')!;

describe('parseProxyInitPorts: entries as linkerd2-proxy-init ParsePortRange reads them', () => {
  it('no space trimmed, a "+" sign read, port 0 read but skipping nothing, empty entries left out silently', () => {
    expect(parseProxyInitPorts(' 3306')).toEqual({ ports: [], invalid: [], spaced: [{ entry: ' 3306', range: '3306' }], noneRead: true });
    expect(parseProxyInitPorts('+443')).toEqual({ ports: ['443'], invalid: [], spaced: [], noneRead: false });
    expect(parseProxyInitPorts('0')).toEqual({ ports: [], invalid: [], spaced: [], noneRead: false });
    expect(parseProxyInitPorts('0-100,+4000-+4010')).toMatchObject({ ports: ['1-100', '4000-4010'], invalid: [] });
    expect(parseProxyInitPorts('4000 - 5000')).toEqual({ ports: [], invalid: ['4000 - 5000'], spaced: [], noneRead: true });
    expect(parseProxyInitPorts('80,,443')).toEqual({ ports: ['80', '443'], invalid: [], spaced: [], noneRead: false });
    expect(parseProxyInitPorts(',')).toMatchObject({ ports: [], invalid: [], noneRead: true });
    expect(parseProxyInitPorts('')).toMatchObject({ ports: [], noneRead: false });
    expect(parseProxyInitPorts('70000,9-3,1-2-3,0443')).toEqual({ ports: ['443'], invalid: ['70000', '9-3', '1-2-3'], spaced: [], noneRead: false });
  });
});

describe('mtls.linkerd-skip-ports reads the lists as linkerd-init does', () => {
  it('" 3306" does not bypass the proxy, but the destination controller trims it: meshed callers send 3306 without mTLS', () => {
    const v = skip(scene('{config.linkerd.io/skip-inbound-ports: " 3306"}'));
    expect(v.status).toBe('fail');
    expect(v.evidence?.inbound).toMatchObject({ ports: [], trimmedByDestination: ['3306'] });
    expect(v.message).not.toContain('3306 bypass the linkerd-proxy');
    expect(v.message).toContain('inbound 3306 (pod annotation config.linkerd.io/skip-inbound-ports, written with spaces) reaches the linkerd-proxy');
    expect(v.message).toContain('meshed callers send it without mTLS');
  });

  it('"+443" skips 443', () => {
    const v = skip(scene('{config.linkerd.io/skip-inbound-ports: "+443"}'));
    expect(v.status).toBe('fail');
    expect(v.evidence?.inbound).toEqual({ ports: ['443'], source: 'pod annotation config.linkerd.io/skip-inbound-ports' });
    expect(v.message).toContain('inbound 443 bypass the linkerd-proxy');
  });

  it('port 0 and "4000 - 5000" skip nothing: the workload passes, the odd entry named', () => {
    expect(skip(scene('{config.linkerd.io/skip-inbound-ports: "0"}')).status).toBe('pass');
    const v = skip(scene('{config.linkerd.io/skip-inbound-ports: "4000 - 5000"}', '[{containerPort: 4500}]'));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('"4000 - 5000"');
  });

  it('an outbound list of which linkerd-init reads nothing skips nothing and says the init container is expected to fail, unconfirmed', () => {
    const v = skip(scene('{config.linkerd.io/skip-outbound-ports: " 5432"}'));
    expect(v.status).toBe('pass');
    expect(v.evidence?.outbound).toMatchObject({ ports: [], invalidEntries: [' 5432'], noEntryRead: true });
    expect(v.message).toContain('empty --dports list');
    expect(v.message).toContain('cannot confirm');
  });

  it('"80,,443" skips 80 and 443 and names no odd entry', () => {
    const v = skip(scene('{config.linkerd.io/skip-inbound-ports: "80,,443"}'));
    expect(v.evidence?.inbound).toEqual({ ports: ['80', '443'], source: 'pod annotation config.linkerd.io/skip-inbound-ports' });
  });

  it("the install's proxyInit.ignoreInboundPorts \"4567, 3306\" skips 4567, not 3306", () => {
    const config = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxyInit:
      ignoreInboundPorts: "4567, 3306"
      ignoreOutboundPorts: ""
`;
    const v = skip(scene('{}', '[{containerPort: 3306}, {containerPort: 4567}]', config));
    expect(v.evidence?.inbound).toMatchObject({ ports: ['4567'], installedDefault: true });
  });
});

describe('mtls.linkerd-unauthenticated-default: a port linkerd-init does not skip meets the default policy', () => {
  it('" 3306" reaches the proxy, so the all-unauthenticated default opens it', () => {
    const v = unauth(scene('{config.linkerd.io/skip-inbound-ports: " 3306"}'));
    expect(v.status).toBe('fail');
    expect(v.evidence?.uncoveredPorts).toEqual([3306, 443]);
    expect(v.evidence?.skippedPorts).toBeUndefined();
  });
});
