// Linkerd's default inbound policies, the values of proxy.defaultInboundPolicy and the
// config.linkerd.io/default-inbound-policy annotation
// (https://linkerd.io/2/reference/authorization-policy, "Default policies"). One list for the
// config's mesh.linkerdDefaultInboundPolicy, so a misspelt value is a config error, and for the
// analysis that judges each.

export const LINKERD_POLICIES = [
  'all-unauthenticated',
  'all-authenticated',
  'cluster-unauthenticated',
  'cluster-authenticated',
  'deny',
  'audit',
] as const;
export type LinkerdPolicy = (typeof LINKERD_POLICIES)[number];
