// A resource name's "shape": the same object on many clusters often differs only in its
// generated parts (a ReplicaSet hash, a pod suffix, a number). Dash- or dot-separated
// segments that contain a digit and look generated become `*`, so `web-7d9f8c6b5d-x2k9p`
// and `web-5c4b7f9d8-q8w2z` share the shape `web-*-*`, and `runner-17` matches `runner-3`.
// Names without generated parts keep their exact text.
const GENERATED = /^(?=[a-z0-9]*\d)[a-z0-9]{1,}$/;

export function resourceShape(name: string): string {
  if (!/\d/.test(name)) return name;
  return name.split(/([-.])/).map((part) => (part === '-' || part === '.' ? part : GENERATED.test(part) && (/^\d+$/.test(part) || part.length >= 5) ? '*' : part)).join('');
}
