// Namespaces by label: a namespace selector that requires one label (its first `In`
// requirement, Selector.required) looks its namespaces up instead of testing every namespace.
// At L, 97 AdminNetworkPolicy namespace selectors against 10,002 namespaces were ~0.97 million
// tests while the model was built.

import type { Selector } from './selector.ts';

interface NamespaceLabelIndex {
  byLabel: Map<string, Map<string, string[]>>;
  position: Map<string, number>;
}

/** Per namespace-label map; the model fills its map before any selector is asked about it and never after. */
const indexes = new WeakMap<ReadonlyMap<string, Record<string, string>>, NamespaceLabelIndex>();

function indexOf(namespaceLabels: ReadonlyMap<string, Record<string, string>>): NamespaceLabelIndex {
  let index = indexes.get(namespaceLabels);
  if (!index) {
    index = { byLabel: new Map(), position: new Map() };
    for (const [ns, labels] of namespaceLabels) {
      index.position.set(ns, index.position.size);
      for (const [k, v] of Object.entries(labels)) {
        let byValue = index.byLabel.get(k);
        if (!byValue) index.byLabel.set(k, (byValue = new Map()));
        let list = byValue.get(v);
        if (!list) byValue.set(v, (list = []));
        list.push(ns);
      }
    }
    indexes.set(namespaceLabels, index);
  }
  return index;
}

/** The namespaces whose labels `selector` matches, in the map's own order (as a scan of it gives them). */
export function namespacesMatching(namespaceLabels: ReadonlyMap<string, Record<string, string>>, selector: Selector): string[] {
  const required = selector.required;
  const list: string[] = [];
  if (!required) {
    for (const [ns, labels] of namespaceLabels) if (selector.matches(labels)) list.push(ns);
    return list;
  }
  const { byLabel, position } = indexOf(namespaceLabels);
  for (const v of new Set(required.values)) {
    for (const ns of byLabel.get(required.key)?.get(v) ?? []) if (selector.matches(namespaceLabels.get(ns)!)) list.push(ns);
  }
  if (required.values.length > 1) list.sort((a, b) => position.get(a)! - position.get(b)!);
  return list;
}
