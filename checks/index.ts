// The ordered, explicit registry of every check. No directory scanning at run time:
// a check exists when it is listed here (through its area's list).
import type { Check } from '../src/engine/types.ts';
import { networkChecks } from './network/index.ts';
import { tlsChecks } from './tls/index.ts';
import { rbacChecks } from './rbac/index.ts';
import { podSecurityChecks } from './pod-security/index.ts';
import { mtlsChecks } from './mtls/index.ts';

export const CHECKS: readonly Check[] = [...networkChecks, ...tlsChecks, ...rbacChecks, ...podSecurityChecks, ...mtlsChecks];

export const CHECK_BY_ID: ReadonlyMap<string, Check> = new Map(CHECKS.map((c) => [c.id, c]));
