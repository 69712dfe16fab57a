import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
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

const STDERR_TAIL_LINES = 40;
const STOP_TIMEOUT_MS = 5000;

/** Keeps the last lines a stream wrote. */
function tailOf(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString())
      .split('\n')
      .slice(-STDERR_TAIL_LINES)
      .join('\n');
  });
  return () => tail;
}

/** Resolves with the exit code (or the spawn error) of a process. */
function exitOf(child: ChildProcess): Promise<string> {
  return new Promise(resolve => {
    child.once('error', err => resolve(`failed to run: ${err.message}`));
    child.once('exit', (code, signal) =>
      resolve(`exited with ${signal ?? `code ${code}`}`),
    );
  });
}

async function backfill(promtool: string, input: string, dataDir: string) {
  const child = spawn(
    promtool,
    ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', input, dataDir],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr = tailOf(child);
  const exit = await exitOf(child);
  if (exit !== 'exited with code 0') {
    throw new Error(`promtool backfill ${exit}:\n${stderr()}`);
  }
}

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

async function waitUntilReady(
  url: string,
  exited: Promise<string>,
  timeoutMs: number,
): Promise<void> {
  let exit: string | undefined;
  exited.then(reason => {
    exit = reason;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) throw new Error(`Prometheus ${exit} before it was ready`);
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`Prometheus was not ready within ${timeoutMs} ms`);
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
  const home = await mkdtemp(join(tmpdir(), 'prometheus-harness-'));
  const dataDir = join(home, 'data');
  const configFile = join(home, 'prometheus.yml');
  const rulesFile = join(home, 'rules.yml');
  let child: ChildProcess | undefined;
  let exited: Promise<string> = Promise.resolve('not started');
  const killOnExit = () => child?.kill('SIGKILL');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child?.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      await rm(home, { recursive: true, force: true });
    })();
    return stopping;
  };

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
        await backfill(promtool, input, dataDir);
      }
      await rm(input);
    }
    const port = options.port ?? (await findFreePort());
    const url = `http://127.0.0.1:${port}`;
    child = spawn(
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
      { cwd: home, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    process.once('exit', killOnExit);
    const stderr = tailOf(child);
    exited = exitOf(child);
    try {
      await waitUntilReady(url, exited, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}; last lines of its stderr:\n${stderr()}`,
      );
    }

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
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
