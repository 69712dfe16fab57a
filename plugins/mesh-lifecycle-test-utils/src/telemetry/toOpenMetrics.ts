import {
  METRIC_FAMILIES,
  describeSeries,
  effectiveSeconds,
  formatLabels,
} from './describeSeries';
import { MeshModel } from './MeshModel';

/**
 * Time range and resolution of {@link toOpenMetrics}.
 *
 * @public
 */
export interface OpenMetricsOptions {
  /** Time of the first sample; every counter is 0 then. */
  start: Date;
  /** No sample after this time. */
  end: Date;
  /** Distance between samples in seconds. */
  stepSeconds: number;
}

/**
 * The model's telemetry from `start` to `end` as OpenMetrics text with
 * timestamps, for `promtool tsdb create-blocks-from openmetrics`. Counters
 * hold expected values (rate × time, buckets from the exact latency CDF), so
 * they are cumulative, buckets are monotonic and `+Inf` equals `_count`.
 *
 * @public
 */
export function toOpenMetrics(
  model: MeshModel,
  options: OpenMetricsOptions,
): string {
  const { start, end, stepSeconds } = options;
  if (!(stepSeconds > 0) || end.getTime() < start.getTime()) {
    throw new Error('toOpenMetrics needs stepSeconds > 0 and start <= end');
  }
  const times: number[] = [];
  for (let t = start.getTime(); t <= end.getTime(); t += stepSeconds * 1000) {
    times.push(t);
  }
  const cumulative = model.edges.map((_, edgeIndex) => {
    let total = 0;
    return times.map((t, k) => {
      if (k > 0) total += effectiveSeconds(model, edgeIndex, times[k - 1], t);
      return total;
    });
  });
  const specs = describeSeries(model);
  const lines: string[] = [];
  for (const family of METRIC_FAMILIES) {
    const members = specs.filter(spec => spec.family === family);
    if (members.length === 0) continue;
    lines.push(`# HELP ${family.name} ${family.help}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const spec of members) {
      const series = `${spec.sample}${formatLabels(spec.labels)}`;
      times.forEach((t, k) => {
        const value = spec.ratePerSecond * cumulative[spec.edgeIndex][k];
        lines.push(`${series} ${value} ${t / 1000}`);
      });
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
