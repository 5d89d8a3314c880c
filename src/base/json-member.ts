// A member set as JSON.parse sets it, for code that builds objects from parsed JSON key by key.

/**
 * `target[key] = value`, but always an own member: when `key` is "__proto__" an assignment
 * would set `target`'s prototype instead, and the value's members would be read through it as
 * `target`'s own (a document's schemaVersion, a list page's items, a pod's spec).
 */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
