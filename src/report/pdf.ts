// The report on paper: the same HTML printed to PDF by a headless Chromium (playwright-core
// drives it; no browser is downloaded). The print stylesheet adds the cover with the sign-off
// fields and the table of contents; Chromium's footer adds page numbers. JavaScript is off
// and the report's CSP forbids every fetch, so printing reads nothing but the HTML itself.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import Handlebars from 'handlebars';
import { ConfigError } from '../base/errors.ts';
import { clip, withoutInvisible } from '../base/plain-text.ts';

/** Browser binaries looked for on PATH, in order. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome', 'headless_shell'];

export const NO_CHROMIUM = 'no Chromium found to print the PDF (looked for ZTAUDIT_CHROMIUM and '
  + `${CHROMIUM_NAMES.join(', ')} on PATH): install Chromium (Debian: apt-get install chromium), set ZTAUDIT_CHROMIUM to its path, or drop pdf from --format`;

const executable = (p: string) => { try { accessSync(p, constants.X_OK); return true; } catch { return false; } };

/** The Chromium to print with: ZTAUDIT_CHROMIUM when set (it must exist), else the first on PATH; null when none. */
export function locateChromium(opts: { explicit?: string; searchPath?: string }): string | null {
  if (opts.explicit) {
    if (!isAbsolute(opts.explicit) || !executable(opts.explicit)) throw new ConfigError(`ZTAUDIT_CHROMIUM=${opts.explicit}: not an executable absolute path`);
    return opts.explicit;
  }
  for (const dir of (opts.searchPath ?? '').split(delimiter).filter(Boolean)) {
    for (const name of CHROMIUM_NAMES) {
      const p = join(dir, name);
      if (executable(p)) return p;
    }
  }
  return null;
}

export interface PdfOptions {
  executablePath: string;
  clusterName: string;
  runId: string;
  /** Bound on each browser step (launch, load, print), in milliseconds. */
  timeoutMs?: number;
}

/** A name in the page footer: escaped, bidi controls shown as `\u202e`, at most 80 characters, never cut inside a character. */
export const footerText = (s: string) => withoutInvisible(Handlebars.escapeExpression(clip(s, 80)));

export async function renderPdf(html: string, opts: PdfOptions): Promise<Buffer> {
  const timeout = opts.timeoutMs ?? 120_000;
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    throw new ConfigError('--format pdf needs the playwright-core package (npm install playwright-core)');
  }
  const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const browser = await playwright.chromium.launch({
    executablePath: opts.executablePath, timeout,
    args: ['--headless', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-extensions', ...(runningAsRoot ? ['--no-sandbox'] : [])],
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    await page.setContent(html, { waitUntil: 'load', timeout });
    await page.emulateMedia({ media: 'print' });
    return await page.pdf({
      format: 'A4', printBackground: true, displayHeaderFooter: true, outline: true, tagged: true,
      margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:8px;width:100%;padding:0 12mm;color:#64748b;display:flex;justify-content:space-between;font-family:sans-serif"><span>ztaudit · ${footerText(opts.clusterName)} · run ${footerText(opts.runId)}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
    });
  } finally {
    await browser.close();
  }
}
