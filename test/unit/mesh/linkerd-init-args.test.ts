// A running Linkerd-meshed pod's iptables rules are written by its linkerd-init container from
// the arguments the proxy injector rendered at admission; its config.linkerd.io annotations may
// have been changed since, and then say nothing of what iptables does.
//
// Upstream:
// - linkerd2 charts/partials/templates/_proxy-init.tpl (stable-2.14.10, edge-26.8.3): linkerd-init
//   gets --inbound-ports-to-ignore "<control>,<admin>[,<skip-inbound-ports or proxyInit.ignoreInboundPorts>]",
//   --outbound-ports-to-ignore and --subnets-to-ignore (when not empty).
// - linkerd2-proxy-init proxy-init/cmd/root.go (proxy-init/v2.4.9): those three are pflag
//   StringSlice flags; --simulate, --use-wait-flag/-w and --ipv6 take no value.
// - linkerd2-proxy-init pkg/iptables/iptables.go (proxy-init/v2.4.9): addIncomingTrafficRules puts a
//   RETURN for each ignored inbound port and each ignored source subnet (`-s <subnet> -j RETURN`)
//   ahead of the redirect to the proxy; addOutgoingTrafficRules a RETURN for each ignored outbound
//   port. Subnets are never matched outbound.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment, run } from './helpers.ts';

const NS: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'all-authenticated' } } };
const CONFIG: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'linkerd-config', namespace: 'linkerd' }, data: { values: 'proxy:\n  defaultInboundPolicy: all-authenticated\nproxyInit:\n  ignoreInboundPorts: ""\n  ignoreOutboundPorts: ""\n' } };
/** What the injector gives linkerd-init before the skip flags (_proxy-init.tpl). */
const BASE = ['--incoming-proxy-port', '4143', '--outgoing-proxy-port', '4140', '--proxy-uid', '2102'];

interface PodOptions { annotations?: Record<string, string>; init?: string[] | null; ports?: number[]; ip?: string }
/** A running pod injected by the webhook: app + linkerd-proxy, and linkerd-init with `init` as its arguments (null: no linkerd-init at all). */
function runningPod(name: string, o: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: name }, annotations: { 'linkerd.io/created-by': 'linkerd/proxy-injector stable-2.14.10', ...o.annotations } },
    spec: {
      ...(o.init === null ? {} : { initContainers: [{ name: 'linkerd-init', image: 'cr.l5d.io/linkerd/proxy-init:v2.2.3', args: o.init ?? [...BASE, '--inbound-ports-to-ignore', '4190,4191'] }] }),
      containers: [
        { name: 'app', image: `example/${name}:1`, ports: (o.ports ?? [8080]).map((containerPort) => ({ containerPort })) },
        { name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:stable-2.14.10', ports: [{ containerPort: 4143 }, { containerPort: 4191 }] },
      ],
    },
    status: { phase: 'Running', ...(o.ip ? { podIP: o.ip, podIPs: [{ ip: o.ip }] } : {}) },
  };
}
/** A running pod outside the mesh (no proxy), with an address. */
const plainPod = (name: string, ip: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app: name }, annotations: { 'linkerd.io/inject': 'disabled' } },
  spec: { containers: [{ name: 'app', image: `example/${name}:1` }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});
const pod = (name: string) => ({ kind: 'Pod', namespace: 'shop', name });
const skipOf = (objects: KubeObject[], name: string) => run(linkerdSkipPorts, ctxOf('', undefined, objects)).find((v) => v.resource.name === name)!;

