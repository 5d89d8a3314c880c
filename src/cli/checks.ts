// `ztaudit checks [--area A]` and `ztaudit explain ID`: the catalog, from the registry.
import { CHECKS, CHECK_BY_ID } from '../../checks/index.ts';
import { AREAS } from '../base/vocabulary.ts';
import { type Check } from '../engine/types.ts';
import { ConfigError } from '../base/errors.ts';
import type { CliIO } from './io.ts';
import { choiceOption, defineCommand } from './command.ts';

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

function listChecks(values: { area?: string; output: string }, io: CliIO): number {
  const list = CHECKS.filter((c) => !values.area || c.area === values.area);
  if (values.output === 'json') io.stdout(`${JSON.stringify(list.map(({ evaluate: _e, appliesTo: _a, appliesByConfig: _c, ...c }) => c), null, 2)}\n`);
  else if (values.output === 'md') io.stdout(catalogMarkdown(list));
  else for (const c of list) io.stdout(`${c.id.padEnd(48)} ${c.severity.padEnd(9)} ${c.title}\n`);
  return 0;
}

function explainCheck(id: string, io: CliIO): number {
  const c = CHECK_BY_ID.get(id);
  if (!c) throw new ConfigError(`explain: unknown check id "${id}" (see \`ztaudit checks\`)`);
  io.stdout([
    `${c.id} — ${c.title}`,
    `area: ${c.area}   severity: ${c.severity}`,
    `protects against: ${c.protectsAgainst}`,
    `controls: ${c.controls.join(', ')}`,
    `needs: ${c.needs.join(', ') || '(nothing)'}`,
    ...(c.reads?.length ? [`reads when present: ${c.reads.join(', ')}`] : []),
    ...(c.readsWhen ?? []).map((r) => `reads ${r.kinds.join(', ')} ${r.when}`),
    ...(c.readsBestEffort?.length ? [`reads when readable, judges without: ${c.readsBestEffort.join(', ')}`] : []),
    ...(c.appliesWhen ? [`applies: ${c.appliesWhen}`] : []),
    '',
    `remediation: ${c.remediation}`,
    '',
  ].join('\n'));
  return 0;
}

export const CHECKS_COMMAND = defineCommand<{ area?: string; output: string }>({
  name: 'checks',
  summary: 'the check catalog: id, severity and title of every check',
  define: (cmd) => {
    cmd
      .addOption(choiceOption('--area <area>', 'only the checks of one area', AREAS))
      .addOption(choiceOption('-o, --output <format>', 'text, json (every field) or md (docs/checks.md)', ['text', 'json', 'md'], 'text'));
  },
  examples: ['ztaudit checks --area rbac', 'ztaudit checks --output json'],
  run: async (opts, _args, io) => listChecks(opts, io),
});

export const EXPLAIN = defineCommand<Record<string, never>>({
  name: 'explain',
  summary: 'one check: what it protects against, its controls, what it needs, its remediation',
  define: (cmd) => { cmd.argument('<check-id>', 'a check id, as `ztaudit checks` lists them'); },
  examples: ['ztaudit explain network.namespace-default-deny-ingress'],
  complete: { 'check-id': () => CHECKS.map((c) => c.id) },
  run: async (_opts, [id], io) => explainCheck(id!, io),
});
