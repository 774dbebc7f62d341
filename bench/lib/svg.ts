/**
 * A small SVG line-chart writer (no charting dependency): panels of series
 * sharing an x axis, with ticks, a legend and an optional log-scale y axis.
 */

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logY?: boolean;
}

const WIDTH = 760;
const PANEL_HEIGHT = 300;
const MARGIN = {
  top: 36, right: 24, bottom: 48, left: 78,
};

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Human tick labels: 1.5k, 20k, 1.2M, 0.5. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

/** About `count` round ticks from 0 (or min) to max. */
function linearTicks(max: number, count = 5): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.001; v += step) ticks.push(v);
  if ((ticks[ticks.length - 1] ?? 0) < max) ticks.push(ticks.length * step);
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e += 1) ticks.push(10 ** e);
  return ticks;
}

function panelSvg(panel: Panel, offsetY: number): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const all = panel.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xTicks = linearTicks(Math.max(1, ...all.map(([x]) => x)));
  const xMax = xTicks[xTicks.length - 1] ?? 1;
  const positive = all.map(([, y]) => y).filter((y) => y > 0);
  const yTicks = panel.logY
    ? logTicks(Math.max(1e-3, Math.min(...positive, 1)), Math.max(...positive, 10))
    : linearTicks(Math.max(1, ...all.map(([, y]) => y)));
  const yMin = panel.logY ? (yTicks[0] ?? 1) : 0;
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const sx = (x: number) => MARGIN.left + (x / xMax) * plotW;
  const sy = (y: number) => {
    const f = panel.logY
      ? (Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))
      : (y - yMin) / (yMax - yMin);
    return offsetY + MARGIN.top + plotH - f * plotH;
  };
  const out: string[] = [];
  out.push(`<text x="${WIDTH / 2}" y="${offsetY + 22}" text-anchor="middle" font-size="15" font-weight="bold">${escape(panel.title)}</text>`);
  yTicks.forEach((t) => {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${formatTick(t)}</text>`);
  });
  xTicks.forEach((t) => {
    const x = sx(t).toFixed(1);
    const bottom = offsetY + MARGIN.top + plotH;
    out.push(`<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}" stroke="#555"/>`);
    out.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle" font-size="11">${formatTick(t)}</text>`);
  });
  const bottom = offsetY + MARGIN.top + plotH;
  out.push(`<rect x="${MARGIN.left}" y="${offsetY + MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#555"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${bottom + 36}" text-anchor="middle" font-size="12">${escape(panel.xLabel)}</text>`);
  const midY = offsetY + MARGIN.top + plotH / 2;
  out.push(`<text x="16" y="${midY}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${midY})">${escape(panel.yLabel)}</text>`);
  panel.series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!panel.logY || y > 0));
    const path = pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (pts.length > 0) out.push(`<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    if (!s.dashed) {
      pts.forEach(([x, y]) => out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${s.color}"/>`));
    }
    const ly = offsetY + MARGIN.top + 12 + i * 16;
    const lx = MARGIN.left + 10;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle" font-size="11">${escape(s.name)}</text>`);
  });
  return out.join('\n');
}

/** A standalone SVG document with the panels stacked, and a caption line at the bottom. */
export function chartSvg(panels: Panel[], caption: string): string {
  const height = panels.length * PANEL_HEIGHT + 28;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    ...panels.map((p, i) => panelSvg(p, i * PANEL_HEIGHT)),
    `<text x="${WIDTH / 2}" y="${height - 10}" text-anchor="middle" font-size="11" fill="#444">${escape(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