describe('linkerd-init arguments decide a running pod\'s skips, not its annotations', () => {
  it('--subnets-to-ignore without the annotation fails mtls.linkerd-skip-ports, naming the argument; an annotation linkerd-init was not given skips nothing', () => {
    const applied = skipOf([NS, CONFIG, runningPod('db', { init: [...BASE, '--inbound-ports-to-ignore', '4190,4191', '--subnets-to-ignore', '10.1.0.0/16'] })], 'db');
    expect(applied.status).toBe('fail');
    expect(applied.message).toContain('inbound connections from 10.1.0.0/16 bypass the linkerd-proxy on every port (linkerd-init argument --subnets-to-ignore "10.1.0.0/16")');
    expect(applied.evidence).toMatchObject({ inboundSubnets: { subnets: ['10.1.0.0/16'], source: 'linkerd-init argument --subnets-to-ignore "10.1.0.0/16"' } });
    const policy = run(linkerdUnauthenticatedDefault, ctxOf('', undefined, [NS, CONFIG, runningPod('db', { init: [...BASE, '--subnets-to-ignore=10.1.0.0/16'] })])).find((v) => v.resource.name === 'db')!;
    expect(policy.message).toContain('inbound connections from 10.1.0.0/16 skip the proxy on every port');
    // The annotation was added after injection: iptables has no such rule.
    const edited = skipOf([NS, CONFIG, runningPod('db', { annotations: { 'config.linkerd.io/skip-subnets': '10.1.0.0/16' } })], 'db');
    expect(edited).toMatchObject({ status: 'pass', message: 'Pod shop/db: no ports bypass the linkerd-proxy.' });
  });

  it('an annotation that differs from the argument is named beside it; repeated flags append, an empty one adds nothing', () => {
    const v = skipOf([NS, CONFIG, runningPod('db', {
      annotations: { 'config.linkerd.io/skip-subnets': '192.168.0.0/16' },
      init: [...BASE, '--subnets-to-ignore', '10.1.0.0/16', '--subnets-to-ignore', '', '--subnets-to-ignore', '10.2.0.0/16'],
    })], 'db');
    expect(v.message).toContain('inbound connections from 10.1.0.0/16, 10.2.0.0/16 bypass the linkerd-proxy on every port (linkerd-init argument --subnets-to-ignore "10.1.0.0/16,10.2.0.0/16", while pod annotation config.linkerd.io/skip-subnets says "192.168.0.0/16", which linkerd-init was not given: iptables follows its arguments)');
  });

  it('inbound: a declared port in --inbound-ports-to-ignore fails without any annotation; one only the annotation lists passes; the proxy\'s own ports never count', () => {
    const applied = skipOf([NS, CONFIG, runningPod('db', { ports: [5432], init: [...BASE, '--inbound-ports-to-ignore', '4190,4191,5432'] })], 'db');
    expect(applied.status).toBe('fail');
    expect(applied.message).toContain('inbound 5432 bypass the linkerd-proxy (linkerd-init argument --inbound-ports-to-ignore "4190,4191,5432")');
    const authz = run(authzMissing, ctxOf('', undefined, [NS, CONFIG, runningPod('db', { ports: [5432], init: [...BASE, '--inbound-ports-to-ignore', '4190,4191,5432'] })])).find((v) => v.resource.name === 'db')!;
    expect(authz.message).toContain('linkerd-init argument --inbound-ports-to-ignore "4190,4191,5432"');
    const edited = skipOf([NS, CONFIG, runningPod('db', { ports: [5432], annotations: { 'config.linkerd.io/skip-inbound-ports': '5432' } })], 'db');
    expect(edited.status).toBe('pass');
  });

  it('the flags are read as pflag reads them: a flag\'s value is the next argument whatever it looks like, and -w takes none', () => {
    // "--log-level" takes "--inbound-ports-to-ignore" as its value, so 5432 is no flag's; -w before it takes no value.
    const swallowed = skipOf([NS, CONFIG, runningPod('db', { ports: [5432], init: [...BASE, '--log-level', '--inbound-ports-to-ignore', '5432'] })], 'db');
    expect(swallowed.status).toBe('pass');
    const bool = skipOf([NS, CONFIG, runningPod('db', { ports: [5432], init: [...BASE, '-w', '--ipv6', '--inbound-ports-to-ignore', '4190,4191,5432'] })], 'db');
    expect(bool.status).toBe('fail');
  });

  it('outbound: --outbound-ports-to-ignore 5432 sends the call around the caller\'s proxy, so all-authenticated refuses it; an annotation linkerd-init was not given does nothing', () => {
    const objects = (web: KubeObject) => [NS, CONFIG, runningPod('db', { ports: [5432] }), web];
    const applied = ctxOf('', undefined, objects(runningPod('web', { init: [...BASE, '--inbound-ports-to-ignore', '4190,4191', '--outbound-ports-to-ignore', '5432'] })));
    const v = meshFlowVerdict(applied.snapshot, applied.config, pod('web'), pod('db'), 5432, 'TCP');
    expect(v).toMatchObject({ mesh: 'linkerd', verdict: 'denied', plaintext: true });
    expect(v.reason).toContain('shop/web sends port 5432 around its own linkerd proxy (linkerd-init argument --outbound-ports-to-ignore "5432"');
    const check = run(linkerdSkipPorts, applied).find((x) => x.resource.name === 'web')!;
    expect(check.status).toBe('fail');
    expect(check.message).toContain('outbound 5432 bypass the linkerd-proxy (linkerd-init argument --outbound-ports-to-ignore "5432"');
    const edited = ctxOf('', undefined, objects(runningPod('web', { annotations: { 'config.linkerd.io/skip-outbound-ports': '5432' } })));
    expect(meshFlowVerdict(edited.snapshot, edited.config, pod('web'), pod('db'), 5432, 'TCP')).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(run(linkerdSkipPorts, edited).find((x) => x.resource.name === 'web')!.status).toBe('pass');
  });

  it('without linkerd-init (the CNI plugin\'s linkerd-network-validator) the annotation still decides', () => {
    const cni = runningPod('db', { annotations: { 'config.linkerd.io/skip-subnets': '10.1.0.0/16' }, init: null });
    (cni.spec as { initContainers: unknown[] }).initContainers = [{ name: 'linkerd-network-validator', image: 'cr.l5d.io/linkerd/proxy:stable-2.14.10' }];
    const v = skipOf([NS, CONFIG, cni], 'db');
    expect(v.status).toBe('fail');
    expect(v.message).toContain('(pod annotation config.linkerd.io/skip-subnets)');
  });
});

