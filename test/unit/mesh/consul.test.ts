// Consul service mesh per call, as reference cases from developer.hashicorp.com (cited per case):
// intentions precedence, wildcard sources and destinations, L7 permissions, the default intention
// (the ACL default policy) and injection.
import { describe, expect, it } from 'vitest';
import { consulFlowVerdict, intentionPrecedence, meshModel } from '../../../src/analysis/mesh/index.ts';
import type { MeshCaller } from '../../../src/analysis/mesh/flow.ts';
import { ctxOf, deploymentYaml } from './helpers.ts';
import { meshFlowVerdict, meshVerdictOverConns } from '../../../src/analysis/mesh/flow-verdict.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import { meshRequired } from '../../../checks/mtls/mesh-required.ts';

const INTENTIONS = 'https://developer.hashicorp.com/consul/docs/connect/intentions';
const ENTRY = 'https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions';

const app = (ns: string, name: string, opts: { sa?: string; annotations?: Record<string, string> } = {}) =>
  deploymentYaml(ns, name, { serviceAccount: opts.sa ?? name, annotations: { 'consul.hashicorp.com/connect-inject': 'true', ...opts.annotations }, ports: [8080] });
const aclDeny = `
apiVersion: v1
kind: ConfigMap
metadata: {name: consul-server-config, namespace: consul}
data:
  server.json: '{"bind_addr": "0.0.0.0"}'
  acl-config.json: '{"acl": {"enabled": true, "default_policy": "deny", "down_policy": "extend-cache"}}'
---`;
const intentions = (name: string, dest: string, sources: string, destNs = '') => `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: ${name}, namespace: default}
spec:
  destination: {name: "${dest}"${destNs ? `, namespace: ${destNs}` : ''}}
  sources: ${sources}
---`;

const caller = (ns: string, sa: string, mtls = true): MeshCaller => ({ namespace: ns, serviceAccount: sa, labels: { app: sa }, mtls });
function judge(yaml: string, from: MeshCaller, ns: string, name: string) {
  const ctx = ctxOf(yaml);
  return consulFlowVerdict(meshModel(ctx.snapshot, ctx.config), from, { namespace: ns, name, serviceAccount: name, labels: { app: name }, port: 8080, protocol: 'TCP' });
}

