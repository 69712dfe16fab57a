/*
 * Cost-growth plots (not a test): draws the benchmarks' recorded results as
 * PNGs for README.md, with each curve's growth exponent (the slope between
 * its smallest and largest size on log scales: 1 is linear).
 *
 * Reads bench/results/fleet-<services>.json (fleetBench.ts with
 * MESH_BENCH_SERVICES=100, 1000, 5000) and bench/results/side-by-side.json
 * (sideBySide.ts); writes bench/plots/*.png with Debian's chromium.
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/plots.ts
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

interface Series {
  name: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
];

function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map(m => m * power).find(s => s >= raw) ?? raw;
}

/**
 * The growth exponent between the first point above zero and the last: 1 is
 * linear, below 1 slower than linear.
 */
export function growthExponent(points: Array<[number, number]>): number {
  const [x1, y1] = points.find(([, y]) => y > 0) ?? points[0];
  const [x2, y2] = points[points.length - 1];
  return Math.log(y2 / y1) / Math.log(x2 / x1);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** A line chart as SVG, with a dashed linear reference for each series. */
function svgChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}): string {
  const width = 860;
  const height = 420;
  const m = { top: 48, right: 300, bottom: 56, left: 80 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const all = options.series.flatMap(s => s.points);
  const xMax = Math.max(...all.map(p => p[0]));
  const yMax = Math.max(...all.map(p => p[1])) * 1.05;
  const x = (v: number) => m.left + (v / xMax) * w;
  const y = (v: number) => m.top + h - (v / yMax) * h;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${m.left}" y="24" font-size="15" font-weight="bold">${escape(
      options.title,
    )}</text>`,
  ];
  const xStep = niceStep(xMax, 6);
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    parts.push(
      `<line x1="${x(v)}" x2="${x(v)}" y1="${m.top}" y2="${
        m.top + h
      }" stroke="#eee"/>`,
      `<text x="${x(v)}" y="${
        m.top + h + 18
      }" text-anchor="middle">${v.toLocaleString('en')}</text>`,
    );
  }
  const yStep = niceStep(yMax, 6);
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    parts.push(
      `<line x1="${m.left}" x2="${m.left + w}" y1="${y(v)}" y2="${y(
        v,
      )}" stroke="#eee"/>`,
      `<text x="${m.left - 8}" y="${
        y(v) + 4
      }" text-anchor="end">${v.toLocaleString('en')}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${
      m.top + h
    }" stroke="#333"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${
      m.top + h
    }" stroke="#333"/>`,
    `<text x="${m.left + w / 2}" y="${
      height - 12
    }" text-anchor="middle">${escape(options.xLabel)}</text>`,
    `<text transform="translate(18 ${
      m.top + h / 2
    }) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`,
  );
  options.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const path = s.points.map(([a, b]) => `${x(a)},${y(b)}`).join(' ');
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`,
      ...s.points.map(
        ([a, b]) =>
          `<circle cx="${x(a)}" cy="${y(b)}" r="3.5" fill="${color}"/>`,
      ),
    );
    // Linear growth from the smallest size, for comparison.
    const [x0, y0] = s.points.find(([, b]) => b > 0) ?? s.points[0];
    const linear = s.points.map(([a]) => [a, (y0 * a) / x0] as const);
    const clipped = linear.filter(([, b]) => b <= yMax);
    if (clipped.length > 1 || (clipped.length === 1 && linear.length > 1)) {
      const end = linear.find(([, b]) => b > yMax);
      const line = end
        ? [...clipped, [x0 + ((yMax - y0) * x0) / y0, yMax] as const]
        : clipped;
      parts.push(
        `<polyline points="${line
          .map(([a, b]) => `${x(a)},${y(b)}`)
          .join(
            ' ',
          )}" fill="none" stroke="${color}" stroke-width="1" stroke-dasharray="4 4" opacity="0.6"/>`,
      );
    }
    const exponent = growthExponent(s.points);
    const tail = growthExponent(s.points.slice(-2));
    const ly = m.top + 10 + i * 34;
    parts.push(
      `<line x1="${m.left + w + 16}" x2="${
        m.left + w + 36
      }" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${m.left + w + 42}" y="${ly + 4}">${escape(s.name)}</text>`,
      `<text x="${m.left + w + 42}" y="${
        ly + 18
      }" fill="#555">growth exponent ${exponent.toFixed(
        2,
      )} (last step ${tail.toFixed(2)})</text>`,
    );
  });
  parts.push(
    `<text x="${m.left + w + 16}" y="${
      m.top + h
    }" fill="#555">dashed: linear from the first point</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

interface FleetResult {
  services: number;
  entityWarmP50Ms: number;
  fleetColdMs: number;
  fleetColdRecordedMs: number;
  fleetWarmP50Ms: number;
  rssAfter: number;
  rssBeforeBackend: number;
  heapAfter: number;
}

interface SideBySideMeasure {
  system: 'mesh-lifecycle' | 'kubernetes';
  clusters: number;
  objectsPerCluster: number;
  startMs: number;
  cold: { ms: number };
  warm1: { p50: number };
  memory: { peakRss: number; rssBefore: number; heapUsed: number };
}

async function main() {
  const results = join(__dirname, 'results');
  const out = join(__dirname, 'plots');
  mkdirSync(out, { recursive: true });
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const charts: Array<{ file: string; svg: string }> = [];
  const exponents: string[] = [];
  const note = (chart: string, series: Series[]) =>
    series.forEach(s =>
      exponents.push(
        `${chart}: ${s.name}: ${growthExponent(s.points).toFixed(
          2,
        )} (last step ${growthExponent(s.points.slice(-2)).toFixed(2)})`,
      ),
    );

  const fleet = readdirSync(results)
    .filter(f => /^fleet-\d+\.json$/.test(f))
    .map(f => JSON.parse(readFileSync(join(results, f), 'utf8')) as FleetResult)
    .sort((a, b) => a.services - b.services);
  if (fleet.length >= 2) {
    const time: Series[] = [
      {
        name: 'fleet board, cold',
        points: fleet.map(r => [r.services, r.fleetColdMs]),
      },
      {
        name: 'fleet board, cold, recording rules',
        points: fleet.map(r => [r.services, r.fleetColdRecordedMs]),
      },
      {
        name: 'fleet board, warm (p50)',
        points: fleet.map(r => [r.services, r.fleetWarmP50Ms]),
      },
    ];
    note('fleet time', time);
    charts.push({
      file: 'fleet-time.png',
      svg: svgChart({
        title: 'Fleet board answer time by catalog size (3 clusters)',
        xLabel: 'services in the catalog and the mesh',
        yLabel: 'ms',
        series: time,
      }),
    });
    const memory: Series[] = [
      {
        name: 'backend RSS growth after GC',
        points: fleet.map(r => [
          r.services,
          mb(r.rssAfter - r.rssBeforeBackend),
        ]),
      },
    ];
    note('fleet memory', memory);
    charts.push({
      file: 'fleet-memory.png',
      svg: svgChart({
        title: 'Backend memory by catalog size (3 clusters)',
        xLabel: 'services in the catalog and the mesh',
        yLabel: 'MB over the test harness',
        series: memory,
      }),
    });
  }

  const sideBySidePath = join(results, 'side-by-side.json');
  if (existsSync(sideBySidePath)) {
    const measures = (
      JSON.parse(readFileSync(sideBySidePath, 'utf8')) as {
        results: SideBySideMeasure[];
      }
    ).results;
    const pick = (system: string, objects: number) =>
      measures
        .filter(r => r.system === system && r.objectsPerCluster === objects)
        .sort((a, b) => a.clusters - b.clusters);
    const sizes = [...new Set(measures.map(r => r.objectsPerCluster))].sort(
      (a, b) => a - b,
    );
    const ours = (size: number) => pick('mesh-lifecycle', size);
    const view: Series[] = sizes.flatMap(size => [
      {
        name: `warm view p50, ${size} objects/cluster`,
        points: ours(size).map(
          r => [r.clusters, r.warm1.p50] as [number, number],
        ),
      },
      {
        name: `first view, ${size} objects/cluster`,
        points: ours(size).map(
          r => [r.clusters, r.cold.ms] as [number, number],
        ),
      },
    ]);
    note('clusters, view', view);
    charts.push({
      file: 'clusters-view.png',
      svg: svgChart({
        title: 'Entity mesh view by number of clusters (1 client)',
        xLabel: 'clusters',
        yLabel: 'ms',
        series: view,
      }),
    });
    const startup: Series[] = sizes.map(size => ({
      name: `start until ready, ${size} objects/cluster`,
      points: ours(size).map(r => [r.clusters, r.startMs] as [number, number]),
    }));
    note('clusters, start-up', startup);
    charts.push({
      file: 'clusters-startup.png',
      svg: svgChart({
        title: 'Backend start (caches warmed) by number of clusters',
        xLabel: 'clusters',
        yLabel: 'ms',
        series: startup,
      }),
    });
    const memory: Series[] = sizes.map(size => ({
      name: `RSS growth at peak, ${size} objects/cluster`,
      points: ours(size).map(
        r =>
          [r.clusters, mb(r.memory.peakRss - r.memory.rssBefore)] as [
            number,
            number,
          ],
      ),
    }));
    note('clusters, memory', memory);
    charts.push({
      file: 'clusters-memory.png',
      svg: svgChart({
        title: 'Backend memory by number of clusters',
        xLabel: 'clusters',
        yLabel: 'MB over the test harness',
        series: memory,
      }),
    });
  }

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    for (const chart of charts) {
      await page.setContent(`<body style="margin:0">${chart.svg}</body>`);
      await page.locator('svg').screenshot({ path: join(out, chart.file) });
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(
    `wrote ${charts
      .map(c => c.file)
      .join(', ')}\ngrowth exponents (1 = linear):\n${exponents.join('\n')}\n`,
  );
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
