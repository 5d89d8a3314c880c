// How the kubelet expands $(VAR) in a container's command and args, which ingress-nginx's flags
// are read through (the upstream manifests pass --configmap=$(POD_NAMESPACE)/...). The cases follow
// k8s.io/kubernetes third_party/forked/golang/expansion/expand.go at v1.34.0 (Expand,
// tryReadVariableName; MappingFuncFor's syntaxWrap for an unknown name): "$$" is an escaped "$",
// so "$$(VAR)" stays the literal "$(VAR)"; an unknown $(VAR) and an unclosed "$(" stay as written.
import { describe, expect, it } from 'vitest';
import { kubeletExpand } from '../../../src/analysis/flags.ts';
import { nginxControllers } from '../../../src/analysis/tls/nginx.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';

const env = new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['POD_NAMESPACE', 'ingress-nginx'], ['EMPTY', '']]);

describe('kubeletExpand: container args as the kubelet expands them', () => {
  it('substitutes known variables, keeps unknown ones as written', () => {
    expect(kubeletExpand('$(VAR_A)', env)).toBe('A');
    expect(kubeletExpand('--configmap=$(POD_NAMESPACE)/c', env)).toBe('--configmap=ingress-nginx/c');
    expect(kubeletExpand('$(VAR_A)-$(VAR_B)$(EMPTY)', env)).toBe('A-B');
    expect(kubeletExpand('$(UNKNOWN)/x', env)).toBe('$(UNKNOWN)/x');
  });

  it('$$ is an escaped $: $$(VAR) is the literal $(VAR), and $$$(VAR) a $ then the value', () => {
    expect(kubeletExpand('$$(VAR_A)', env)).toBe('$(VAR_A)');
    expect(kubeletExpand('--watch-namespace=$$(POD_NAMESPACE)', env)).toBe('--watch-namespace=$(POD_NAMESPACE)');
    expect(kubeletExpand('$$$(VAR_A)', env)).toBe('$A');
    expect(kubeletExpand('$$$$(VAR_A)', env)).toBe('$$(VAR_A)');
    expect(kubeletExpand('x$$', env)).toBe('x$');
  });

  it('a $ before anything else, a trailing $ and an unclosed $( stay as written', () => {
    expect(kubeletExpand('$VAR_A', env)).toBe('$VAR_A');
    expect(kubeletExpand('a$', env)).toBe('a$');
    expect(kubeletExpand('$(VAR_A', env)).toBe('$(VAR_A');
    expect(kubeletExpand('$(VAR_A$(VAR_B)', env)).toBe('$(VAR_A$(VAR_B)');
  });

  it("an ingress-nginx controller's --configmap=$$(POD_NAMESPACE)/name names namespace \"$(POD_NAMESPACE)\", not the pod's", () => {
    const yaml = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: c}}
  template:
    metadata: {labels: {app: c}}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.12.1
        args: [/nginx-ingress-controller, "--configmap=$$(POD_NAMESPACE)/ingress-nginx-controller"]
        env:
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
`;
    const [c] = nginxControllers(snapshotFromObjects(parseManifestText(yaml, 'c.yaml').objects));
    // A namespace no object can be in: the controller reads no ConfigMap (its defaults).
    expect(c?.configMap).toBeUndefined();
    expect(c?.configMapIgnored).toBe('$(POD_NAMESPACE)/ingress-nginx-controller');
  });
  // kubernetes v1.34.0 pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: each env value is
  // expanded with the variables defined before it (expansion.MappingFuncFor(tmpEnv, serviceEnv)),
  // so --configmap=$(CM) with CM: "$(POD_NAMESPACE)/name" names that ConfigMap. Read without the
  // chain, "$(POD_NAMESPACE)/…" was left unexpanded and the controller judged on its defaults.
  it('an env value refers to the variables defined before it: --configmap=$(CM) with CM built from POD_NAMESPACE', () => {
    const yaml = (order: 'before' | 'after') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: c}}
  template:
    metadata: {labels: {app: c}}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.12.1
        args: [/nginx-ingress-controller, "--configmap=$(CM)"]
        env:
${order === 'before' ? `        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - name: CM
          value: "$(POD_NAMESPACE)/ingress-nginx-controller"` : `        - name: CM
          value: "$(POD_NAMESPACE)/ingress-nginx-controller"
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}`}
`;
    const [c] = nginxControllers(snapshotFromObjects(parseManifestText(yaml('before'), 'c.yaml').objects));
    expect(c?.configMap).toEqual({ namespace: 'ingress-nginx', name: 'ingress-nginx-controller' });
    // Defined after it, POD_NAMESPACE is not expanded in CM's value: the literal is no NAMESPACE/NAME.
    const [later] = nginxControllers(snapshotFromObjects(parseManifestText(yaml('after'), 'c.yaml').objects));
    expect(later?.configMap).toBeUndefined();
    expect(later?.configMapIgnored).toBe('$(POD_NAMESPACE)/ingress-nginx-controller');
  });
});
