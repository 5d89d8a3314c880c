// cilium-config booleans read as the Cilium agent reads them. Upstream, cilium/cilium v1.20.2:
// pkg/option/config.go ReadDirConfig loads each ConfigMap key as a file and keeps
// bytes.TrimSpace of it; DaemonConfig.Populate reads policy-audit-mode, enable-k8s-networkpolicy,
// enable-cilium-network-policy (and the other policy switches) with vp.GetBool, which is
// github.com/spf13/cast@v1.10.0 ToBool = strconv.ParseBool with the error dropped: "1", "t",
// "True" are on and anything ParseBool refuses ("yes", "tRuE") is off. enable-hubble is a hive
// cell option (pkg/hubble/cell/config.go@v1.20.2, decoded by github.com/cilium/hive@v1.0.4
// cell/config.go with mapstructure WeaklyTypedInput → strconv.ParseBool).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { flowVisibilityOff } from '../../../checks/network/flow-visibility-off.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { readCiliumSettings } from '../../../src/analysis/netpol/cilium/config.ts';
import { ctxOf, run, snap } from './helpers.ts';

const fixture = (check: string, name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/checks', check, name), 'utf8');
const fails = (yaml: string) => run(cniNotEnforcing, ctxOf(yaml)).filter((r) => r.status === 'fail').map((r) => `${r.severity ?? 'critical'} ${r.message}`);
const reachFirstLine = (yaml: string) => reachCommandCore(snap(yaml), { from: 'shop/client', to: 'shop/web', port: '80' }).output.split('\n')[0];
const ALLOWED = 'ALLOWED: shop/client[Pod] -> shop/web[Pod] on 80/TCP';

describe('policy-audit-mode as Go ParseBool', () => {
  const yaml = fixture('network.cni-not-enforcing', 'fail.cilium-policy-audit-mode.yaml');

  it.each(['1', 't', 'True', 'TRUE', ' true\n'])('"%s" is audit mode: critical finding, and reach allows what the policy would deny', (value) => {
    const y = yaml.replace('policy-audit-mode: "true"', `policy-audit-mode: ${JSON.stringify(value)}`);
    expect(fails(y)[0]).toMatch(/^critical no network policy is enforced: Cilium runs in policy audit mode/);
    expect(reachFirstLine(y)).toBe(ALLOWED);
  });

  it.each(['tRuE', 'yes', 'on'])('"%s" is refused by ParseBool, so Cilium reads false and enforces; the run says so', (value) => {
    const y = yaml.replace('policy-audit-mode: "true"', `policy-audit-mode: ${JSON.stringify(value)}`);
    expect(fails(y)).toEqual([]);
    expect(reachFirstLine(y)).toMatch(/^DENIED/);
    expect(readCiliumSettings(snap(y)).problems).toEqual([`policy-audit-mode: "${value}" is not a Go boolean (1, t, true, 0, f, false...); Cilium reads it as false`]);
  });
});

describe('the policy API switches as Go ParseBool', () => {
  it('enable-k8s-networkpolicy "0" stops the NetworkPolicy watch (not "Cilium\'s default is assumed")', () => {
    const yaml = fixture('network.cni-not-enforcing', 'fail.cilium-k8s-networkpolicy-off.yaml').replace('enable-k8s-networkpolicy: "false"', 'enable-k8s-networkpolicy: "0"');
    expect(fails(yaml)).toEqual(['critical 1 NetworkPolicies have no effect: ConfigMap kube-system/cilium-config sets enable-k8s-networkpolicy to false: the Cilium agent does not watch NetworkPolicies']);
    expect(reachFirstLine(yaml)).toBe(ALLOWED);
  });

  it('enable-cilium-network-policy "yes" is false to Cilium (cast.ToBool drops the ParseBool error): CiliumNetworkPolicies are not watched', () => {
    const yaml = fixture('network.cni-not-enforcing', 'fail.cilium-network-policy-off.yaml').replace('enable-cilium-network-policy: "false"', 'enable-cilium-network-policy: "yes"');
    expect(fails(yaml)).toEqual(['high 1 CiliumNetworkPolicy object(s) have no effect: ConfigMap kube-system/cilium-config sets enable-cilium-network-policy to false: the Cilium agent does not watch CiliumNetworkPolicies']);
    expect(reachFirstLine(yaml)).toBe(ALLOWED);
  });
});

describe('enable-hubble and cluster-name', () => {
  const on = fixture('network.flow-visibility-off', 'pass.hubble-on.yaml');
  const status = (yaml: string) => run(flowVisibilityOff, ctxOf(yaml)).map((v) => v.status);

  it('enable-hubble "1" or "T" is on; "yes" is not (the agent refuses it)', () => {
    expect(status(on.replace('enable-hubble: "true"', 'enable-hubble: "1"'))).toEqual(['pass']);
    expect(status(on.replace('enable-hubble: "true"', 'enable-hubble: "T"'))).toEqual(['pass']);
    expect(status(on.replace('enable-hubble: "true"', 'enable-hubble: "yes"'))).toEqual(['fail']);
  });

  it('cluster-name is trimmed as ReadDirConfig trims it', () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata: {cluster-name: " east\\n"}\n';
    expect(readCiliumSettings(snap(yaml)).clusterName).toBe('east');
  });
});