describe('Consul intentions reference cases', () => {
  it(`precedence table: exact/exact 9, */exact 8, exact/* 6, */* 5 (${INTENTIONS}#precedence-and-match-order)`, () => {
    expect(intentionPrecedence({ name: 'db' }, { name: 'web' })).toBe(9);
    expect(intentionPrecedence({ name: 'db' }, { name: '*' })).toBe(8);
    expect(intentionPrecedence({ name: '*' }, { name: 'web' })).toBe(6);
    expect(intentionPrecedence({ name: '*' }, { name: '*' })).toBe(5);
    // With (Enterprise) namespaces the destination is compared first, then the source.
    expect(intentionPrecedence({ name: 'db' }, { name: '*', namespace: '*' })).toBe(7);
    expect(intentionPrecedence({ name: '*', namespace: '*' }, { name: '*', namespace: '*' })).toBe(1);
  });

  it(`a deny-all intention (* → *) makes the mesh deny by default; a more specific allow wins over it (${INTENTIONS}#precedence-and-match-order)`, () => {
    const yaml = `${app('shop', 'web')}${app('shop', 'api')}${app('shop', 'batch')}
${intentions('deny-all', '*', '[{name: "*", action: deny}]')}
${intentions('api', 'api', '[{name: web, action: allow}]')}`;
    expect(judge(yaml, caller('shop', 'web'), 'shop', 'api')).toMatchObject({ mesh: 'consul', verdict: 'allowed', policy: { kind: 'ServiceIntentions', name: 'api' }, rule: 0 });
    const batch = judge(yaml, caller('shop', 'batch'), 'shop', 'api');
    expect(batch).toMatchObject({ verdict: 'denied', policy: { name: 'deny-all' } });
    expect(batch.reason).toMatch(/precedence 5/);
  });

  it(`a wildcard source denied on the destination loses to the exact source allowed (9 over 8) (${INTENTIONS}#precedence-and-match-order)`, () => {
    const yaml = `${app('shop', 'web')}${app('shop', 'db')}${app('shop', 'batch')}
${intentions('db', 'db', '[{name: web, action: allow}, {name: "*", action: deny}]')}`;
    expect(judge(yaml, caller('shop', 'web'), 'shop', 'db').verdict).toBe('allowed');
    expect(judge(yaml, caller('shop', 'batch'), 'shop', 'db')).toMatchObject({ verdict: 'denied', rule: 1 });
  });

  it(`deny is preferred over allow at equal precedence (${INTENTIONS}#precedence-and-match-order)`, () => {
    const yaml = `${app('shop', 'web')}${app('shop', 'db')}
${intentions('db-a', 'db', '[{name: web, action: allow}]')}
${intentions('db-b', 'db', '[{name: web, action: deny}]')}`;
    expect(judge(yaml, caller('shop', 'web'), 'shop', 'db')).toMatchObject({ verdict: 'denied', policy: { name: 'db-b' } });
  });

  it(`L7 permissions (the REST access example) decide per request (${ENTRY})`, () => {
    const yaml = `${app('shop', 'admin-dashboard')}${app('shop', 'api')}
${intentions('api', 'api', '[{name: admin-dashboard, permissions: [{action: allow, http: {pathPrefix: /v2, methods: [GET, PUT, POST, DELETE, HEAD]}}]}]')}`;
    expect(judge(yaml, caller('shop', 'admin-dashboard'), 'shop', 'api')).toMatchObject({ verdict: 'depends', policy: { name: 'api' } });
  });

  it(`no intention: the default intention follows the ACL default policy (${INTENTIONS})`, () => {
    const base = `${app('shop', 'web')}${app('shop', 'api')}`;
    const denied = judge(`${aclDeny}${base}`, caller('shop', 'web'), 'shop', 'api');
    expect(denied).toMatchObject({ verdict: 'denied', policy: { kind: 'ConfigMap', namespace: 'consul', name: 'consul-server-config' } });
    expect(denied.reason).toMatch(/key acl-config\.json: acl\.enabled, default_policy deny/);
    const assumed = judge(base, caller('shop', 'web'), 'shop', 'api');
    expect(assumed.verdict).toBe('allowed');
    expect(assumed.reason).toMatch(/assumed the Helm chart default/);
  });

  it('Helm server.extraConfig (consul-server-tmp-extra-config, loaded last) overrides the chart\'s ACL default; default_intention_policy comes before it (consul-k8s server-statefulset.yaml, consul AgentConnectAuthorize)', () => {
    const extra = (json: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: consul-server-tmp-extra-config, namespace: consul}
data:
  extra-from-values.json: '${json}'
---`;
    const base = `${app('shop', 'web')}${app('shop', 'api')}`;
    const opened = judge(`${aclDeny}${extra('{"acl": {"default_policy": "allow"}}')}${base}`, caller('shop', 'web'), 'shop', 'api');
    expect(opened).toMatchObject({ verdict: 'allowed', policy: { kind: 'ConfigMap', namespace: 'consul', name: 'consul-server-tmp-extra-config' } });
    expect(opened.reason).toMatch(/key extra-from-values\.json: acl\.enabled, default_policy allow \(acl\.enabled in ConfigMap consul\/consul-server-config key acl-config\.json\)/);
    const intention = judge(`${aclDeny}${extra('{"default_intention_policy": "allow"}')}${base}`, caller('shop', 'web'), 'shop', 'api');
    expect(intention.verdict).toBe('allowed');
    expect(intention.reason).toMatch(/default_intention_policy allow \(it takes precedence over the ACL default policy\)/);
    // ACLs off, default_intention_policy deny: deny.
    expect(judge(`${extra('{"default_intention_policy": "deny"}')}${base}`, caller('shop', 'web'), 'shop', 'api')).toMatchObject({ verdict: 'denied', policy: { name: 'consul-server-tmp-extra-config' } });
    // Extra config that says nothing about ACLs leaves the chart's deny in place.
    expect(judge(`${aclDeny}${extra('{"log_level": "DEBUG"}')}${base}`, caller('shop', 'web'), 'shop', 'api')).toMatchObject({ verdict: 'denied', policy: { name: 'consul-server-config' } });
  });

  it('a caller without a Consul identity is refused by the sidecar; a callee outside the mesh is not restricted', () => {
    const yaml = `${app('shop', 'api')}
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy, namespace: shop}
spec:
  selector: {matchLabels: {app: legacy}}
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: legacy, image: example/legacy:1}]}
---`;
    expect(judge(yaml, caller('shop', 'legacy', false), 'shop', 'api')).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(judge(yaml, caller('shop', 'api'), 'shop', 'legacy')).toMatchObject({ mesh: 'none', verdict: 'allowed' });
  });

  // https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode: "The
  // `permissive` mTLS mode enables sidecar proxies to accept both mTLS and non-mTLS traffic to an
  // application." and "Intentions are not enforced and encryption is not enabled for non-mTLS
  // connections." consul-k8s servicedefaults_types.go (mutualTLSMode): "connections to the service
  // port do not require mutual TLS and are proxied to the application unmodified". Consul refuses a
  // permissive entry unless the Mesh entry sets allowEnablingPermissiveMutualTLS (hashicorp/consul
  // agent/consul/state/config_entry.go permissiveModeNotAllowedError); an entry's "" mode leaves it to
  // ProxyDefaults (consul-k8s shared_types.go MutualTLSModeDefault).
  describe('permissive mTLS (ServiceDefaults/ProxyDefaults mutualTLSMode, Mesh allowEnablingPermissiveMutualTLS)', () => {
    const mesh = (allow: boolean) => `
apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata: {name: mesh, namespace: consul}
spec: {allowEnablingPermissiveMutualTLS: ${allow}}
---`;
    const defaults = (kind: string, name: string, mode: string, status = '') => `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: shop}
spec: {protocol: http${mode ? `, mutualTLSMode: ${mode}` : ''}}
${status}---`;
    const synced = (s: 'True' | 'False') => `status: {conditions: [{type: Synced, status: "${s}"}]}\n`;
    const legacy = caller('legacy', 'client', false);

    it(`the reviewer's case: a plaintext caller reaches a permissive service, and intentions do not apply (was: refused)`, () => {
      // An intention denying everyone decides mTLS callers only.
      const yaml = `${app('shop', 'web')}${mesh(true)}${defaults('ServiceDefaults', 'web', 'permissive')}${intentions('deny-all', '*', '[{name: "*", action: deny}]')}`;
      const v = judge(yaml, legacy, 'shop', 'web');
      expect(v).toMatchObject({ mesh: 'consul', verdict: 'allowed', plaintext: true, policy: { kind: 'ServiceDefaults', namespace: 'shop', name: 'web' } });
      expect(v.reason).toMatch(/ServiceDefaults shop\/web mutualTLSMode permissive .*intentions do not apply to non-mTLS connections/);
      expect(judge(yaml, { ...legacy, external: true }, 'shop', 'web')).toMatchObject({ verdict: 'allowed', plaintext: true });
      expect(judge(yaml, caller('shop', 'api'), 'shop', 'web')).toMatchObject({ verdict: 'denied', plaintext: false, policy: { name: 'deny-all' } });
    });

    it('ProxyDefaults global decides when the ServiceDefaults leaves mutualTLSMode unset; a strict ServiceDefaults overrides it', () => {
      const base = `${app('shop', 'web')}${mesh(true)}${defaults('ProxyDefaults', 'global', 'permissive')}`;
      expect(judge(base, legacy, 'shop', 'web')).toMatchObject({ verdict: 'allowed', policy: { kind: 'ProxyDefaults', name: 'global' } });
      expect(judge(`${base}${defaults('ServiceDefaults', 'web', '')}`, legacy, 'shop', 'web')).toMatchObject({ verdict: 'allowed', policy: { kind: 'ProxyDefaults' } });
      expect(judge(`${base}${defaults('ServiceDefaults', 'web', 'strict')}`, legacy, 'shop', 'web')).toMatchObject({ verdict: 'denied' });
      // ProxyDefaults must be named "global" (the consul-k8s webhook refuses other names).
      expect(judge(`${app('shop', 'web')}${mesh(true)}${defaults('ProxyDefaults', 'other', 'permissive')}`, legacy, 'shop', 'web')).toMatchObject({ verdict: 'denied' });
    });

    it('without allowEnablingPermissiveMutualTLS Consul refuses the entry (named as a problem); one it already holds (Synced True) stays, one Synced False is not in Consul', () => {
      for (const m of ['', mesh(false)]) {
        const yaml = `${app('shop', 'web')}${m}${defaults('ServiceDefaults', 'web', 'permissive')}`;
        expect(judge(yaml, legacy, 'shop', 'web'), m).toMatchObject({ verdict: 'denied' });
        const ctx = ctxOf(yaml);
        expect(meshModel(ctx.snapshot, ctx.config).consul.mutualTLS.problems.map((p) => p.problem)).toEqual([`mutualTLSMode permissive, but ${m ? 'Mesh consul/mesh' : 'no Mesh entry'} does not set allowEnablingPermissiveMutualTLS: true, so Consul refuses the entry`]);
      }
      expect(judge(`${app('shop', 'web')}${mesh(false)}${defaults('ServiceDefaults', 'web', 'permissive', synced('True'))}`, legacy, 'shop', 'web')).toMatchObject({ verdict: 'allowed' });
      expect(judge(`${app('shop', 'web')}${mesh(true)}${defaults('ServiceDefaults', 'web', 'permissive', synced('False'))}`, legacy, 'shop', 'web')).toMatchObject({ verdict: 'denied' });
    });

    it('only the service port takes plaintext: another port is refused, and with several ports and no connect-service-port the answer is unknown', () => {
      const entries = `${mesh(true)}${defaults('ServiceDefaults', 'web', 'permissive')}`;
      const two = (annotations: Record<string, string>) => deploymentYaml('shop', 'web', { serviceAccount: 'web', annotations: { 'consul.hashicorp.com/connect-inject': 'true', ...annotations }, ports: [8080, 9090] });
      const on = (yaml: string, port: number) => {
        const ctx = ctxOf(yaml);
        return consulFlowVerdict(meshModel(ctx.snapshot, ctx.config), legacy, { namespace: 'shop', name: 'web', serviceAccount: 'web', labels: { app: 'web' }, port, protocol: 'TCP' });
      };
      const annotated = `${two({ 'consul.hashicorp.com/connect-service-port': '8080' })}${entries}`;
      expect(on(annotated, 8080)).toMatchObject({ verdict: 'allowed' });
      expect(on(annotated, 9090)).toMatchObject({ verdict: 'denied' });
      expect(on(annotated, 9090).reason).toMatch(/opens service port 8080 only/);
      expect(on(`${two({})}${entries}`, 8080)).toMatchObject({ verdict: 'unknown', plaintext: true });
    });
  });

  it('service identity: the connect-service annotation, else the selecting Service, else the service account', () => {
    const yaml = `${app('shop', 'web', { sa: 'web-sa', annotations: { 'consul.hashicorp.com/connect-service': 'frontend' } })}${app('shop', 'api', { sa: 'api-sa' })}
apiVersion: v1
kind: Service
metadata: {name: api-svc, namespace: shop}
spec: {selector: {app: api}, ports: [{port: 80, targetPort: 8080}]}
---
${intentions('api', 'api-svc', '[{name: frontend, action: allow}, {name: "*", action: deny}]')}`;
    expect(judge(yaml, { ...caller('shop', 'web-sa'), labels: { app: 'web' } }, 'shop', 'api')).toMatchObject({ verdict: 'allowed', rule: 0 });
    const ctx = ctxOf(yaml);
    expect(meshModel(ctx.snapshot, ctx.config).workloads.map((w) => [w.workload.ref.name, w.mesh, w.consulService])).toEqual([['web', 'consul', 'frontend'], ['api', 'consul', 'api-svc']]);
  });

  it('injection: the connect injector default and its namespace lists; a ServiceIntentions without a destination is named', () => {
    const yaml = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: consul-connect-injector, namespace: consul}
spec:
  selector: {matchLabels: {app: consul}}
  template:
    metadata: {labels: {app: consul}}
    spec:
      containers:
      - name: sidecar-injector
        image: hashicorp/consul-k8s-control-plane:1.4.0
        command: ["/bin/sh", "-ec", "consul-k8s-control-plane inject-connect \\\\\\n  -default-inject=true \\\\\\n  -deny-k8s-namespace=\\"legacy\\" \\\\\\n"]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: example/web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: old, namespace: legacy}
