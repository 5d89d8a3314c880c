// Slimming (kinds.ts SlimSpec, slim.ts): which kinds are slimmed, what a slimmed object keeps,
// that a kind without a declaration is kept whole, that the snapshot reader slims, and that
// the whole catalog gives the same results on every check fixture slimmed (and shared) or not.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { Interner } from '../../../src/snapshot/intern.ts';
import { slimObject, slimmedKinds } from '../../../src/snapshot/slim.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import { podTemplateOf } from '../../../src/analysis/workloads.ts';
import { fixtureConfig, loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const managedFields = [{ manager: 'kubectl-client-side-apply', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }];

function livePod(): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: 'web-1', namespace: 'shop', uid: 'u1', labels: { app: 'web' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d', uid: 'u0', controller: true }],
      annotations: {
        [LAST_APPLIED]: '{"kind":"Pod"}', 'prometheus.io/scrape': 'true', 'kubectl.kubernetes.io/restartedAt': '2026-01-01',
        'sidecar.istio.io/inject': 'false', 'linkerd.io/inject': 'enabled', 'config.linkerd.io/skip-inbound-ports': '25',
        'container.apparmor.security.beta.kubernetes.io/web': 'unconfined', 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
      },
      managedFields,
    } as KubeObject['metadata'],
    spec: { containers: [{ name: 'web', image: 'nginx' }] },
    status: { phase: 'Running', podIP: '10.0.0.7', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'web', ready: true }] },
  };
}

