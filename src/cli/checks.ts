// `ztaudit checks [--area A]` and `ztaudit explain ID`: the catalog, from the registry.
import { parseArgs } from 'node:util';
import { CHECKS, CHECK_BY_ID } from '../../checks/index.ts';
import { AREAS } from '../base/vocabulary.ts';
import { type Check } from '../engine/types.ts';
import { ConfigError } from '../base/errors.ts';
import type { CliIO } from './io.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function catalogMarkdown(checks: readonly Check[]): string {
  const lines = ['# Check catalog', '', 'Generated from the registry (`npm run docs`); do not edit by hand.', ''];
  for (const area of AREAS) {
    const inArea = checks.filter((c) => c.area === area);
    if (inArea.length === 0) continue;
    lines.push(`## ${area}`, '', '| id | title | severity | protects against | controls | remediation |', '|---|---|---|---|---|---|');
    for (const c of inArea) lines.push(`| \`${c.id}\` | ${c.title} | ${c.severity} | ${cell(c.protectsAgainst)} | ${c.controls.join(', ')} | ${cell(c.remediation)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

export async function checksCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { area: { type: 'string' }, output: { type: 'string', default: 'text' } }, strict: true });
  if (values.area && !(AREAS as readonly string[]).includes(values.area)) throw new ConfigError(`--area ${values.area}: must be one of ${AREAS.join(', ')}`);
  const list = CHECKS.filter((c) => !values.area || c.area === values.area);
  if (values.output === 'json') io.stdout(`${JSON.stringify(list.map(({ evaluate: _e, appliesTo: _a, ...c }) => c), null, 2)}\n`);
  else if (values.output === 'md') io.stdout(catalogMarkdown(list));
  else for (const c of list) io.stdout(`${c.id.padEnd(48)} ${c.severity.padEnd(9)} ${c.title}\n`);
  return 0;
}

export async function explainCommand(argv: string[], io: CliIO): Promise<number> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
  const id = positionals[0];
  if (!id) throw new ConfigError('explain: a check id is required (see `ztaudit checks`)');
  const c = CHECK_BY_ID.get(id);
  if (!c) throw new ConfigError(`explain: unknown check id "${id}" (see \`ztaudit checks\`)`);
  io.stdout([
    `${c.id} — ${c.title}`,
    `area: ${c.area}   severity: ${c.severity}`,
    `protects against: ${c.protectsAgainst}`,
    `controls: ${c.controls.join(', ')}`,
    `needs: ${c.needs.join(', ') || '(nothing)'}`,
    ...(c.reads?.length ? [`reads when present: ${c.reads.join(', ')}`] : []),
    ...(c.appliesWhen ? [`applies: ${c.appliesWhen}`] : []),
    '',
    `remediation: ${c.remediation}`,
    '',
  ].join('\n'));
  return 0;
}
