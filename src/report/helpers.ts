// The one Handlebars environment ztaudit renders with: isolated (Handlebars.create()), with
// the few formatting helpers below and nothing else. Helpers format; they never decide.
import Handlebars from 'handlebars';

export type HandlebarsEnv = ReturnType<typeof Handlebars.create>;

/** An ISO time as `2026-11-25 19:20 UTC`, to the minute. */
export function formatDate(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Long ids (check ids, resource paths, URLs) wrap at their separators instead of letter by
 * letter: the text is escaped first, then a <wbr> follows each . / : - _ = ,
 */
export function wrapId(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  return Handlebars.escapeExpression(text).replace(/([./:_,-]|&#x3D;)(?=.)/g, '$1<wbr>');
}

export function createEnvironment(): HandlebarsEnv {
  const hb = Handlebars.create();
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
