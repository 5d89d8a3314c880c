// The one Handlebars environment ztaudit renders with: isolated (Handlebars.create()), with
// the few formatting helpers below and nothing else. Helpers format; they never decide.
import Handlebars from 'handlebars';
import { escaped } from '../base/plain-text.ts';

export type HandlebarsEnv = ReturnType<typeof Handlebars.create>;

/** An ISO time as `2026-11-25 19:20 UTC`, to the minute. */
export function formatDate(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Line breaks and tabs: the browser draws each as a space, so "web\nadmin" would read "web admin". */
const BREAK_OR_TAB = /[\n\r\t]/g;

/**
 * A value in HTML: handlebars' escaping, then each line break and tab as its `\uXXXX` escape, as the
 * terminal, report.md and the text email show it (every other control character is escaped over the
 * whole page, src/report/html.ts). Only values go through this; the templates' own line breaks stay.
 */
export function escapeValue(value: unknown): string {
  if (value instanceof Handlebars.SafeString) return value.toHTML();
  const html = Handlebars.escapeExpression(value as string);
  return html.replace(BREAK_OR_TAB, escaped);
}

/**
 * Long ids (check ids, resource paths, URLs) wrap at their separators instead of letter by
 * letter: the text is escaped first, then a <wbr> follows each . / : - _ = ,
 */
export function wrapId(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  return escapeValue(text).replace(/([./:_,-]|&#x3D;)(?=.)/g, '$1<wbr>');
}

export function createEnvironment(): HandlebarsEnv {
  const hb = Handlebars.create();
  // Every {{value}} is escaped by escapeValue: handlebars reads its escaping from the container
  // each template runs in (runtime.js, `container.escapeExpression`), set here as each starts.
  const template = hb.template.bind(hb);
  hb.template = ((spec: { main: (container: { escapeExpression: unknown }, ...rest: unknown[]) => unknown }) => {
    const main = spec.main;
    return template({ ...spec, main: Object.assign((container: { escapeExpression: unknown }, ...rest: unknown[]) => { container.escapeExpression = escapeValue; return main(container, ...rest); }, main) } as never);
  }) as typeof hb.template;
  // Text ztaudit writes itself with its line breaks meant (remediation), and a waiver's
  // justification, shown in a `white-space: pre-wrap` block: escaped, its lines kept.
  hb.registerHelper('lines', (value: unknown) => new hb.SafeString(Handlebars.escapeExpression(value as string)));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('gt', (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a > b);
  hb.registerHelper('date', (value: unknown) => formatDate(value));
  hb.registerHelper('plural', (n: unknown, singular: unknown, pluralForm: unknown) => {
    const count = typeof n === 'number' ? n : 0;
    return `${count.toLocaleString('en-US')} ${count === 1 ? String(singular) : typeof pluralForm === 'string' ? pluralForm : `${String(singular)}s`}`;
  });
  hb.registerHelper('count', (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : ''));
  hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));
  hb.registerHelper('wrapid', (value: unknown) => new hb.SafeString(wrapId(value)));
  hb.registerHelper('nsname', (namespace: unknown, name: unknown) => (typeof namespace === 'string' && namespace !== '' ? `${namespace}/${String(name ?? '')}` : String(name ?? '')));
  return hb;
}
