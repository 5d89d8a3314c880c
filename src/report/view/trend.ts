// The score trend: stored runs plus the current one, as SVG geometry.
import { AREAS } from '../../base/vocabulary.ts';
import { isPartialRun } from '../../run/coverage.ts';
import type { RunReport, TrendPoint } from '../../run/types.ts';
import { AREA_LABEL, num } from './format.ts';
import type { TrendView } from './types.ts';

export function trendView(points: TrendPoint[], report: RunReport, maxPoints: number): TrendView | null {
  const all = [...points];
  if (!all.some((p) => p.id === report.run.id)) {
    all.push({ id: report.run.id, startedAt: report.run.startedAt, overall: report.score.overall, areas: report.score.areas, ...(isPartialRun(report) ? { partial: true } : {}) });
  }
  all.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const pts = all.slice(-maxPoints);
  if (pts.length < 2) return null;
  const width = 760, height = 220, plotLeft = 44, plotRight = width - 16, plotTop = 14, plotBottom = height - 30;
  const x = (i: number) => Math.round((plotLeft + ((plotRight - plotLeft) * i) / (pts.length - 1)) * 10) / 10;
  const y = (v: number) => Math.round((plotBottom - ((plotBottom - plotTop) * Math.max(0, Math.min(100, v))) / 100) * 10) / 10;
  // A run without a score breaks the line: no segment is drawn across what was not measured.
  const segmentsOf = (get: (p: TrendPoint) => number | null | undefined): string[] => {
    const segments: string[][] = [[]];
    pts.forEach((p, i) => {
      const v = get(p);
      if (v === null || v === undefined) segments.push([]);
      else segments[segments.length - 1].push(`${x(i)},${y(v)}`);
    });
    return segments.filter((s) => s.length > 1).map((s) => s.join(' '));
  };
  const series = [
    { key: 'overall', label: 'Overall', cls: 'series-overall', segments: segmentsOf((p) => p.overall) },
    ...AREAS.map((a) => ({ key: a, label: AREA_LABEL[a], cls: `series-${a}`, segments: segmentsOf((p) => p.areas?.[a]) })),
  ].filter((s) => s.segments.length > 0);
  const dots = pts.flatMap((p, i) => (p.overall === null ? [] : [{
    x: x(i), y: y(p.overall), partial: p.partial === true,
    title: `${p.startedAt.slice(0, 16).replace('T', ' ')} UTC — overall ${num(p.overall)}${p.partial ? ' — partial run: its scores cover only what could be read and evaluated' : ''}`,
  }]));
  const step = Math.max(1, Math.ceil(pts.length / 8));
  const xLabels = pts.flatMap((p, i) => (i % step === 0 || i === pts.length - 1 ? [{ x: x(i), label: p.startedAt.slice(5, 10) }] : []));
  const gridLines = [0, 25, 50, 75, 100].map((v) => ({ y: y(v), label: String(v) }));
  return { width, height, plotLeft, plotRight, plotTop, plotBottom, gridLines, series, dots, xLabels, count: pts.length, partialCount: pts.filter((p) => p.partial).length };
}