describe('slim declarations', () => {
  it('slim exactly these kinds; every other kind (and any kind added later) is kept whole', () => {
    expect(slimmedKinds()).toEqual([
      'namespaces', 'pods', 'nodes', 'services', 'serviceaccounts', 'limitranges', 'replicationcontrollers', 'replicasets', 'deployments', 'statefulsets', 'daemonsets',
      'jobs', 'cronjobs', 'networkpolicies', 'ingresses', 'ingressclasses', 'roles', 'clusterroles', 'rolebindings', 'clusterrolebindings',
      'mutatingwebhookconfigurations', 'gatewayapi.listenersets', 'gatewayapi-x.xlistenersets', 'envoygateway.clienttrafficpolicies', 'traefik.ingressroutetcps', 'traefik-legacy.ingressroutetcps', 'traefik.middlewaretcps', 'traefik-legacy.middlewaretcps', 'contour.contourconfigurations',
      'eks.ingressclassparams', 'lbc.ingressclassparams', 'gke.frontendconfigs', 'gke.gcpgatewaypolicies',
      'calico.ippools', 'calico-v3.ippools', 'calico.felixconfigurations', 'antrea.tiers', 'antrea.clustergroups', 'antrea.groups', 'cilium.cidrgroups', 'cilium.nodeconfigs', 'endpointslices',
    ]);
  });

  it('an EndpointSlice keeps its service-name label, addressType, ports and each endpoint\'s addresses and conditions; the rest of an endpoint goes', () => {
    const slice = slimObject('endpointslices', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'legacy-db-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'legacy-db' }, annotations: { note: 'x' }, managedFields: [{}] },
      addressType: 'IPv4',
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['203.0.113.10'], conditions: { ready: true }, nodeName: 'n1', zone: 'a', targetRef: { kind: 'Pod', name: 'x' }, hints: { forZones: [{ name: 'a' }] } },
        { addresses: ['203.0.113.11'], hostname: 'db-1' },
      ],
    } as never);
    const kept = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'legacy-db-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'legacy-db' } },
      addressType: 'IPv4',
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      endpoints: [{ addresses: ['203.0.113.10'], conditions: { ready: true } }, { addresses: ['203.0.113.11'] }],
    };
    expect(slice).toEqual(kept);
    // Slimmed once (a snapshot file read back), it is kept as it is.
    expect(slimObject('endpointslices', slice)).toBe(slice);
  });

  it('a CiliumCIDRGroup keeps its labels (cidrGroupSelector) and spec.externalCIDRs; annotations and status go', () => {
    const spec = { externalCIDRs: ['10.48.0.0/24', '10.16.0.0/24'] };
    for (const apiVersion of ['cilium.io/v2', 'cilium.io/v2alpha1']) {
      const group = slimObject('cilium.cidrgroups', {
        apiVersion, kind: 'CiliumCIDRGroup',
        metadata: { name: 'vpn-example-1', labels: { role: 'vpn' }, annotations: { note: 'x' }, managedFields: [{}] },
        spec, status: { conditions: [] },
      } as never);
      expect(group).toEqual({ apiVersion, kind: 'CiliumCIDRGroup', metadata: { name: 'vpn-example-1', labels: { role: 'vpn' } }, spec });
    }
  });

  it('a Calico IPPool keeps its spec (cidr, disabled, allowedUses) and identity; annotations and status go', () => {
    const spec = { cidr: '192.168.0.0/16', ipipMode: 'Always', natOutgoing: true, disabled: true, allowedUses: ['Workload', 'Tunnel'] };
    for (const [key, apiVersion] of [['calico.ippools', 'crd.projectcalico.org/v1'], ['calico-v3.ippools', 'projectcalico.org/v3']] as const) {
      const pool = slimObject(key, {
        apiVersion, kind: 'IPPool',
        metadata: { name: 'default-ipv4-ippool', annotations: { 'projectcalico.org/metadata': '{}' }, managedFields: [{}] },
        spec, status: { conditions: [] },
      } as never);
      expect(pool).toEqual({ apiVersion, kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec });
    }
  });

  it('a ContourConfiguration keeps its spec (envoy.listener.tls) and identity; annotations and status go', () => {
    const spec = { envoy: { listener: { tls: { minimumProtocolVersion: '1.2', cipherSuites: ['ECDHE-RSA-AES128-SHA', 'AES128-SHA'] } } } };
    const cc = slimObject('contour.contourconfigurations', {
      apiVersion: 'projectcontour.io/v1alpha1', kind: 'ContourConfiguration',
      metadata: { name: 'contour', namespace: 'projectcontour', annotations: { 'meta.helm.sh/release-name': 'contour' }, managedFields: [{}] },
      spec, status: { conditions: [{ type: 'Valid', status: 'True' }] },
    } as never);
    expect(cc).toEqual({ apiVersion: 'projectcontour.io/v1alpha1', kind: 'ContourConfiguration', metadata: { name: 'contour', namespace: 'projectcontour' }, spec });
  });

  it('a Traefik IngressRouteTCP keeps its spec (routes, tls with options and passthrough), identity and the kubernetes.io/ingress.class annotation Traefik filters by; other annotations and status go', () => {
    const spec = { entryPoints: ['websecure'], routes: [{ match: 'HostSNI(`db.example.com`)', services: [{ name: 'db', port: 5432 }] }], tls: { secretName: 'db-cert', options: { name: 'legacy', namespace: 'db' }, passthrough: false } };
    for (const [key, apiVersion] of [['traefik.ingressroutetcps', 'traefik.io/v1alpha1'], ['traefik-legacy.ingressroutetcps', 'traefik.containo.us/v1alpha1']] as const) {
      const route = slimObject(key, {
        apiVersion, kind: 'IngressRouteTCP',
        metadata: { name: 'db', namespace: 'db', annotations: { 'meta.helm.sh/release-name': 'db', 'kubernetes.io/ingress.class': 'traefik-internal' }, managedFields: [{}] },
        spec, status: {},
      } as never);
      expect(route).toEqual({ apiVersion, kind: 'IngressRouteTCP', metadata: { name: 'db', namespace: 'db', annotations: { 'kubernetes.io/ingress.class': 'traefik-internal' } }, spec });
    }
  });

  it('a Traefik MiddlewareTCP keeps its spec (inFlightConn, ipAllowList, ipWhiteList) and identity; annotations and status go', () => {
    const spec = { ipAllowList: { sourceRange: ['203.0.113.0/24', '192.168.1.7'] }, inFlightConn: { amount: 10 } };
    for (const [key, apiVersion] of [['traefik.middlewaretcps', 'traefik.io/v1alpha1'], ['traefik-legacy.middlewaretcps', 'traefik.containo.us/v1alpha1']] as const) {
      const mw = slimObject(key, {
        apiVersion, kind: 'MiddlewareTCP',
        metadata: { name: 'office', namespace: 'db', annotations: { 'meta.helm.sh/release-name': 'db' }, managedFields: [{}] },
        spec, status: {},
      } as never);
      expect(mw).toEqual({ apiVersion, kind: 'MiddlewareTCP', metadata: { name: 'office', namespace: 'db' }, spec });
    }
  });

  it('a LimitRange keeps its spec (limits) and identity; its annotations go', () => {
    const lr = slimObject('limitranges', {
      apiVersion: 'v1', kind: 'LimitRange',
      metadata: { name: 'defaults', namespace: 'batch', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', team: 'x' }, managedFields: [{}] },
      spec: { limits: [{ type: 'Container', default: { memory: '512Mi' } }] },
    });
    expect(lr).toEqual({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'batch' }, spec: { limits: [{ type: 'Container', default: { memory: '512Mi' } }] } });
  });

  it('a MutatingWebhookConfiguration keeps its webhooks and identity; its annotations and managedFields go', () => {
    const webhooks = [{ name: 'mservice.elbv2.k8s.aws', clientConfig: { service: { name: 'aws-load-balancer-webhook-service', namespace: 'kube-system', path: '/mutate-v1-service' } }, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['services'] }] }];
    const mwc = slimObject('mutatingwebhookconfigurations', {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'aws-load-balancer-webhook', annotations: { 'meta.helm.sh/release-name': 'aws-load-balancer-controller' }, managedFields: [{}] },
      webhooks,
    });
    expect(mwc).toEqual({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'aws-load-balancer-webhook' }, webhooks });
  });

  it('a pod keeps its spec, identity, owners and the annotations checks read; managedFields, other annotations and most of status go', () => {
    const pod = slimObject('pods', livePod());
    expect(pod).toEqual({
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: 'web-1', namespace: 'shop', uid: 'u1', labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d', uid: 'u0', controller: true }],
        annotations: {
          'sidecar.istio.io/inject': 'false', 'linkerd.io/inject': 'enabled', 'config.linkerd.io/skip-inbound-ports': '25',
          'container.apparmor.security.beta.kubernetes.io/web': 'unconfined', 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
        },
      },
      spec: { containers: [{ name: 'web', image: 'nginx' }] },
      status: { phase: 'Running', podIP: '10.0.0.7', conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });

  // A mesh control plane whose pods run but none is Ready serves nothing (Services send traffic
  // only to Ready pods, https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-conditions):
  // src/analysis/mesh/components.ts reads the Ready condition's status, nothing else of it.
  it('a pod keeps of its conditions only Ready, as { type, status }; a snapshot slimmed so is kept as it is', () => {
    const served = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'istiod-1', namespace: 'istio-system' },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-12-01T00:00:00Z' },
          { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-12-01T00:00:00Z' },
          { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-12-01T00:00:05Z', reason: 'ContainersNotReady', message: 'containers with unready status: [discovery]' },
          { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-12-01T00:00:05Z', reason: 'ContainersNotReady' },
          { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-12-01T00:00:00Z' },
        ],
        containerStatuses: [{ name: 'discovery', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    } as KubeObject;
    const pod = slimObject('pods', served);
    expect(pod.status).toEqual({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] });
    expect(slimObject('pods', pod)).toBe(pod);
    // A pod not scheduled yet has no Ready condition: the member goes; a malformed list stays for the analyses to report.
    expect(slimObject('pods', { kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } } as KubeObject).status).toEqual({ phase: 'Pending' });
    expect(slimObject('pods', { kind: 'Pod', metadata: { name: 'p' }, status: { conditions: 'x' } } as unknown as KubeObject).status).toEqual({ conditions: 'x' });
    // A condition keeping more than its type and status, or of another type, is slimmed again.
    const stale = { kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'x' }] } } as KubeObject;
    expect(slimObject('pods', stale)).not.toBe(stale);
  });

  it('a pod keeps the Calico IPAM pool annotations the network model narrows its address by (cni.projectcalico.org/ipv4pools, ipv6pools) and its fixed addresses (ipAddrs, ipAddrsNoIpam), not the others of that prefix', () => {
    const pod = slimObject('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', annotations: { 'cni.projectcalico.org/ipv4pools': '["blue"]', 'cni.projectcalico.org/ipv6pools': '["blue6"]', 'cni.projectcalico.org/ipAddrs': '["10.0.0.7"]', 'cni.projectcalico.org/ipAddrsNoIpam': '["10.9.0.1"]', 'cni.projectcalico.org/podIP': '10.0.0.7/32' } } });
    expect(pod.metadata?.annotations).toEqual({ 'cni.projectcalico.org/ipv4pools': '["blue"]', 'cni.projectcalico.org/ipv6pools': '["blue6"]', 'cni.projectcalico.org/ipAddrs': '["10.0.0.7"]', 'cni.projectcalico.org/ipAddrsNoIpam': '["10.9.0.1"]' });
    const ns = slimObject('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'cni.projectcalico.org/ipv4pools': '["blue"]' } } });
    expect(ns.metadata?.annotations).toEqual({ 'cni.projectcalico.org/ipv4pools': '["blue"]' });
  });

  it('a Node keeps its spec (podCIDRs: the addresses its pods are given, src/analysis/netpol/node-cidrs.ts), name, labels and status.addresses (exposure.ts nodeRewriteDoubt; an AdminNetworkPolicy nodes peer selects by the labels the Node\'s addresses: engine.ts peerMatches); no annotation but kube-router\'s pod-cidr ones, and none of the rest of its status (images, conditions)', () => {
    const node = slimObject('nodes', {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' }, annotations: { 'node.alpha.kubernetes.io/ttl': '0', [LAST_APPLIED]: '{}' }, managedFields } as KubeObject['metadata'],
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'] },
      status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }], images: [{ names: ['registry.k8s.io/pause:3.10'], sizeBytes: 320368 }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(node).toEqual({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'] }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] } });
  });

  it('a Node keeps kube-router\'s kube-router.io/pod-cidr and kube-router.io/pod-cidrs annotations, which kube-router takes over spec.podCIDRs (cloudnativelabs/kube-router pkg/utils/pod_cidr.go GetPodCidrFromNodeSpec), and no other', () => {
    const node = slimObject('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', annotations: { 'kube-router.io/pod-cidr': '10.50.0.0/24', 'kube-router.io/pod-cidrs': '10.50.0.0/24,fd00:50::/64', 'kube-router.io/bgp-local-addresses': '10.0.0.1' } }, spec: { podCIDR: '10.244.1.0/24' } });
    expect(node.metadata?.annotations).toEqual({ 'kube-router.io/pod-cidr': '10.50.0.0/24', 'kube-router.io/pod-cidrs': '10.50.0.0/24,fd00:50::/64' });
  });

  it('a kind whose annotations are all read keeps them, but not kubectl\'s last-applied copy', () => {
    const ing = slimObject('ingresses', {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      metadata: { name: 'w', namespace: 'shop', annotations: { [LAST_APPLIED]: '{}', 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' }, managedFields } as KubeObject['metadata'],
      spec: { rules: [] }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] }, other: 1 },
    });
    expect(ing.metadata).toEqual({ name: 'w', namespace: 'shop', annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } });
    expect(ing.status).toEqual({ loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } });
  });

  it('an Ingress keeps its finalizers (the AWS Load Balancer Controller\'s say its ALB still exists); other kinds drop them', () => {
    const meta = { name: 'w', namespace: 'shop', finalizers: ['ingress.k8s.aws/resources'], managedFields } as KubeObject['metadata'];
    const ing = slimObject('ingresses', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta, spec: { rules: [] } });
    expect(ing.metadata).toEqual({ name: 'w', namespace: 'shop', finalizers: ['ingress.k8s.aws/resources'] });
    // Kept once slimmed: a snapshot file's Ingress is not copied again.
    expect(slimObject('ingresses', ing)).toBe(ing);
    const svc = slimObject('services', { apiVersion: 'v1', kind: 'Service', metadata: { ...meta, finalizers: ['service.kubernetes.io/load-balancer-cleanup'] }, spec: {} });
    expect(svc.metadata).toEqual({ name: 'w', namespace: 'shop' });
  });

  it('a binding keeps roleRef and subjects; RBAC objects keep only the autoupdate annotation', () => {
    const crb = slimObject('clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
      metadata: { name: 'b', annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true', [LAST_APPLIED]: '{}', team: 'x' }, managedFields } as KubeObject['metadata'],
      roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'u' }],
    });
    expect(crb).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
      metadata: { name: 'b', annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
      roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'u' }],
    });
  });

  it('a Job keeps its status conditions (a finished Job is not judged by its template) and succeeded count (the completions still to come bound the pods it wants), and drops its other counters', () => {
    const conditions = [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-11-30T02:01:00Z' }];
    const job = slimObject('jobs', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop', managedFields } as KubeObject['metadata'],
      spec: { template: { spec: { containers: [] } } },
      status: { conditions, startTime: '2026-11-30T02:00:00Z', completionTime: '2026-11-30T02:01:00Z', succeeded: 1, ready: 0 },
    });
    expect(job.status).toEqual({ conditions, succeeded: 1 });
    expect(slimObject('deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, status: { conditions, replicas: 1 } }).status).toBeUndefined();
  });

  it('workloads keep what ties running pods to their current revision: StatefulSet updateRevision, DaemonSet updatedNumberScheduled, the revision annotations', () => {
    // A pod of the current revision proves admission accepts the current template (src/analysis/pss/model.ts).
    const sts = slimObject('statefulsets', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' },
      status: { currentRevision: 'db-1', updateRevision: 'db-2', replicas: 3, readyReplicas: 3 },
    });
    expect(sts.status).toEqual({ updateRevision: 'db-2' });
    const rs = slimObject('replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d', annotations: { 'deployment.kubernetes.io/revision': '4', 'deployment.kubernetes.io/desired-replicas': '2' } } });
    expect(rs.metadata?.annotations).toEqual({ 'deployment.kubernetes.io/revision': '4' });
    // An Argo Rollout numbers its ReplicaSets' revisions in its own annotation: the latest is the one its next pods come from.
    const argo = slimObject('replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-6b7c8d', annotations: { 'rollout.argoproj.io/revision': '2', 'rollout.argoproj.io/desired-replicas': '3' } } });
    expect(argo.metadata?.annotations).toEqual({ 'rollout.argoproj.io/revision': '2' });
    const ds = slimObject('daemonsets', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', annotations: { 'deprecated.daemonset.template.generation': '3' } } });
    expect(ds.metadata?.annotations).toEqual({ 'deprecated.daemonset.template.generation': '3' });
    // And what a DaemonSet's controller counts as updated (by revision hash too), with the generation it was counted for.
    const counted = slimObject('daemonsets', {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', generation: 3 },
      status: { currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 2, observedGeneration: 3, updatedNumberScheduled: 2, numberAvailable: 2 },
    });
    expect(counted.status).toEqual({ desiredNumberScheduled: 2, observedGeneration: 3, updatedNumberScheduled: 2 });
    expect(counted.metadata).toEqual({ name: 'agent', generation: 3 });
  });

  it('a DaemonSet keeps desiredNumberScheduled: one scheduled to no node wants no pods, so a template admission refuses is not "every pod refused"', () => {
    const ds = slimObject('daemonsets', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'gpu-agent' }, status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberReady: 0, numberMisscheduled: 0 } });
    expect(ds.status).toEqual({ desiredNumberScheduled: 0 });
  });

  it('an undeclared kind is kept whole, managedFields and status included', () => {
    const pa: KubeObject = {
      apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system', annotations: { [LAST_APPLIED]: '{}' }, managedFields } as KubeObject['metadata'],
      spec: { mtls: { mode: 'STRICT' } }, status: { conditions: [] },
    };
    const copy = structuredClone(pa);
    expect(slimObject('istio.peerauthentications', pa)).toEqual(copy);
    expect(slimObject('some.future-kind', structuredClone(pa))).toEqual(copy);
  });

  // A snapshot file holds slimmed objects: reading one keeps the object JSON.parse made.
  it('an object slimmed already is kept as it is; one slimming would change, even only in order, is slimmed', () => {
    const once = slimObject('pods', livePod());
    expect(slimObject('pods', once)).toBe(once);
    const text = JSON.stringify(once);
    expect(JSON.stringify(slimObject('pods', JSON.parse(text)))).toBe(text);
    const changed: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      // metadata out of slimming's order
      [{ metadata: { namespace: 'a', name: 'p' } }, { metadata: { name: 'p', namespace: 'a' } }],
      // annotations: empty, or one not read
      [{ metadata: { name: 'p', annotations: {} } }, { metadata: { name: 'p' } }],
      [{ metadata: { name: 'p', annotations: { 'linkerd.io/inject': 'enabled', team: 'x' } } }, { metadata: { name: 'p', annotations: { 'linkerd.io/inject': 'enabled' } } }],
      // a field not kept, before or after the kept ones
      [{ metadata: { selfLink: '/x', name: 'p' } }, { metadata: { name: 'p' } }],
      // status: empty, with a field not kept, or out of order
      [{ metadata: { name: 'p' }, status: {} }, { metadata: { name: 'p' } }],
      [{ metadata: { name: 'p' }, status: { phase: 'Running', conditions: [] } }, { metadata: { name: 'p' }, status: { phase: 'Running' } }],
      [{ metadata: { name: 'p' }, status: { podIP: '10.0.0.1', phase: 'Running' } }, { metadata: { name: 'p' }, status: { phase: 'Running', podIP: '10.0.0.1' } }],
    ];
    for (const [input, want] of changed) {
      const got = slimObject('pods', structuredClone(input) as KubeObject);
      expect(JSON.stringify(got), JSON.stringify(input)).toBe(JSON.stringify(want));
      expect(slimObject('pods', got)).toBe(got);
    }
  });

  it('a member named "__proto__" stays a member, as JSON.parse makes it: never the copy\'s prototype, whose fields checks would read as the object\'s own', () => {
    const text = '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"p","selfLink":"/x","annotations":{"__proto__":{"x":"y"},"a":"b"}},"__proto__":{"spec":{"finalizers":["x"]}}}';
    const slim = slimObject('namespaces', JSON.parse(text) as KubeObject) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(slim)).toBe(Object.prototype);
    expect(slim.spec).toBeUndefined();
    expect(Object.keys(slim)).toEqual(['apiVersion', 'kind', 'metadata', '__proto__']);
    expect(JSON.stringify(slim)).toBe(JSON.stringify(JSON.parse(text.replace('"selfLink":"/x",', ''))));
    const annotations = (slim.metadata as Record<string, unknown>).annotations as Record<string, unknown>;
    expect(Object.getPrototypeOf(annotations)).toBe(Object.prototype);
    expect(Object.keys(annotations)).toEqual(['__proto__', 'a']);
  });

  it('leaves malformed parts for the analyses to report', () => {
    const odd = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: 'not a map' }, status: ['not', 'a', 'map'] } as unknown as KubeObject;
    expect(slimObject('pods', structuredClone(odd))).toEqual(odd);
  });
});

