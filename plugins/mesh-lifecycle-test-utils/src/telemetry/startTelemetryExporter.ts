import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  METRIC_FAMILIES,
  MetricFamily,
  SeriesSpec,
  describeSeries,
  effectiveSeconds,
  formatLabels,
} from './describeSeries';
import { MeshModel } from './MeshModel';

/**
 * Options of {@link startTelemetryExporter}.
 *
 * @public
 */
export interface TelemetryExporterOptions {
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Current time in epoch ms (default `Date.now`); for deterministic tests. */
  clock?: () => number;
}

/**
 * A running exporter of the model's telemetry.
 *
 * @public
 */
export interface TelemetryExporter {
  /** URL of the `/metrics` endpoint. */
  url: string;
  /** The exposition at the current time, as served on `/metrics`. */
  render(): string;
  /**
   * Switches to another model from now on (e.g. moved canary weights);
   * counters keep their values and go on from there.
   */
  setModel(model: MeshModel): void;
  stop(): Promise<void>;
}

interface SeriesState {
  family: MetricFamily;
  sample: string;
  labels: Record<string, string>;
  value: number;
}

const seriesKey = (spec: { sample: string; labels: Record<string, string> }) =>
  `${spec.sample}${formatLabels(spec.labels)}`;

/**
 * Serves the model's telemetry on `/metrics` in the Prometheus text format,
 * counters growing with the time elapsed since start (expected values, same
 * jitter as {@link toOpenMetrics}).
 *
 * @public
 */
export async function startTelemetryExporter(
  model: MeshModel,
  options: TelemetryExporterOptions = {},
): Promise<TelemetryExporter> {
  const clock = options.clock ?? Date.now;
  let current = model;
  let specs: SeriesSpec[] = describeSeries(model);
  let since = clock();
  /** Every series ever exposed, with its value at `since`. */
  const series = new Map<string, SeriesState>();
  const track = (list: SeriesSpec[]) => {
    for (const spec of list) {
      const key = seriesKey(spec);
      if (!series.has(key)) series.set(key, { ...spec, value: 0 });
    }
  };
  track(specs);

  const valuesAt = (now: number) => {
    const values = new Map<string, number>();
    for (const [key, state] of series) values.set(key, state.value);
    const seconds = current.edges.map((_, edgeIndex) =>
      effectiveSeconds(current, edgeIndex, since, now),
    );
    for (const spec of specs) {
      const key = seriesKey(spec);
      values.set(
        key,
        (values.get(key) ?? 0) + spec.ratePerSecond * seconds[spec.edgeIndex],
      );
    }
    return values;
  };

  const render = () => {
    const values = valuesAt(clock());
    const lines: string[] = [];
    for (const family of METRIC_FAMILIES) {
      const members = [...series].filter(([, s]) => s.family === family);
      if (members.length === 0) continue;
      const name =
        family.type === 'counter' ? `${family.name}_total` : family.name;
      lines.push(`# HELP ${name} ${family.help}`);
      lines.push(`# TYPE ${name} ${family.type}`);
      for (const [key, state] of members) {
        lines.push(
          `${state.sample}${formatLabels(state.labels)} ${values.get(key)}`,
        );
      }
    }
    return `${lines.join('\n')}\n`;
  };

  const server = createServer((req, res) => {
    if (req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found\n');
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' })
      .end(render());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/metrics`,
    render,
    setModel(next) {
      const now = clock();
      for (const [key, value] of valuesAt(now)) {
        const state = series.get(key);
        if (state) state.value = value;
      }
      current = next;
      specs = describeSeries(next);
      since = now;
      track(specs);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(err => (err ? reject(err) : resolve()));
      }),
  };
}
