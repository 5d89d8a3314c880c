// The HTML report: one self-contained file (inline CSS and SVG, a CSP that forbids scripts and
// fetches), rendered from the view-model by the templates in templates/. Cluster data only
// ever goes through {{ }} (escaped); there is no triple-stash anywhere.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { packagePath } from '../base/package.ts';
import { withoutControls } from '../base/plain-text.ts';
import { createEnvironment, type HandlebarsEnv } from './helpers.ts';
import type { CarriedFindings, RunReport } from '../run/types.ts';
import { buildView, type TrendPoint, type ViewOptions } from './view/index.ts';
import type { PreviousMissing } from './view/types.ts';

export const TEMPLATES_DIR = packagePath('templates');

export interface HtmlOptions {
  trend?: TrendPoint[];
  /** --history none: the changes section says history is off rather than "first run" (ViewOptions.historyOff). */
  historyOff?: boolean;
  previous?: RunReport | null;
  previousMissing?: PreviousMissing;
  maxRowsPerGroup?: number;
  /** The open findings of the checks the run could not evaluate (RenderOptions.carried): listed under "carried from run X". */
  carried?: readonly CarriedFindings[];
}

type Template = (context: unknown) => string;

let cached: { env: HandlebarsEnv; templates: Map<string, Template> } | null = null;

/** The environment with every partial registered; templates compiled once per process. */
export function templateEnvironment(): { env: HandlebarsEnv; template(name: string): Template } {
  if (!cached) {
    const env = createEnvironment();
    const partials = join(TEMPLATES_DIR, 'partials');
    for (const file of readdirSync(partials)) {
      if (file.endsWith('.hbs')) env.registerPartial(basename(file, '.hbs'), readFileSync(join(partials, file), 'utf8'));
    }
    cached = { env, templates: new Map() };
  }
  const c = cached;
  return {
    env: c.env,
    template(name: string): Template {
      let t = c.templates.get(name);
      if (!t) {
        t = c.env.compile(readFileSync(join(TEMPLATES_DIR, `${name}.hbs`), 'utf8'), { strict: false, preventIndent: true });
        c.templates.set(name, t);
      }
      return t;
    },
  };
}

export function renderHtml(report: RunReport, opts: HtmlOptions = {}): string {
  const viewOpts: ViewOptions = { trend: opts.trend, previous: opts.previous ?? null, previousMissing: opts.previousMissing, maxRowsPerGroup: opts.maxRowsPerGroup, carried: opts.carried, historyOff: opts.historyOff };
  // Every control character in the page but line breaks and tabs (ESC, BEL; bidirectional
  // controls) comes from the data (the templates have none): escaped here as \uXXXX, as on the
  // terminal, once, none is missed, whichever field of the view carries it.
  return withoutControls(templateEnvironment().template('report')(buildView(report, viewOpts)));
}