describe('the snapshot reader', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-slim-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('slims what it reads and keeps everything else of the file', async () => {
    const snap = snapshotFromObjects([livePod(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'enabled' } } }], { clusterName: 'c', origin: 'live' });
    snap.notes.push('a note with "quotes", \\ backslashes, ] and }');
    writeSnapshot(join(dir, 's.gz'), snap);
    const back = await readSnapshot(join(dir, 's.gz'));
    expect(back.resources.pods).toEqual([slimObject('pods', livePod())]);
    expect(back.resources.namespaces?.[0]?.metadata?.annotations).toEqual({ 'linkerd.io/inject': 'enabled' });
    expect(back.notes).toEqual(snap.notes);
    expect(back.coverage).toEqual(snap.coverage);
    expect(back.origin).toBe('live');
  });

  // istiod sends traffic through an ambient waypoint only once its Gateway has status.addresses
  // (istio/istio pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go), and the mesh
  // verdicts read them and the Programmed condition (src/analysis/mesh/istio-authz.ts): a Gateway
  // collected live or read back from a snapshot file keeps both.
  it('a Gateway keeps status.addresses and status.conditions, collected live and read back', async () => {
    const gateway = (): KubeObject => ({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'shop', labels: { 'istio.io/waypoint-for': 'service' }, managedFields } as KubeObject['metadata'],
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      status: {
        addresses: [{ type: 'Hostname', value: 'waypoint.shop.svc.cluster.local' }],
        conditions: [{ type: 'Programmed', status: 'True', reason: 'Programmed' }],
        listeners: [{ name: 'mesh', attachedRoutes: 0 }],
      },
    });
    const kept = { addresses: [{ type: 'Hostname', value: 'waypoint.shop.svc.cluster.local' }], conditions: [{ type: 'Programmed', status: 'True', reason: 'Programmed' }] };
    expect(slimObject('gatewayapi.gateways', gateway()).status).toMatchObject(kept);
    const snap = snapshotFromObjects([gateway()], { clusterName: 'c', origin: 'live' });
    writeSnapshot(join(dir, 'g.gz'), snap);
    const back = await readSnapshot(join(dir, 'g.gz'));
    expect(back.resources['gatewayapi.gateways']?.[0]?.status).toMatchObject(kept);
  });

  it('a pod with a member named "__proto__" (a hand-made file) is read as JSON.parse reads it: checks see no spec through it', async () => {
    const pod = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop","selfLink":"/x"},"__proto__":{"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"i","securityContext":{"privileged":true}}]}}}';
    const snap = snapshotFromObjects([], { clusterName: 'c', origin: 'live' });
    const text = JSON.stringify({ ...snap, coverage: { ...snap.coverage, pods: { status: 'ok', count: 1 } }, resources: { ...snap.resources, pods: ['POD'] } }).replace('"POD"', pod);
    writeFileSync(join(dir, 'p.gz'), gzipSync(text));
    const back = await readSnapshot(join(dir, 'p.gz'));
    const p = back.resources.pods![0] as unknown as Record<string, unknown>;
    expect(p.spec).toBeUndefined();
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(JSON.stringify(p)).toBe(JSON.stringify(JSON.parse(pod.replace(',"selfLink":"/x"', ''))));
  });
});

