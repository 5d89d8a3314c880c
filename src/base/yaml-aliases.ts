// Aliases (`*name`) expanded as kubectl's YAML reader expands them, with its limit.
// goyaml.v2 (gopkg.in/yaml.v2 v2.4.0 decode.go, `unmarshal` and `allowedAliasRatio`, vendored by
// sigs.k8s.io/yaml as goyaml.v2) counts every node it decodes and those decoded through an alias,
// and refuses a document only once more than 100 nodes came through aliases, more than 1,000 were
// decoded, and the share that came through aliases is above 99% (up to 400,000 nodes decoded,
// falling to 10% at 4,000,000): a billion-laughs bomb is refused, while a List of 150 Deployments
// sharing one `securityContext: *restricted` is read. The yaml package's own limit
// (maxAliasCount 100) refused the second too, and left the whole run unevaluated for it.
import { isAlias, isDocument, isMap, isPair, isSeq, type Document, type Node } from 'yaml';

const RATIO_LOW = 400_000;
const RATIO_HIGH = 4_000_000;

/** The share of decoded nodes goyaml.v2 lets come from aliases, after `decoded` nodes (allowedAliasRatio). */
export function allowedAliasRatio(decoded: number): number {
  if (decoded <= RATIO_LOW) return 0.99;
  if (decoded >= RATIO_HIGH) return 0.1;
  return 0.99 - 0.89 * ((decoded - RATIO_LOW) / (RATIO_HIGH - RATIO_LOW));
}

/** The yaml package's words for an alias bomb, which ztaudit has always quoted. */
export const EXCESSIVE_ALIASING = 'Excessive alias count indicates a resource exhaustion attack';

/**
 * Replaces every alias of `doc` by the node it names (so that `toJS` makes a copy of it each
 * time, as goyaml.v2 decodes one, and finds each target at once instead of searching the
 * document's anchors for every alias), after counting the nodes that expansion decodes as
 * goyaml.v2 counts them. Throws a ReferenceError, as the yaml package does, for a document goyaml.v2
 * refuses (excessive aliasing, an anchor that contains its own alias) or an alias without
 * its anchor. One walk of the document: each anchored node's expanded size is computed once.
 */
export function expandAliases(doc: Document): void {
  const anchors = new Map<string, Node>();
  /** Expanded size of each anchored node walked to its end (none kept for the others: nothing looks them up). */
  const sizes = new Map<Node, number>();
  let decoded = 0;
  let aliased = 0;
  const check = () => {
    if (aliased > 100 && decoded > 1000 && aliased / decoded > allowedAliasRatio(decoded)) throw new ReferenceError(EXCESSIVE_ALIASING);
  };
  /** Walks `node` outside any alias; returns what stands in its place and its expanded size. */
  const walk = (node: unknown): [unknown, number] => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) throw new ReferenceError(`Unresolved alias (the anchor must be set before the alias): ${node.source}`);
      const size = sizes.get(target);
      if (size === undefined) throw new ReferenceError(`anchor '${node.source}' value contains itself`);
      decoded += 1;
      check();
      decoded += size;
      aliased += size;
      check();
      return [target, 1 + size];
    }
    if (node === null || node === undefined || typeof node !== 'object') {
      decoded += 1;
      return [node, 1];
    }
    const n = node as Node;
    const anchored = 'anchor' in n && typeof n.anchor === 'string' && n.anchor ? n.anchor : undefined;
    if (anchored) anchors.set(anchored, n);
    decoded += 1;
    check();
    let size = 1;
    if (isMap(n)) {
      for (const pair of n.items) {
        const [key, keySize] = walk(pair.key);
        const [value, valueSize] = walk(pair.value);
        pair.key = key;
        pair.value = value;
        size += keySize + valueSize;
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => {
        // A pair in a sequence (`- a: b` in a !!omap-like flow) holds its own key and value.
        if (isPair(item)) {
          const [key, keySize] = walk(item.key);
          const [value, valueSize] = walk(item.value);
          item.key = key;
          item.value = value;
          size += keySize + valueSize;
          return;
        }
        const [value, valueSize] = walk(item);
        n.items[i] = value;
        size += valueSize;
      });
    }
    // A scalar holds no nodes.
    if (anchored) sizes.set(n, size);
    return [n, size];
  };
  if (!isDocument(doc)) return;
  decoded += 1;
  const [contents] = walk(doc.contents);
  doc.contents = contents as Document['contents'];
}

/**
 * The document's data as kubectl reads it: aliases expanded as goyaml.v2 does, within its limit.
 * `mayHoldAliases: false` (its text has no `*`, without which YAML writes no alias) skips the walk.
 */
export function toKubeJS(doc: Document, mayHoldAliases = true): unknown {
  if (!mayHoldAliases) return doc.toJS({ maxAliasCount: 0 });
  expandAliases(doc);
  return doc.toJS({ maxAliasCount: -1 });
}