spec:
  selector: {matchLabels: {app: old}}
  template:
    metadata: {labels: {app: old}}
    spec: {containers: [{name: old, image: example/old:1}]}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: broken, namespace: shop}
spec: {sources: [{name: web, action: allow}]}
`;
    const ctx = ctxOf(yaml);
    const m = meshModel(ctx.snapshot, ctx.config);
    expect(m.consul.injector).toMatchObject({ injectDefault: true, denyNamespaces: ['legacy'] });
    expect(m.workloads.filter((w) => w.namespace !== 'consul').map((w) => [w.workload.ref.name, w.mesh])).toEqual([['web', 'consul'], ['old', 'none']]);
    expect(m.consul.present).toBe(true);
    expect(m.consul.intentions.problems).toEqual([{ ref: { kind: 'ServiceIntentions', namespace: 'shop', name: 'broken' }, problem: 'spec.destination.name is missing: Consul rejects the entry, it authorizes nothing' }]);
  });
});

describe('Consul sidecar bypasses', () => {
  const base = (annotations: Record<string, string>) => app('shop', 'api', { annotations }) + app('shop', 'web') + intentions('api', 'api', '[{name: "*", action: deny}]');
  it('a port excluded from the transparent proxy reaches the application without intentions', () => {
    const v = judge(base({ 'consul.hashicorp.com/transparent-proxy-exclude-inbound-ports': '8080,9090' }), caller('shop', 'web'), 'shop', 'api');
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'allowed', plaintext: true });
    expect(v.reason).toMatch(/excluded from the Consul sidecar/);
  });
  it('over every port, an excluded port no container declares is judged, and reaches the application', () => {
    const ctx = ctxOf(base({ 'consul.hashicorp.com/transparent-proxy-exclude-inbound-ports': '9100', 'prometheus.io/port': '9200' }));
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'shop', name: 'api' }, allConns())!;
    expect(over.ports.find((p) => p.port === 9100)).toMatchObject({ verdict: 'allowed' });
    expect(over.ports.find((p) => p.port === 8080)).toMatchObject({ verdict: 'denied' });
    expect(over.ports.map((p) => p.port)).not.toContain(9200);
  });
  it('with the transparent proxy off the answer is unknown (the application may listen on the pod address)', () => {
    expect(judge(base({ 'consul.hashicorp.com/transparent-proxy': 'false' }), caller('shop', 'web'), 'shop', 'api').verdict).toBe('unknown');
    expect(judge(base({ 'consul.hashicorp.com/transparent-proxy': 'true' }), caller('shop', 'web'), 'shop', 'api')).toMatchObject({ verdict: 'denied', policy: { name: 'api' } });
  });
});

describe('Consul transparent proxy: pod annotation, else namespace label, else the injector default', () => {
  // consul-k8s control-plane/connect-inject/common/common.go TransparentProxyEnabled; values are
  // read with strconv.ParseBool. The callee is Consul-injected with ACLs deny; the caller is
  // outside the mesh: with the transparent proxy on its sidecar refuses plaintext, with it off the
  // application's port may be reachable directly.
  const TPROXY = 'consul.hashicorp.com/transparent-proxy';
  const injector = (flags: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: consul-connect-injector, namespace: consul}
spec:
  selector: {matchLabels: {app: consul}}
  template:
    metadata: {labels: {app: consul}}
    spec:
      containers:
      - name: sidecar-injector
        image: hashicorp/consul-k8s-control-plane:1.6.0
        command: ["/bin/sh", "-ec", "exec consul-k8s-control-plane inject-connect -log-level=info ${flags} -allow-k8s-namespace=\\"*\\""]
---`;
  const shop = (labels = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop${labels ? `, labels: {${labels}}` : ''}}
