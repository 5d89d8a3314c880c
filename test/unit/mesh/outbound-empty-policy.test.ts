// An outboundTrafficPolicy written without a mode is REGISTRY_ONLY, not Istio's default ALLOW_ANY.
// istiod reads the mesh config with pkg/config/mesh ApplyMeshConfig → pkg/util/protomarshal
// ApplyYAML (sigs.k8s.io/yaml YAMLToJSON, then golang/protobuf v1.5.4 jsonpb), and a Sidecar with
// istio.io/api's SidecarUnmarshaler (jsonpb too): a message field present in the input is a NEW
// message, so `{}` leaves its enum at 0, and `enum Mode { REGISTRY_ONLY = 0; ALLOW_ANY = 1; }`
// (istio.io/api mesh/v1alpha1/config.proto, networking/v1alpha3/sidecar.proto). A field set to
// null is skipped: `outboundTrafficPolicy: null` keeps DefaultMeshConfig's ALLOW_ANY.
//
// Oracle, run 2026-12-06 (Go 1.26.8): a program calling mesh.ApplyMeshConfigDefaults of
// istio.io/istio v0.0.0-20260827124520-eed52ebb66ad (istio.io/api v1.31.0-rc.0.0.20260824154656-b943409680a7),
// whose pkg/config/mesh/mesh.go and pkg/util/protomarshal/protomarshal.go are byte-identical to
// tag 1.28.10's (same golang/protobuf v1.5.4, sigs.k8s.io/yaml v1.6.0), printed:
//   "{}"                                     -> ALLOW_ANY (1)
//   "outboundTrafficPolicy: {}"              -> REGISTRY_ONLY (0)
//   "outboundTrafficPolicy: {mode: null}"    -> REGISTRY_ONLY (0)
//   "outboundTrafficPolicy: null"            -> ALLOW_ANY (1)
//   "outboundTrafficPolicy: {mode: 0}"       -> REGISTRY_ONLY (0)
//   "outboundTrafficPolicy: {mode: 1}"       -> ALLOW_ANY (1)
//   "outboundTrafficPolicy: {mode: 1.0}"     -> ALLOW_ANY (1)
//   "outboundTrafficPolicy: {mode: 2}"       -> 2 (2)   (no mode Istio names)
//   "outboundTrafficPolicy: {mode: \"1\"}"   -> error: unknown value "\"1\"" for enum ...OutboundTrafficPolicy.Mode
//   "outboundTrafficPolicy: ALLOW_ANY"       -> error: json: cannot unmarshal string into Go value of type map[string]json.RawMessage
//   "outboundTrafficPolicy: {egressProxy: null}" -> REGISTRY_ONLY (0)
// and networking.Sidecar.UnmarshalJSON of the same module: {"outboundTrafficPolicy": {}} and
// {"outboundTrafficPolicy": {"mode": null}} -> REGISTRY_ONLY; {"outboundTrafficPolicy": null} ->
// nil, which pilot/pkg/model/sidecar.go (tag 1.28.10, GetOutboundTrafficPolicy() == nil) replaces
// with the mesh config's mode. Helm values and IstioOperator `meshConfig` reach istiod only through
// this ConfigMap, which is what is read here.
import { describe, expect, it } from 'vitest';
import { istioOutbound } from '../../../src/analysis/mesh/index.ts';
import { outboundAllowAny } from '../../../checks/mtls/outbound-allow-any.ts';
import { ctxOf, run } from './helpers.ts';