// Every check fixture, run through the whole catalog as loaded and slimmed: the slim
// declarations must not drop anything any check reads. The slimmed copy also shares its equal
// subtrees, frozen, as the reader's does: no check may tell shared objects apart or write into one.
const ROOT = join(import.meta.dirname, '../../fixtures/checks');
const NOW = new Date('2026-11-26T00:00:00Z');
const ids = new Set(CHECK_BY_ID.keys());

/** As the snapshot reader and the collector keep objects: slimmed, equal subtrees shared and frozen (intern.ts). */
function slimmed(snapshot: Snapshot): Snapshot {
  const copy = structuredClone(snapshot);
  const interner = new Interner();
  for (const [key, list] of Object.entries(copy.resources)) if (list) copy.resources[key as KindKey] = list.map((o) => interner.item(slimObject(key, o)));
  return copy;
}

function asLive(snapshot: Snapshot): Snapshot {
  const pods = [...(snapshot.resources.pods ?? [])];
  for (const key of ['deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      const tpl = podTemplateOf(o);
      const meta = (tpl?.metadata ?? {}) as KubeObject['metadata'];
      if (!tpl || !o.metadata?.name) continue;
      pods.push({
        apiVersion: 'v1', kind: 'Pod', spec: tpl.spec, status: { phase: 'Running', conditions: [] },
        metadata: { ...meta, name: `${o.metadata.name}-0`, namespace: o.metadata.namespace, ownerReferences: [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, controller: true }] },
      });
    }
  }
  return { ...snapshot, origin: 'live', source: 'live', resources: { ...snapshot.resources, pods } };
}

