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
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATED = new RegExp(`^(?:[0-9]+|(?=[${ALPHANUMS}]*[0-9])[${ALPHANUMS}]{5,})$`);

export function resourceShape(name: string): string {
  if (!/\d/.test(name)) return name;
  return name.split(/([-.])/).map((part) => (part === '-' || part === '.' ? part : GENERATED.test(part) ? '*' : part)).join('');
}

