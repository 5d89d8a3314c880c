// Consul's default intention is its ACL default policy ("If the default ACL policy is allow all,
// then all service-to-service connections in the mesh are allowed by default",
// https://developer.hashicorp.com/consul/docs/connect/intentions): with ACLs off (the Helm chart's
// default) every mesh service may call every other unless an intention says otherwise. A
// `* → *` deny intention restores deny-by-default whatever the ACL setting. Severity by blast
// radius: high when meshed services are open to every caller because of it, medium when the
// setting was assumed (the servers' ConfigMap was not in the snapshot), low when no meshed
// service relies on it.
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { consulPresent, judgeConsulFlow, meshModel } from '../../src/analysis/mesh/index.ts';
import { isSystemNamespace } from '../../src/analysis/netpol/rules.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_AUTHORIZATION } from '../controls.ts';
import { CONSUL_DEFAULT_INTENTION_READ, CONSUL_SERVICE_NAMES_READ } from './lib/mesh-config-reads.ts';
import { ISTIO_REVISION_TAGS_READ } from './lib/istio-mesh-config.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { workloadMembers } from './lib/members.ts';
import type { ResourceRef } from '../../src/base/vocabulary.ts';
import { meshUnseenNamespaces, meshUnseenNote, namespaceKnown } from './lib/unseen-namespaces.ts';

const SAMPLE = 10;

export const consulDefaultAllow: Check = {
  id: 'mtls.consul-default-allow',
  area: 'mtls',
  title: 'Consul intentions deny by default',
  protectsAgainst: 'a Consul service mesh whose default intention is allow (ACLs off, or acl.default_policy allow) with no `* → *` deny intention, so every mesh service may call every other one nobody wrote an intention for',
  severity: 'high',
  controls: MESH_AUTHORIZATION,
  remediation: 'Install Consul with `global.acls.manageSystemACLs: true` (servers get acl.default_policy deny), or add a ServiceIntentions with `destination: {name: "*"}` and `sources: [{name: "*", action: deny}]`; then allow each caller explicitly with one ServiceIntentions per destination service.',
  needs: ['namespaces', 'pods'],
  reads: ['consul.serviceintentions'],
  readsWhen: [...meshPresenceReads('consul'), ISTIO_REVISION_TAGS_READ, CONSUL_DEFAULT_INTENTION_READ, CONSUL_SERVICE_NAMES_READ],
  appliesTo: consulPresent,
  appliesWhen: 'when Consul service mesh is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the workloads there were not counted among those the default intention opens'),
  unjudgedNamespaces: meshUnseenNamespaces,
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const d = m.consul.defaultIntention;
    const denyAll = m.consul.intentions.intentions.find((it) => it.destination.name === '*' && (it.destination.namespace === undefined || it.destination.namespace === '*') &&
      it.sources.some((s) => s.name === '*' && (s.namespace === undefined || s.namespace === '*') && s.action === 'deny' && !s.remote));
    if (denyAll) {
      return [{ status: 'pass', resource: denyAll.ref, message: `ServiceIntentions ${denyAll.ref.namespace}/${denyAll.ref.name} denies every service to every service by default (whatever the ACL default policy: ${d.action}).`, evidence: { defaultIntention: d.action, source: d.source } }];
    }
    if (d.action === 'deny') {
      return [{ status: 'pass', resource: d.resource, message: `Consul intentions default to deny (${d.source}).`, evidence: { defaultIntention: d.action, source: d.source } }];
    }
    // Which meshed services an unnamed caller reaches because of the default.
    const anyone = { namespace: '\u0000', serviceAccount: '\u0000', labels: {}, mtls: true };
    const open: string[] = [];
    const openRefs: ResourceRef[] = [];
    for (const w of m.workloads) {
      if (w.mesh !== 'consul' || !namespaceKnown(w) || isSystemNamespace(w.namespace, ctx.config.systemNamespaces)) continue;
      const v = judgeConsulFlow({ index: m.consul.intentions, defaultIntention: d, callerService: '\u0000', calleeService: w.consulService ?? w.workload.ref.name },
        anyone, { namespace: w.namespace, name: w.workload.ref.name, serviceAccount: '', labels: w.labels, port: 0, protocol: 'TCP' });
      if (v.verdict === 'allowed' && v.policy?.kind === 'ConfigMap') { open.push(refString(w.workload.ref)); openRefs.push(w.workload.ref); }
    }
    const severity = open.length === 0 ? 'low' : d.assumed ? 'medium' : 'high';
    const verdict: Verdict = {
      status: 'fail', resource: d.resource, severity,
      message: `Consul intentions default to allow (${d.source})${open.length > 0 ? `: ${open.length} meshed workload(s) accept calls from any mesh service (${open.slice(0, SAMPLE).join(', ')}${open.length > SAMPLE ? ', …' : ''})` : '; no meshed workload relies on it yet'}.`,
      evidence: { defaultIntention: d.action, source: d.source, assumed: d.assumed, openWorkloads: open.length, sample: open.slice(0, SAMPLE) },
      extent: { unit: 'workloads', members: workloadMembers(openRefs) },
    };
    return [verdict];
  },
};