function outcomes(snapshot: Snapshot, config = defaultConfig()) {
  return runChecks(CHECKS, { snapshot, config, now: NOW }).map((o) => ({ check: o.check.id, status: o.status, reason: o.reason, results: o.results }));
}

describe('verdicts with slimmed objects', () => {
  const fixtures = readdirSync(ROOT).flatMap((id) => readdirSync(join(ROOT, id)).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('config')).map((f) => ({ id, file: f })));

  it('every check fixture gives the same results for the whole catalog, slimmed or not', () => {
    expect(fixtures.length).toBeGreaterThan(100);
    for (const { id, file } of fixtures) {
      const path = join(ROOT, id, file);
      const snapshot = loadFixture(path, `${id}/${file}`);
      const config = fixtureConfig(path, loadFixtureConfig(join(ROOT, id), ids) ?? defaultConfig());
      expect(outcomes(slimmed(snapshot), config), `${id}/${file}`).toEqual(outcomes(snapshot, config));
      // As collected live: each workload's template becomes a running pod of it, so the pod's
      // own metadata (mesh and Pod Security annotations) is what the checks read.
      const live = asLive(snapshot);
      expect(outcomes(slimmed(live), config), `${id}/${file} (live)`).toEqual(outcomes(live, config));
    }
  }, 120_000);

  it('the demo cluster gives the same results slimmed or not', () => {
    const snapshot = loadManifests([join(import.meta.dirname, '../../../examples/demo-cluster')]);
    expect(outcomes(slimmed(snapshot))).toEqual(outcomes(snapshot));
  });
});