---`;
  const rogue = caller('other', 'rogue', false);
  const db = (annotations: Record<string, string> = {}) => app('shop', 'db', { annotations });
  const verdict = (yaml: string) => judge(`${aclDeny}${yaml}`, rogue, 'shop', 'db');

  it('a namespace labelled transparent-proxy "false" lets a plaintext caller dial the port directly: unknown, not denied', () => {
    const v = verdict(`${shop(`${TPROXY}: "false"`)}${db()}`);
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'unknown', plaintext: true });
    expect(v.reason).toMatch(/transparent proxy is off \(namespace label consul\.hashicorp\.com\/transparent-proxy="false"\)/);
    // The pod annotation overrides the namespace label.
    expect(verdict(`${shop(`${TPROXY}: "false"`)}${db({ [TPROXY]: 'true' })}`)).toMatchObject({ verdict: 'denied', plaintext: true });
  });

  it('the injector flag -default-enable-transparent-proxy=false turns it off for pods and namespaces that say nothing', () => {
    const v = verdict(`${shop()}${injector('-default-inject=false -default-enable-transparent-proxy=false')}${db()}`);
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/default-enable-transparent-proxy false \(Deployment consul\/consul-connect-injector\)/);
    expect(verdict(`${shop(`${TPROXY}: "true"`)}${injector('-default-enable-transparent-proxy=false')}${db()}`).verdict).toBe('denied');
    expect(verdict(`${shop()}${injector('-default-enable-transparent-proxy')}${db()}`).verdict).toBe('denied');
  });

  // consul-k8s parses inject-connect's flags with Go's flag package (subcommand/inject-connect/command.go:
  // flag.NewFlagSet), which "stops just before the first non-flag argument" (https://pkg.go.dev/flag),
  // unlike pflag: a boolean takes no separate value, so `-default-inject false` is -default-inject,
  // then the argument "false", and no flag after it is parsed.
  it('a flag after a non-flag argument is never parsed: -default-enable-transparent-proxy=false after "-default-inject false" leaves the transparent proxy on', () => {
    expect(verdict(`${shop()}${injector('-default-inject false -default-enable-transparent-proxy=false')}${db()}`)).toMatchObject({ mesh: 'consul', verdict: 'denied', plaintext: true });
    // Before it, or after `--`-less flags only, it is read.
    expect(verdict(`${shop()}${injector('-default-enable-transparent-proxy=false -default-inject false')}${db()}`).verdict).toBe('unknown');
  });

  it('annotation values are read as Go reads booleans: "False" and "0" are off; a value that is not a boolean is unknown', () => {
    expect(verdict(`${shop()}${db({ [TPROXY]: 'False' })}`).verdict).toBe('unknown');
    expect(verdict(`${shop()}${db({ [TPROXY]: '0' })}`).verdict).toBe('unknown');
    expect(verdict(`${shop()}${db({ [TPROXY]: 'TRUE' })}`).verdict).toBe('denied');
    const odd = verdict(`${shop()}${db({ [TPROXY]: 'no' })}`);
    expect(odd.verdict).toBe('unknown');
    expect(odd.reason).toMatch(/transparent-proxy="no" is not a boolean/);
  });
});

describe('Consul injection values are read as the injector reads them (strconv.ParseBool)', () => {
  // consul-k8s control-plane/connect-inject/webhook/mesh_webhook.go shouldInject: kube-system and
  // kube-public are never injected; otherwise the connect-inject annotation, parsed with
  // strconv.ParseBool, else the injector's -default-inject (true when absent,
  // subcommand/inject-connect/command.go).
  const INJECT = 'consul.hashicorp.com/connect-inject';
  const pod = (ns: string, value?: string) => deploymentYaml(ns, 'db', { serviceAccount: 'db', annotations: value === undefined ? {} : { [INJECT]: value }, ports: [5432] });
  const injector = (flags: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: consul-connect-injector, namespace: consul}
spec:
  selector: {matchLabels: {app: consul}}
  template:
    metadata: {labels: {app: consul}}
    spec: {containers: [{name: sidecar-injector, image: hashicorp/consul-k8s-control-plane:1.6.0, command: ["/bin/sh", "-ec", "exec consul-k8s-control-plane inject-connect ${flags}"]}]}
---`;
  const meshOf = (yaml: string, ns = 'shop') => {
    const ctx = ctxOf(`${aclDeny}${yaml}`);
    return meshModel(ctx.snapshot, ctx.config).workloads.find((w) => w.namespace === ns && w.workload.ref.name === 'db')!;
  };

  it('annotation "True" (and "1") injects: a plaintext caller is refused by the sidecar, not let through as outside the mesh', () => {
    const ctx = ctxOf(`${aclDeny}${pod('shop', 'True')}`);
    expect(meshModel(ctx.snapshot, ctx.config).workloads.find((w) => w.workload.ref.name === 'db')?.mesh).toBe('consul');
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name: 'db' }, 5432, 'TCP');
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'denied', plaintext: true });
    expect(meshOf(pod('shop', '1')).mesh).toBe('consul');
    expect(meshOf(`${injector('-default-inject=true')}${pod('shop', 'FALSE')}`).mesh).toBe('none');
  });

  it('an annotation that is not a boolean is not injected (the webhook refuses the pod), and says so', () => {
    const w = meshOf(`${injector('-default-inject=true')}${pod('shop', 'yes')}`);
    expect(w.mesh).toBe('none');
    expect(w.unmeshedReason).toMatch(/connect-inject="yes" is not a boolean/);
  });

  it('-default-inject: "True" and an absent flag inject by default; kube-public and kube-system never are', () => {
    expect(meshOf(`${injector('-default-inject=True')}${pod('shop')}`).mesh).toBe('consul');
    expect(meshOf(`${injector('-log-level=info')}${pod('shop')}`).mesh).toBe('consul');
    expect(meshOf(`${injector('-default-inject=false')}${pod('shop')}`).mesh).toBe('none');
    expect(meshOf(`${injector('-default-inject=true')}${pod('kube-public', 'true')}`, 'kube-public').mesh).toBe('none');
    expect(meshOf(`${injector('-default-inject=true')}${pod('kube-system')}`, 'kube-system').mesh).toBe('none');
  });
});

