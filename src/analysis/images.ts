// Container image references, as the checks that recognise a component by its image read them.

/**
 * An image reference's repository path, lower-cased: without its tag and digest, registry and
 * all. A colon before the last slash is a registry's port (localhost:5000/kyverno/kyverno), not a tag.
 */
export function imageRepository(image: string): string {
  const at = image.indexOf('@');
  const noDigest = (at < 0 ? image : image.slice(0, at)).toLowerCase();
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/** Whether a repository path is `path`, or ends with it after a registry or mirror prefix. */
export function repositoryIs(repository: string, path: string): boolean {
  return repository === path || (repository.endsWith(path) && repository[repository.length - path.length - 1] === '/');
}

/** An image reference's tag as written ("v1.20.2" of "quay.io/cilium/cilium:v1.20.2@sha256:…"); '' when it names none. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at < 0 ? image : image.slice(0, at);
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(colon + 1) : '';
}
