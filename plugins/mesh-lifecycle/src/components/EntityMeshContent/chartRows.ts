import { TrafficPoint } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/** One line of a chart: its name and points. */
export interface ChartLine {
  name: string;
  points: TrafficPoint[];
}

/** A row of a chart's data: a time and each line's value then. */
export type ChartRow = { t: number } & Record<string, number | null>;

/**
 * More rows than a chart of some hundred pixels can show; above this the
 * rows are thinned (see {@link chartRows}).
 */
export const MAX_CHART_ROWS = 1_000;

/**
 * The chart's rows, one per time, each line's value in its column, oldest
 * first. Beyond `maxRows` rows (10,000 points would make every hover and
 * resize redraw them all) the times are split into buckets and only the rows
 * that carry something a reader could see are kept: in each bucket, for
 * each line, its lowest and highest value and its first gap (a time without
 * data), so spikes and holes survive and the line is not smoothed.
 */
export function chartRows(
  lines: readonly ChartLine[],
  maxRows: number = MAX_CHART_ROWS,
): ChartRow[] {
  const byTime = new Map<number, ChartRow>();
  for (const line of lines) {
    for (const point of line.points) {
      let row = byTime.get(point.t);
      if (!row) {
        row = { t: point.t } as ChartRow;
        byTime.set(point.t, row);
      }
      row[line.name] = point.v;
    }
  }
  const rows = [...byTime.values()].sort((a, b) => a.t - b.t);
  if (rows.length <= maxRows || lines.length === 0) return rows;

  // At most three rows per line and bucket: lowest, highest, first gap.
  const buckets = Math.max(1, Math.floor(maxRows / (3 * lines.length)));
  const size = Math.ceil(rows.length / buckets);
  const keep = new Set<number>();
  for (let start = 0; start < rows.length; start += size) {
    const end = Math.min(rows.length, start + size);
    for (const { name } of lines) {
      let low = -1;
      let high = -1;
      let gap = -1;
      for (let i = start; i < end; i++) {
        const value = rows[i][name];
        if (value === null || value === undefined) {
          if (gap < 0) gap = i;
        } else {
          if (low < 0 || value < (rows[low][name] as number)) low = i;
          if (high < 0 || value > (rows[high][name] as number)) high = i;
        }
      }
      for (const i of [low, high, gap]) if (i >= 0) keep.add(i);
    }
  }
  // The first and last times, so that the axis spans the whole range.
  keep.add(0);
  keep.add(rows.length - 1);
  return [...keep].sort((a, b) => a - b).map(i => rows[i]);
}
