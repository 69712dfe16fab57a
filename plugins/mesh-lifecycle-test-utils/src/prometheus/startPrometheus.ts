import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createManagedProcess } from '../process/createManagedProcess';
import { findExecutable } from './findExecutable';
import { findFreePort } from './findFreePort';
import {
  PromAlertsData,
  PromMatrixData,
  PromQueryData,
  PromRulesData,
  callPrometheusApi,
} from './prometheusApi';

/**
 * A rule of a Prometheus rule file: an alert or a recording rule.
 *
 * @public
 */
export interface PrometheusRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * The content of a Prometheus rule file.
 *
 * @public
 */
export interface PrometheusRuleFile {
  groups: Array<{ name: string; interval?: string; rules: PrometheusRule[] }>;
}

/**
 * A `/metrics` endpoint for Prometheus to scrape.
 *
 * @public
 */
export interface ScrapeTarget {
  job: string;
  /** Full URL of the endpoint, e.g. `http://127.0.0.1:1234/metrics`. */
  url: string;
  /** Scrape interval of this job, e.g. `1s`. */
  interval?: string;
}

/**
 * Options of {@link startPrometheus}.
 *
 * @public
 */
export interface PrometheusOptions {
  /** The `prometheus` executable (default `PROMETHEUS_BINARY` or PATH). */
  binary?: string;
  /** The `promtool` executable (default `PROMTOOL_BINARY` or PATH). */
  promtoolBinary?: string;
  /** Existing rule files to load. */
  ruleFiles?: string[];
  /** Rule-file content, written to a temporary file and loaded. */
  rules?: PrometheusRuleFile;
  /** `global.evaluation_interval` (default `1s`). */
  evaluationInterval?: string;
  scrapeTargets?: ScrapeTarget[];
  /** `global.scrape_interval` (default `1s`). */
  scrapeInterval?: string;
  /**
   * OpenMetrics text (ending with `# EOF`) turned into TSDB blocks with
   * `promtool` before Prometheus starts; several texts (e.g. one per
   * cluster) are backfilled one after the other.
   */
  backfill?: string | string[];
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Further command-line flags of `prometheus`. */
  extraArgs?: string[];
  /** How long to wait for `/-/ready` (default 30 s). */
  startTimeoutMs?: number;
}

/**
 * A running Prometheus and helpers for its HTTP API; each helper returns
 * the answer's `data` and throws on `status: "error"`.
 *
 * @public
 */
export interface PrometheusInstance {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The TSDB directory. */
  dataDir: string;
  /** Instant query, at `time` (default: now). */
  query(promql: string, time?: Date): Promise<PromQueryData>;
  /** Range query; `step` in seconds. */
  queryRange(
    promql: string,
    start: Date,
    end: Date,
    step: number,
  ): Promise<PromMatrixData>;
  alerts(): Promise<PromAlertsData>;
  rules(): Promise<PromRulesData>;
  /** Reloads the configuration, after replacing the `rules` when given. */
  reload(rules?: PrometheusRuleFile): Promise<void>;
  /** Kills Prometheus (SIGTERM, then SIGKILL) and removes its files. */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 5000;

function scrapeConfig(target: ScrapeTarget) {
  const url = new URL(target.url);
  return {
    job_name: target.job,
    ...(target.interval ? { scrape_interval: target.interval } : {}),
    scheme: url.protocol.replace(':', ''),
    metrics_path: url.pathname,
    static_configs: [{ targets: [url.host] }],
  };
}

/**
 * Starts the real `prometheus` binary on a free 127.0.0.1 port with a fresh
 * temporary data directory (backfilled first when `backfill` is given) and
 * waits until `/-/ready` answers 200.
 *
 * @public
 */
export async function startPrometheus(
  options: PrometheusOptions = {},
): Promise<PrometheusInstance> {
  const binary = findExecutable(
    options.binary ?? process.env.PROMETHEUS_BINARY ?? 'prometheus',
    'PROMETHEUS_BINARY',
  );
  const promtool =
    options.backfill === undefined
      ? undefined
      : findExecutable(
          options.promtoolBinary ?? process.env.PROMTOOL_BINARY ?? 'promtool',
          'PROMTOOL_BINARY',
        );
  const server = await createManagedProcess({
    name: 'Prometheus',
    tempDirPrefix: 'prometheus-harness-',
    stopGraceMs: STOP_TIMEOUT_MS,
  });
  const home = server.dir;
  const dataDir = join(home, 'data');
  const configFile = join(home, 'prometheus.yml');
  const rulesFile = join(home, 'rules.yml');

  try {
    await writeFile(rulesFile, stringify(options.rules ?? { groups: [] }));
    await writeFile(
      configFile,
      stringify({
        global: {
          scrape_interval: options.scrapeInterval ?? '1s',
          evaluation_interval: options.evaluationInterval ?? '1s',
        },
        rule_files: [rulesFile, ...(options.ruleFiles ?? [])],
        scrape_configs: (options.scrapeTargets ?? []).map(scrapeConfig),
      }),
    );
    if (promtool && options.backfill !== undefined) {
      const input = join(home, 'backfill.om');
      for (const text of [options.backfill].flat()) {
        await writeFile(input, text);
        await server.run(
          promtool,
          [
            'tsdb',
            'create-blocks-from',
            'openmetrics',
            '--quiet',
            input,
            dataDir,
          ],
          'promtool backfill',
        );
      }
      await rm(input);
    }
    const port = options.port ?? (await findFreePort());
    const url = `http://127.0.0.1:${port}`;
    await server.start(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dataDir}`,
        // Relative to the newest block, but keep even old backfills.
        '--storage.tsdb.retention.time=10y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        ...(options.extraArgs ?? []),
      ],
      {
        isReady: async () => (await fetch(`${url}/-/ready`)).status === 200,
        timeoutMs: options.startTimeoutMs ?? 30_000,
      },
    );

    return {
      url,
      dataDir,
      query: (promql, time) =>
        callPrometheusApi<PromQueryData>(url, '/api/v1/query', {
          query: promql,
          ...(time ? { time: String(time.getTime() / 1000) } : {}),
        }),
      queryRange: (promql, start, end, step) =>
        callPrometheusApi<PromMatrixData>(url, '/api/v1/query_range', {
          query: promql,
          start: String(start.getTime() / 1000),
          end: String(end.getTime() / 1000),
          step: String(step),
        }),
      alerts: () => callPrometheusApi<PromAlertsData>(url, '/api/v1/alerts'),
      rules: () => callPrometheusApi<PromRulesData>(url, '/api/v1/rules'),
      async reload(rules) {
        if (rules) await writeFile(rulesFile, stringify(rules));
        const response = await fetch(`${url}/-/reload`, { method: 'POST' });
        if (response.status !== 200) {
          throw new Error(
            `Prometheus reload answered HTTP ${
              response.status
            }: ${await response.text()}`,
          );
        }
      },
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
