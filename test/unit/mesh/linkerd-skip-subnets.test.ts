// config.linkerd.io/skip-subnets (linkerd2 pkg/inject/inject.go: it replaces proxyInit.skipSubnets,
// which charts/partials/templates/_proxy-init.tpl gives linkerd-init as --subnets-to-ignore):
// linkerd2-proxy-init puts a RETURN for each source subnet ahead of the redirect to the proxy
// (pkg/iptables/iptables.go addIncomingTrafficRules, makeIgnoreSubnet `-s <subnet> -j RETURN`), so
// connections from there reach every port of the application without mTLS and past every policy.
// proxy-init/cmd/root.go reads each entry with net.ParseCIDR and stops on one it cannot read.
import { describe, expect, it } from 'vitest';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment, fails, run } from './helpers.ts';

const SKIP_SUBNETS = 'config.linkerd.io/skip-subnets';
const ns = (annotations: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'all-authenticated', ...annotations } } });
const linkerdConfig = (proxyInit = 'ignoreInboundPorts: ""\n  ignoreOutboundPorts: "4567,4568"'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'linkerd-config', namespace: 'linkerd' }, data: { values: `proxy:\n  defaultInboundPolicy: all-authenticated\nproxyInit:\n  ${proxyInit}\n` } });
const judge = (objects: KubeObject[]) => {
  const ctx = ctxOf('', undefined, objects);
  return { ctx, skip: run(linkerdSkipPorts, ctx).find((v) => v.resource.name === 'web')!, modes: meshWorkloadModes(ctx.snapshot, ctx.config) };
};

describe('Linkerd config.linkerd.io/skip-subnets', () => {
  it('a pod skipping 10.0.0.0/8 fails mtls.linkerd-skip-ports, naming the subnet and the cluster networks it overlaps; the report\'s posture flags every port', () => {
    const { ctx, skip, modes } = judge([ns(), linkerdConfig(), deployment('shop', 'web', { annotations: { [SKIP_SUBNETS]: '10.0.0.0/8' } })]);
    expect(skip.status).toBe('fail');
    expect(skip.message).toContain(`inbound connections from 10.0.0.0/8 bypass the linkerd-proxy on every port (pod annotation ${SKIP_SUBNETS})`);
    expect(skip.message).toContain('10.0.0.0/8 overlaps Linkerd\'s cluster networks');
    expect(skip.evidence).toMatchObject({ inboundSubnets: { subnets: ['10.0.0.0/8'], source: `pod annotation ${SKIP_SUBNETS}` } });
    expect(modes.find((m) => m.workload.name === 'web')).toMatchObject({ mesh: 'linkerd', weakPorts: { '*': `connections from 10.0.0.0/8 skip the linkerd-proxy (pod annotation ${SKIP_SUBNETS})` } });
    const policy = run(linkerdUnauthenticatedDefault, ctx).find((v) => v.resource.name === 'web')!;
    expect(policy.message).toContain('inbound connections from 10.0.0.0/8 skip the proxy on every port, and its policy does not apply to them');
  });

  it('a template takes its namespace\'s value, spaces trimmed as linkerd-init trims them; its own empty value skips none', () => {
    const { skip } = judge([ns({ [SKIP_SUBNETS]: '203.0.113.0/24, 198.51.100.0/24' }), deployment('shop', 'web')]);
    expect(skip.status).toBe('fail');
    expect(skip.message).toContain('inbound connections from 203.0.113.0/24, 198.51.100.0/24 bypass the linkerd-proxy on every port (namespace shop annotation config.linkerd.io/skip-subnets)');
    expect(skip.message).toContain('they lie outside Linkerd\'s cluster networks');
    const own = judge([ns({ [SKIP_SUBNETS]: '203.0.113.0/24' }), deployment('shop', 'web', { annotations: { [SKIP_SUBNETS]: '' } })]);
    expect(own.skip.status).toBe('pass');
  });

  it('without the annotation the installed proxyInit.skipSubnets applies', () => {
    const { skip } = judge([ns(), linkerdConfig('skipSubnets: "172.16.0.0/12"'), deployment('shop', 'web')]);
    expect(skip.status).toBe('fail');
    expect(skip.message).toContain('inbound connections from 172.16.0.0/12 bypass the linkerd-proxy on every port (proxyInit.skipSubnets "172.16.0.0/12", installed (ConfigMap linkerd/linkerd-config)');
  });

  it('an entry that is no CIDR stops linkerd-init before any rule: nothing is skipped, and the pass says the pods do not start', () => {
    const { skip } = judge([ns(), deployment('shop', 'web', { annotations: { [SKIP_SUBNETS]: '10.0.0.0/8,10.1.2.300/32' } })]);
    expect(fails([skip])).toEqual([]);
    expect(skip.message).toContain('entry "10.1.2.300/32" of pod annotation config.linkerd.io/skip-subnets is not a CIDR linkerd-init reads: it exits with an error before writing any rule, so new pods do not start');
  });
});