describe('reach: the callee\'s skipped source subnets', () => {
  const DB = runningPod('db', { ports: [5432], ip: '10.2.0.10', init: [...BASE, '--inbound-ports-to-ignore', '4190,4191', '--subnets-to-ignore', '10.1.0.0/16'] });
  const scene = ctxOf('', undefined, [NS, CONFIG, DB,
    runningPod('web', { ip: '10.1.2.3' }), runningPod('api', { ip: '10.2.0.20' }), plainPod('batch', '10.1.2.4'), plainPod('cron', '10.2.0.30')]);
  const verdict = (from: string) => meshFlowVerdict(scene.snapshot, scene.config, pod(from), pod('db'), 5432, 'TCP');

  it('a meshed caller whose address lies in them reaches the application around the proxy: plaintext, no mTLS', () => {
    const v = verdict('web');
    expect(v).toMatchObject({ mesh: 'linkerd', verdict: 'allowed', plaintext: true });
    expect(v.reason).toContain('shop/db lets inbound connections from 10.1.0.0/16 around its linkerd-proxy (linkerd-init argument --subnets-to-ignore "10.1.0.0/16"), and the caller\'s pod address 10.1.2.3 lies there');
    // A meshed caller elsewhere is judged by the proxy, with mTLS.
    expect(verdict('api')).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('a plaintext caller in them is let in though all-authenticated refuses it elsewhere', () => {
    expect(verdict('batch')).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(verdict('cron')).toMatchObject({ verdict: 'denied', plaintext: true });
  });

  it('a caller only some of whose pods lie there: the more open answer, naming how many and a few of their addresses, and the others\' answer', () => {
    const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'batch-7f9', namespace: 'shop', uid: 'rs1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'batch', uid: 'd1', controller: true }] }, spec: { selector: { matchLabels: { app: 'batch' } }, template: { metadata: { labels: { app: 'batch' } }, spec: { containers: [{ name: 'app', image: 'example/batch:1' }] } } } };
    const owned = (i: number, ip: string): KubeObject => {
      const p = plainPod(`batch-7f9-${i}`, ip);
      p.metadata!.labels = { app: 'batch' };
      p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'batch-7f9', uid: 'rs1', controller: true }];
      return p;
    };
    const c = ctxOf('', undefined, [NS, CONFIG, DB, rs, owned(1, '10.1.0.1'), owned(2, '10.1.0.2'), owned(3, '10.1.0.3'), owned(4, '10.1.0.4'), owned(5, '10.2.0.5')]);
    const v = meshFlowVerdict(c.snapshot, c.config, { kind: 'Deployment', namespace: 'shop', name: 'batch' }, pod('db'), 5432, 'TCP');
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(v.reason).toContain('and 4 of the caller\'s 5 pod addresses (10.1.0.1, 10.1.0.2, 10.1.0.3 and 1 more) lie there');
    expect(v.reason).toContain('; from the others: denied (');
  });

  it('an external address asked is judged the same way; without one, the answer depends on the client', () => {
    const at = (text: string) => meshFlowVerdict(scene.snapshot, scene.config, 'external', pod('db'), 5432, 'TCP', { sourceAddress: { family: 4, value: BigInt(text.split('.').reduce((a, b) => a * 256 + Number(b), 0)), text } });
    expect(at('10.1.9.9')).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(at('203.0.113.9')).toMatchObject({ verdict: 'denied' });
    const any = meshFlowVerdict(scene.snapshot, scene.config, 'external', pod('db'), 5432, 'TCP');
    expect(any.verdict).toBe('depends');
    expect(any.reason).toContain('whether the external client\'s address lies in 10.1.0.0/16');
  });
});

