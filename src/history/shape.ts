// A resource name's "shape": the same object on many clusters often differs only in its
// generated parts. Kubernetes generates them from one alphabet, k8s.io/apimachinery
// pkg/util/rand `alphanums` "bcdfghjklmnpqrstvwxz2456789" (no vowels, no 0, 1 or 3): the
// five-character suffix of generateName (apiserver pkg/storage/names, utilrand.String(5)),
// a pod-template-hash and a controller-revision-hash (rand.SafeEncodeString of a hash). A
// dash- or dot-separated segment of five or more of those characters with a digit among
// them, or of digits only (a StatefulSet ordinal, a CronJob's job), becomes `*`: so
// `web-7d9f8c6b5d-x2k9p` and `web-5c4b7f9d8-q8w2z` share the shape `web-*-*` and
// `runner-17` matches `runner-3`, while `mysql8` and `redis7`, `oauth2-proxy` and
// `route53-proxy` (vowels, a 3) keep their exact text, as do names without generated parts.
// About one generated suffix in five has no digit ((20/27)^5): the LAST segment is also
// generated when it is exactly five of those characters (`build-xkzpq`, a pod's `bbvts`), and
// a segment of 8-10 of them right before such a suffix is a pod-template-hash (a SafeEncodeString
// of a 32-bit hash), digits or not. Words without a vowel or `y` rarely fill five letters; the
// one names end with often, `https` (`web-https`), is kept as written.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATED = new RegExp(`^(?:[0-9]+|(?=[${ALPHANUMS}]*[0-9])[${ALPHANUMS}]{5,})$`);
const SUFFIX = new RegExp(`^[${ALPHANUMS}]{5}$`);
const TEMPLATE_HASH = new RegExp(`^[${ALPHANUMS}]{8,10}$`);
const WORDS: ReadonlySet<string> = new Set(['https']);

export function resourceShape(name: string): string {
  const parts = name.split(/([-.])/);
  // parts: segment, separator, segment, ...; the last segment at parts.length - 1.
  const last = parts.length - 1;
  const suffix = last > 0 && parts[last - 1] === '-' && SUFFIX.test(parts[last]) && !WORDS.has(parts[last]);
  if (!suffix && !/\d/.test(name)) return name;
  return parts.map((part, i) => {
    if (part === '-' || part === '.') return part;
    if (GENERATED.test(part)) return '*';
    if (suffix && (i === last || (i === last - 2 && parts[i + 1] === '-' && TEMPLATE_HASH.test(part)))) return '*';
    return part;
  }).join('');
}