const scene = (mesh: string, sidecar = '') => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    ${mesh}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: example/web:1}]}
---${sidecar}`;

const SIDECAR = (policy: string) => `
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  outboundTrafficPolicy: ${policy}
---`;

const REFUSED = ': the Sidecar CRD\'s schema takes only the strings REGISTRY_ONLY and ALLOW_ANY there, so the API server refuses this Sidecar (ignored, as if absent)';
const verdictOn = (yaml: string) => run(outboundAllowAny, ctxOf(yaml)).map((v) => `${v.status} ${v.resource.kind} ${v.resource.name}: ${v.message}`);
const modeOf = (yaml: string) => { const c = ctxOf(yaml); return istioOutbound(c.snapshot, c.config).workloads.map((w) => [w.mode, w.decidedBy]); };

describe('mesh config outboundTrafficPolicy without a mode', () => {
  it('`outboundTrafficPolicy: {}` and `{mode: null}` are REGISTRY_ONLY: the namespace passes (was: fail, "Istio default ALLOW_ANY")', () => {
    for (const mesh of ['outboundTrafficPolicy: {}', 'outboundTrafficPolicy: {mode: null}', 'outboundTrafficPolicy: {egressProxy: null}']) {
      expect(modeOf(scene(mesh))).toEqual([['REGISTRY_ONLY', "ConfigMap istio-system/istio mesh.outboundTrafficPolicy (set without a mode: REGISTRY_ONLY, the enum's zero value)"]]);
      expect(verdictOn(scene(mesh))).toEqual([
        "pass Namespace shop: Istio sidecars in shop reach registered hosts only (ConfigMap istio-system/istio mesh.outboundTrafficPolicy (set without a mode: REGISTRY_ONLY, the enum's zero value)).",
      ]);
    }
  });

  it('`outboundTrafficPolicy: null` is skipped by jsonpb: the default ALLOW_ANY stays and the namespace fails', () => {
    expect(modeOf(scene('outboundTrafficPolicy: null'))).toEqual([['ALLOW_ANY', 'ConfigMap istio-system/istio sets no outboundTrafficPolicy (Istio default ALLOW_ANY)']]);
    expect(verdictOn(scene('outboundTrafficPolicy: null'))[0]).toMatch(/^fail Namespace shop: 1 meshed workload\(s\) in shop may reach any external host/);
  });

  it('a mode by number: 0 is REGISTRY_ONLY, 1 (or 1.0) ALLOW_ANY; a quoted "1" or a fraction, which istiod refuses, is unknown, never a pass', () => {
    expect(modeOf(scene('outboundTrafficPolicy: {mode: 0}'))[0][0]).toBe('REGISTRY_ONLY');
    expect(modeOf(scene('outboundTrafficPolicy: {mode: 1}'))[0][0]).toBe('ALLOW_ANY');
    expect(modeOf(scene('outboundTrafficPolicy: {mode: 1.0}'))[0][0]).toBe('ALLOW_ANY');
    for (const mode of ['"1"', '2.5']) {
      const vs = verdictOn(scene(`outboundTrafficPolicy: {mode: ${mode}}`));
      expect(modeOf(scene(`outboundTrafficPolicy: {mode: ${mode}}`))[0][0]).toBeUndefined();
      expect(vs.some((v) => v.startsWith('pass'))).toBe(false);
      expect(vs).toContain('fail Namespace shop: 1 meshed workload(s) in shop: whether they may reach any external host is unknown, their outboundTrafficPolicy cannot be read (ConfigMap istio-system/istio mesh.outboundTrafficPolicy).');
      expect(vs[0]).toContain(`fail ConfigMap istio: Istio mesh config in ConfigMap istio-system/istio mesh.outboundTrafficPolicy cannot be read: mesh.outboundTrafficPolicy.mode is ${mode === '2.5' ? '2.5' : '"1"'}, not ALLOW_ANY or REGISTRY_ONLY (or 1, 0)`);
    }
  });

  // The oracle above: {mode: 2} is kept as the number 2 (jsonpb reads an unquoted enum into an
  // int32, golang/protobuf v1.5.4 jsonpb/decode.go), and istiod passes traffic through only when the
  // mode is ALLOW_ANY (istio/istio tag 1.28.9 pilot/pkg/networking/util/util.go IsAllowAnyOutbound;
  // pilot/pkg/model/sidecar.go copies the mesh's mode into every sidecar scope): 2 acts as
  // REGISTRY_ONLY. A fraction fails jsonpb's int32 read, and istiod refuses the whole mesh config.
  it('a mode number Istio names no mode for (2, 7, -1) is REGISTRY_ONLY, as istiod runs it: the namespace passes (was: unknown, a failure)', () => {
    for (const mode of ['2', '7', '-1']) {
      const yaml = scene(`outboundTrafficPolicy: {mode: ${mode}}`);
      expect(modeOf(yaml)).toEqual([['REGISTRY_ONLY', `ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode (${mode}, a number Istio names no mode for: istiod keeps it, and any mode but ALLOW_ANY acts as REGISTRY_ONLY)`]]);
      expect(verdictOn(yaml)).toEqual([`pass Namespace shop: Istio sidecars in shop reach registered hosts only (ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode (${mode}, a number Istio names no mode for: istiod keeps it, and any mode but ALLOW_ANY acts as REGISTRY_ONLY)).`]);
    }
    // Past int32 jsonpb refuses it: unknown.
    expect(modeOf(scene('outboundTrafficPolicy: {mode: 2147483648}'))[0][0]).toBeUndefined();
  });

  it('a Sidecar\'s mode 2 is still a Sidecar problem, not read as REGISTRY_ONLY: its CRD takes only the two names, so no such Sidecar is stored', () => {
    const c = ctxOf(scene('outboundTrafficPolicy: {mode: ALLOW_ANY}', SIDECAR('{mode: 2}')));
    expect(istioOutbound(c.snapshot, c.config).sidecarProblems.map((x) => x.problem)).toEqual([`outboundTrafficPolicy.mode is 2, not ALLOW_ANY or REGISTRY_ONLY${REFUSED}`]);
  });

  it('a policy that is no mapping (`outboundTrafficPolicy: REGISTRY_ONLY`), which istiod refuses, is unknown (was: the default ALLOW_ANY)', () => {
    expect(modeOf(scene('outboundTrafficPolicy: REGISTRY_ONLY'))).toEqual([[undefined, 'ConfigMap istio-system/istio mesh.outboundTrafficPolicy']]);
    expect(verdictOn(scene('outboundTrafficPolicy: REGISTRY_ONLY'))[0]).toBe('fail ConfigMap istio: Istio mesh config in ConfigMap istio-system/istio mesh.outboundTrafficPolicy cannot be read: mesh.outboundTrafficPolicy is "REGISTRY_ONLY", not a mapping; whether sidecars pass traffic to unknown hosts is unknown.');
  });
});

describe('Sidecar outboundTrafficPolicy without a mode', () => {
  it('a Sidecar with `outboundTrafficPolicy: {}` overrides a mesh-wide ALLOW_ANY with REGISTRY_ONLY (was: followed the mesh config and failed)', () => {
    for (const policy of ['{}', '{mode: null}']) {
      const yaml = scene('outboundTrafficPolicy: {mode: ALLOW_ANY}', SIDECAR(policy));
      expect(modeOf(yaml)).toEqual([['REGISTRY_ONLY', 'Sidecar shop/default (outboundTrafficPolicy set without a mode: REGISTRY_ONLY)']]);
      expect(verdictOn(yaml)).toEqual(['pass Namespace shop: Istio sidecars in shop reach registered hosts only (Sidecar shop/default (outboundTrafficPolicy set without a mode: REGISTRY_ONLY)).']);
    }
  });

  it('a Sidecar with `outboundTrafficPolicy: null` leaves the mesh config to decide', () => {
    expect(modeOf(scene('outboundTrafficPolicy: {mode: REGISTRY_ONLY}', SIDECAR('null')))[0][0]).toBe('REGISTRY_ONLY');
    expect(modeOf(scene('outboundTrafficPolicy: {mode: ALLOW_ANY}', SIDECAR('null')))[0][0]).toBe('ALLOW_ANY');
  });
});

// A Sidecar's mode given as a number. jsonpb would read 0 and 1 as the two modes (the oracle above),
// but a Sidecar reaches istiod only through the API server, and the Sidecar CRD's openAPIV3Schema
// types outboundTrafficPolicy.mode `type: string` with `enum: [REGISTRY_ONLY, ALLOW_ANY]`
// (istio/api kubernetes/customresourcedefinitions.gen.yaml, tags 1.8.0, 1.20.0, 1.26.0 and 1.29.0;
// istio/istio copies it into manifests/charts/base/files/crd-all.gen.yaml): the API server's
// structural-schema validation refuses the number ("must be of type string"), so the Sidecar is
// never stored. ztaudit warns (a low finding on the Sidecar) and ignores it as if absent, as the
// cluster would: the next Sidecar in line (the namespace's, then the root namespace's) or the mesh
// config decides. Before: `{mode: 0}` read as REGISTRY_ONLY passed a namespace the mesh config's
// ALLOW_ANY leaves open, and `{mode: 1}` failed one the mesh config closes.
describe('Sidecar outboundTrafficPolicy.mode as a number: refused by the CRD schema, ignored', () => {
  it('`{mode: 0}` under a mesh-wide ALLOW_ANY: the namespace fails by the mesh config, and the Sidecar is flagged as refused (was: pass, REGISTRY_ONLY)', () => {
    const yaml = scene('outboundTrafficPolicy: {mode: ALLOW_ANY}', SIDECAR('{mode: 0}'));
    expect(modeOf(yaml)).toEqual([['ALLOW_ANY', 'ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode']]);
    const vs = verdictOn(yaml);
    expect(vs).toContain(`fail Sidecar default: Sidecar shop/default: outboundTrafficPolicy.mode is 0, not ALLOW_ANY or REGISTRY_ONLY${REFUSED}.`);
    expect(vs.some((v) => v.startsWith('fail Namespace shop: 1 meshed workload(s) in shop may reach any external host'))).toBe(true);
    expect(vs.some((v) => v.startsWith('pass'))).toBe(false);
  });

  it('`{mode: 1}` under a mesh-wide REGISTRY_ONLY: the namespace passes by the mesh config (was: fail, ALLOW_ANY)', () => {
    const yaml = scene('outboundTrafficPolicy: {mode: REGISTRY_ONLY}', SIDECAR('{mode: 1}'));
    expect(modeOf(yaml)).toEqual([['REGISTRY_ONLY', 'ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode']]);
    expect(verdictOn(yaml)).toContain('pass Namespace shop: Istio sidecars in shop reach registered hosts only (ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode).');
  });

  it('a refused Sidecar does not hide the root namespace\'s: its REGISTRY_ONLY decides', () => {
    const root = `
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: istio-system}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
---`;
    expect(modeOf(scene('outboundTrafficPolicy: {mode: ALLOW_ANY}', SIDECAR('{mode: 1}') + root))).toEqual([['REGISTRY_ONLY', 'Sidecar istio-system/default']]);
  });

  it('the mesh config (a ConfigMap, no schema) still takes 0 and 1 as istiod reads them', () => {
    expect(modeOf(scene('outboundTrafficPolicy: {mode: 0}'))[0][0]).toBe('REGISTRY_ONLY');
    expect(modeOf(scene('outboundTrafficPolicy: {mode: 1}'))[0][0]).toBe('ALLOW_ANY');
  });
});