describe('Consul injection expected but missing', () => {
  it('a running pod without the dataplane in a namespace the injector serves by default is outside the mesh; Consul\'s own namespace is not expected to be meshed', async () => {
    const { workloadOutsideMesh } = await import('../../../checks/mtls/workload-outside-mesh.ts');
    const yaml = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: consul-connect-injector, namespace: consul}
spec:
  selector: {matchLabels: {app: consul}}
  template:
    metadata: {labels: {app: consul}, annotations: {consul.hashicorp.com/connect-inject: "false"}}
    spec:
      containers: [{name: sidecar-injector, image: hashicorp/consul-k8s-control-plane:1.4.0, command: ["/bin/sh", "-ec", "consul-k8s-control-plane inject-connect -default-inject=true"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: shop, labels: {app: api}}
spec:
  serviceAccountName: api
  containers: [{name: api, image: example/api:1}]
`;
    const ctx = ctxOf(yaml);
    const fails = [...workloadOutsideMesh.evaluate(ctx)].filter((v) => v.status === 'fail');
    expect(fails.map((v) => `${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`)).toEqual(['Pod shop/api-0']);
    expect(fails[0].message).toMatch(/Consul connect injector injects by default .*no Consul dataplane container although injection is requested/);
  });
});

describe('mtls.mesh-required with Consul only', () => {
  it('names Consul as the mesh present (was: "A service mesh is present ()")', () => {
    const ctx = ctxOf(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
${deploymentYaml('shop', 'api', { annotations: { 'consul.hashicorp.com/connect-inject': 'true' } })}`, (c) => { c.target.requireMtls = true; });
    const [v] = [...meshRequired.evaluate(ctx)];
    expect(v).toMatchObject({ status: 'pass', message: 'A service mesh is present (Consul).', evidence: { consul: expect.arrayContaining([expect.stringContaining('Consul dataplane')]) } });
  });
});
