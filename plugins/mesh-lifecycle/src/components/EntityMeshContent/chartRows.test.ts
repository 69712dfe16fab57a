import { ChartLine, chartRows } from './chartRows';

function line(
  name: string,
  count: number,
  value: (i: number) => number | null,
) {
  return {
    name,
    points: Array.from({ length: count }, (_, i) => ({
      t: 1_000 + i * 10,
      v: value(i),
    })),
  } satisfies ChartLine;
}

describe('chartRows', () => {
  it('puts each line in its column, one row per time, oldest first', () => {
    expect(
      chartRows([
        {
          name: 'v1',
          points: [
            { t: 20, v: 2 },
            { t: 10, v: 1 },
          ],
        },
        {
          name: 'v2',
          points: [
            { t: 10, v: 5 },
            { t: 30, v: null },
          ],
        },
      ]),
    ).toEqual([
      { t: 10, v1: 1, v2: 5 },
      { t: 20, v1: 2 },
      { t: 30, v2: null },
    ]);
  });

  it('keeps a chart of up to the limit as it is', () => {
    const lines = [line('rps', 1_000, i => i % 7)];
    expect(chartRows(lines)).toHaveLength(1_000);
  });

  it('thins 10,000 points per line to the limit, keeping spikes, dips, gaps and both ends', () => {
    const v1 = line('v1', 10_000, i => {
      if (i === 4_321) return 500; // a spike
      if (i >= 7_000 && i < 7_003) return null; // a short hole
      return 10 + Math.sin(i / 50);
    });
    const v2 = line('v2', 10_000, i => (i === 9_876 ? -3 : 1));
    const rows = chartRows([v1, v2]);
    expect(rows.length).toBeLessThanOrEqual(1_000);
    expect(rows.length).toBeGreaterThan(300);
    const values = (name: string) => rows.map(r => r[name]);
    expect(
      Math.max(...values('v1').filter((v): v is number => v !== null)),
    ).toBe(500);
    expect(values('v1')).toContain(null);
    expect(
      Math.min(...values('v2').filter((v): v is number => v !== null)),
    ).toBe(-3);
    expect(rows[0].t).toBe(1_000);
    expect(rows[rows.length - 1].t).toBe(1_000 + 9_999 * 10);
    // Every kept row has every line's value at that time: no line is cut
    // where another kept a row.
    expect(rows.every(r => 'v1' in r && 'v2' in r)).toBe(true);
    // Times stay in order.
    expect(rows.every((r, i) => i === 0 || r.t > rows[i - 1].t)).toBe(true);
  });

  it('follows the lowest and highest values of each stretch', () => {
    const rows = chartRows([line('p95', 10_000, i => i)], 100);
    // A rising line: each bucket keeps its first and last point.
    expect(rows.length).toBeLessThanOrEqual(100);
    const kept = rows.map(r => r.p95 as number);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(kept[kept.length - 1]).toBe(9_999);
  });
});