describe('reach: skipped source subnets where the caller\'s address is not known (manifests)', () => {
  const scene = (subnets: string) => ctxOf('', undefined, [NS, CONFIG,
    deployment('shop', 'db', { ports: [5432], annotations: { 'config.linkerd.io/skip-subnets': subnets } }),
    deployment('shop', 'web'), deployment('shop', 'batch', { annotations: { 'linkerd.io/inject': 'disabled' } })]);
  const dep = (name: string) => ({ kind: 'Deployment', namespace: 'shop', name });
  const verdict = (subnets: string, from: string) => { const c = scene(subnets); return meshFlowVerdict(c.snapshot, c.config, dep(from), dep('db'), 5432, 'TCP'); };

  it('subnets in the cluster networks: a plaintext caller is unknown (let in from there, refused elsewhere); a meshed one stays allowed, with a note', () => {
    const v = verdict('10.0.0.0/8', 'batch');
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('whether the caller\'s pod addresses lie in 10.0.0.0/8, which shop/db lets around its linkerd-proxy (pod annotation config.linkerd.io/skip-subnets), is not known');
    const meshed = verdict('10.0.0.0/8', 'web');
    expect(meshed).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(meshed.notes?.join('\n')).toContain('from there the call arrives in plaintext around the proxy, without mTLS');
  });

  it('subnets outside the cluster networks, which hold the pod network: no pod lies there, the policy decides', () => {
    expect(verdict('203.0.113.0/24', 'batch')).toMatchObject({ verdict: 'denied', plaintext: true });
  });
});

