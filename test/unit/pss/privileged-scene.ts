// The scene of the reports review's repro (a privileged, hostPID Deployment added beside two
// hardened ones in namespace a), shared by the Pod Security and alert tests that audit it.

const deployment = (name: string, extra = '', sc = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: a}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      serviceAccountName: app
      automountServiceAccountToken: false${extra}
      containers:
      - name: c
        image: nginx:1.27
        resources: {limits: {cpu: 100m, memory: 64Mi}}
        securityContext: {readOnlyRootFilesystem: true${sc}}`;

/** Namespace a (`labels` appended to its metadata), its ServiceAccount and default deny, two hardened Deployments and, `withEvil`, a privileged hostPID one. */
export function privilegedScene(withEvil: boolean, labels = ''): string {
  return [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: a${labels}}`,
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: a}\nautomountServiceAccountToken: false',
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: a}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}',
    deployment('ok1'),
    deployment('ok2'),
    ...(withEvil ? [deployment('evil', '\n      hostPID: true', ', privileged: true')] : []),
  ].join('\n---\n');
}