// linkerd2-proxy-init pkg/iptables/iptables.go addIncomingTrafficRules: addRulesForIgnoredPorts puts
// a RETURN for every --inbound-ports-to-ignore entry ahead of the redirect, declared or not (the
// Pod API's containerPort: "Not specifying a port here DOES NOT prevent that port from being
// exposed"); proxy-init/cmd/root.go: a non-empty --ports-to-redirect/-r sets RedirectListedMode, in
// which addRulesForInboundPortRedirect redirects the listed ports alone; --simulate writes no rule.
describe('linkerd-init: what iptables lets past the proxy, declared or not', () => {
  const DEFAULTS: KubeObject = { ...CONFIG, data: { values: 'proxy:\n  defaultInboundPolicy: all-authenticated\nproxyInit:\n  ignoreInboundPorts: "4567,4568"\n  ignoreOutboundPorts: ""\n' } };
  const scene = (init: string[] | { command: string[] }, config = CONFIG, annotations?: Record<string, string>) => {
    const db = runningPod('db', { ports: [5432], ...(Array.isArray(init) ? { init } : {}), ...(annotations ? { annotations } : {}) });
    if (!Array.isArray(init)) Object.assign((db.spec as { initContainers: Array<Record<string, unknown>> }).initContainers[0], { command: init.command, args: undefined });
    return ctxOf('', undefined, [NS, config, db, plainPod('batch', '10.2.0.30')]);
  };
  const verdict = (c: ReturnType<typeof ctxOf>, port: number) => meshFlowVerdict(c.snapshot, c.config, pod('batch'), pod('db'), port, 'TCP');
  const check = (c: ReturnType<typeof ctxOf>) => run(linkerdSkipPorts, c).find((v) => v.resource.name === 'db')!;

  it('a port --inbound-ports-to-ignore lists that no container declares: reach lets a plaintext caller in past all-authenticated, and the check fails', () => {
    const c = scene([...BASE, '--inbound-ports-to-ignore', '4190,4191,9000']);
    expect(verdict(c, 9000)).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(verdict(c, 9000).reason).toContain('port 9000 is skipped by the linkerd-proxy (linkerd-init argument --inbound-ports-to-ignore "4190,4191,9000")');
    expect(check(c)).toMatchObject({ status: 'fail' });
    expect(check(c).message).toContain('inbound 9000 bypass the linkerd-proxy');
  });

  it('the install default 4567,4568 in the arguments, declared by no container: the check passes as for the install default, yet reach does not deny what iptables lets through', () => {
    const c = scene([...BASE, '--inbound-ports-to-ignore', '4190,4191,4567,4568'], DEFAULTS);
    expect(check(c).status).toBe('pass');
    expect(verdict(c, 4567)).toMatchObject({ verdict: 'allowed', plaintext: true });
    // The declared port still goes through the proxy: a plaintext caller is refused.
    expect(verdict(c, 5432)).toMatchObject({ verdict: 'denied', plaintext: true });
  });

  it('a template yet to be injected gets the same arguments: reach does not deny the install default\'s undeclared port (allowed when installed, unknown when only assumed)', () => {
    const at = (config?: KubeObject) => {
      const c = ctxOf('', undefined, [NS, ...(config ? [config] : []), deployment('shop', 'db', { ports: [5432] }), plainPod('batch', '10.2.0.30')]);
      return meshFlowVerdict(c.snapshot, c.config, pod('batch'), { kind: 'Deployment', namespace: 'shop', name: 'db' }, 4567, 'TCP');
    };
    expect(at(DEFAULTS)).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(at().verdict).toBe('unknown');
    expect(at().reason).toContain('the answer turns on the installed proxyInit.ignoreInboundPorts');
  });

  it('--ports-to-redirect (or -r) 5432: every other inbound port reaches the application around the proxy', () => {
    for (const flag of [['--ports-to-redirect', '5432'], ['-r5432'], ['-r', '5432']]) {
      const c = scene([...BASE, ...flag, '--inbound-ports-to-ignore', '4190,4191']);
      expect(verdict(c, 9000)).toMatchObject({ verdict: 'allowed', plaintext: true });
      expect(verdict(c, 5432)).toMatchObject({ verdict: 'denied' });
    }
    const c = scene([...BASE, '--ports-to-redirect', '5432', '--inbound-ports-to-ignore', '4190,4191']);
    expect(verdict(c, 9000).reason).toContain('linkerd-init argument --ports-to-redirect "5432": only the ports it lists are redirected to the proxy');
    expect(check(c).status).toBe('fail');
  });

  it('--simulate: no rule is written, so even the declared port bypasses the proxy', () => {
    const c = scene([...BASE, '--simulate', '--inbound-ports-to-ignore', '4190,4191']);
    expect(verdict(c, 5432)).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(verdict(c, 5432).reason).toContain('--simulate');
    expect(check(c).status).toBe('fail');
  });

  it('a shell running proxy-init: the flags in its -c script are read; a script the shell would expand is not read as "nothing skipped": the annotation decides, saying so', () => {
    const read = scene({ command: ['/bin/sh', '-ec', `exec /usr/bin/proxy-init --incoming-proxy-port 4143 --inbound-ports-to-ignore "4190,4191,9000" --subnets-to-ignore '10.1.0.0/16'`] });
    expect(verdict(read, 9000)).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(check(read).message).toContain('inbound 9000 bypass the linkerd-proxy (linkerd-init argument --inbound-ports-to-ignore "4190,4191,9000")');
    expect(check(read).message).toContain('inbound connections from 10.1.0.0/16 bypass the linkerd-proxy on every port');
    const expanded = scene({ command: ['sh', '-c', 'proxy-init --inbound-ports-to-ignore "$PORTS"'] }, CONFIG, { 'config.linkerd.io/skip-inbound-ports': '5432' });
    expect(check(expanded).status).toBe('fail');
    expect(check(expanded).message).toContain('(pod annotation config.linkerd.io/skip-inbound-ports; linkerd-init runs a shell script whose proxy-init arguments are not read');
    for (const script of ['proxy-init --inbound-ports-to-ignore 4190,4191; echo done', 'proxy-init --inbound-ports-to-ignore "4190,4191']) {
      expect(check(scene({ command: ['sh', '-c', script] }, CONFIG, { 'config.linkerd.io/skip-inbound-ports': '5432' })).status, script).toBe('fail');
    }
  });
});
