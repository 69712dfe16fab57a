import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { PromQL } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { misplacedApiPath } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { z } from 'zod';
import { fetchUpstream, shownUrl } from './fetchUpstream';

/** A Prometheus the plugin asks, as configured. */
export interface PrometheusSource {
  /** Names the source in answers and errors, e.g. `prometheus:prod`. */
  name: string;
  url: string;
  headers?: Record<string, string>;
  bearerToken?: string;
  timeoutMs: number;
}

const sampleValue = z.tuple([z.number(), z.string()]);
const labels = z.record(z.string(), z.string());

const vectorData = z.object({
  resultType: z.literal('vector'),
  result: z.array(z.object({ metric: labels, value: sampleValue })),
});
const matrixData = z.object({
  resultType: z.literal('matrix'),
  result: z.array(z.object({ metric: labels, values: z.array(sampleValue) })),
});
const alertsData = z.object({
  alerts: z.array(
    z.object({
      labels,
      annotations: labels,
      state: z.enum(['inactive', 'pending', 'firing']),
      activeAt: z.string().optional(),
      value: z.string().optional(),
    }),
  ),
});

const alertingRulesData = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      file: z.string().optional(),
      rules: z.array(
        z.object({
          type: z.literal('alerting').optional(),
          name: z.string(),
          query: z.string(),
          /** Seconds the condition must hold before the alert fires. */
          duration: z.number().default(0),
          labels: labels.nullish().transform(value => value ?? {}),
          annotations: labels.nullish().transform(value => value ?? {}),
          state: z.enum(['inactive', 'pending', 'firing']),
          health: z.string(),
          lastError: z.string().optional(),
          /** When it was last evaluated; Go's zero time before that. */
          lastEvaluation: z.string().optional(),
          alerts: z
            .array(alertsData.shape.alerts.element)
            .nullish()
            .transform(value => value ?? []),
        }),
      ),
    }),
  ),
});

/** One series of an instant query. */
export type VectorSample = z.infer<typeof vectorData>['result'][number];
/** One series of a range query. */
export type MatrixSeries = z.infer<typeof matrixData>['result'][number];
/** An active (pending or firing) alert. */
export type PrometheusAlert = z.infer<typeof alertsData>['alerts'][number];
/** A group of alerting rules, as `/api/v1/rules?type=alert` answers it. */
export type PrometheusRuleGroup = z.infer<
  typeof alertingRulesData
>['groups'][number];
/** An alerting rule, its state and its active alerts. */
export type PrometheusAlertingRule = PrometheusRuleGroup['rules'][number];

const envelope = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

/** A failed call to one Prometheus; the message never holds credentials. */
export class PrometheusError extends Error {
  readonly source: string;

  constructor(source: string, message: string) {
    super(`Prometheus ${source}: ${message}`);
    this.name = 'PrometheusError';
    this.source = source;
  }
}

/**
 * Asks one Prometheus over its HTTP API: every call has a timeout, every
 * answer is parsed before use, identical concurrent calls share one request,
 * and answers are kept briefly in Backstage's cache service (shared by all
 * backend replicas).
 */
export class PrometheusClient {
  private readonly source: PrometheusSource;
  private readonly cache?: CacheService;
  private readonly cacheTtlMs: number;
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(options: {
    source: PrometheusSource;
    cache?: CacheService;
    /** How long answers are cached (default 10 s); 0 turns caching off. */
    cacheTtlMs?: number;
  }) {
    this.source = options.source;
    this.cache = options.cache;
    this.cacheTtlMs = options.cacheTtlMs ?? 10_000;
  }

  /** The source's name. */
  get name(): string {
    return this.source.name;
  }

  /** An instant query, at `time` (default: now). */
  async instant(query: PromQL, time?: Date): Promise<VectorSample[]> {
    const params: Record<string, string> = { query };
    if (time) params.time = String(time.getTime() / 1000);
    const data = await this.call('api/v1/query', params, vectorData);
    return data.result;
  }

  /** A range query, `stepSeconds` apart. */
  async range(
    query: PromQL,
    start: Date,
    end: Date,
    stepSeconds: number,
  ): Promise<MatrixSeries[]> {
    const data = await this.call(
      'api/v1/query_range',
      {
        query,
        start: String(start.getTime() / 1000),
        end: String(end.getTime() / 1000),
        step: String(stepSeconds),
      },
      matrixData,
    );
    return data.result;
  }

  /** The active (pending and firing) alerts. */
  async alerts(): Promise<PrometheusAlert[]> {
    return (await this.call('api/v1/alerts', {}, alertsData)).alerts;
  }

  /** The alerting rule groups, with each rule's state and active alerts. */
  async rules(): Promise<PrometheusRuleGroup[]> {
    return (
      await this.call('api/v1/rules', { type: 'alert' }, alertingRulesData)
    ).groups;
  }

  private async call<T extends z.ZodType>(
    path: string,
    params: Record<string, string>,
    data: T,
  ): Promise<z.infer<T>> {
    const url = new URL(
      path,
      this.source.url.endsWith('/') ? this.source.url : `${this.source.url}/`,
    );
    for (const [key, value] of Object.entries(params)) {
      url.searchParams.set(key, value);
    }
    const key = `mesh-lifecycle:prometheus:${this.source.name}:${url.pathname}?${url.searchParams}`;
    const pending = this.inFlight.get(key);
    if (pending) {
      return pending as Promise<z.infer<T>>;
    }
    const promise = this.cachedFetch(key, url, data).finally(() =>
      this.inFlight.delete(key),
    );
    this.inFlight.set(key, promise);
    return promise;
  }

  private async cachedFetch<T extends z.ZodType>(
    key: string,
    url: URL,
    data: T,
  ): Promise<z.infer<T>> {
    if (this.cache && this.cacheTtlMs > 0) {
      const cached = data.safeParse(await this.cache.get(key));
      if (cached.success) {
        return cached.data;
      }
    }
    const answer = envelope.safeParse(await this.fetchJson(url));
    if (answer.success && answer.data.status === 'error') {
      throw new PrometheusError(
        this.source.name,
        `${answer.data.errorType ?? 'error'}: ${
          answer.data.error ?? 'unknown'
        }`,
      );
    }
    const parsed = data.safeParse(answer.data?.data);
    if (!answer.success || !parsed.success) {
      const issue = (answer.error ?? parsed.error)?.issues[0];
      throw new PrometheusError(
        this.source.name,
        `unexpected answer to ${url.pathname}: ${issue?.path.join('.')} ${
          issue?.message
        }`,
      );
    }
    const result: z.infer<T> = parsed.data;
    if (this.cache && this.cacheTtlMs > 0) {
      // Parsed from JSON, so it is JSON.
      await this.cache.set(key, result as JsonValue, { ttl: this.cacheTtlMs });
    }
    return result;
  }

  private async fetchJson(url: URL): Promise<unknown> {
    const { status, ok, text, contentType } = await fetchUpstream(
      url,
      this.source,
      reason => new PrometheusError(this.source.name, reason),
    );
    // Prometheus answers errors with a JSON envelope too, whatever the status.
    try {
      return JSON.parse(text);
    } catch {
      throw new PrometheusError(
        this.source.name,
        this.notJson(url, status, ok, contentType),
      );
    }
  }

  /** Why an answer is no Prometheus answer, and what to check, in one line. */
  private notJson(
    url: URL,
    status: number,
    ok: boolean,
    contentType: string | undefined,
  ): string {
    const from = `from ${shownUrl(url)}`;
    const misplaced = misplacedApiPath(this.source.url, 'prometheus');
    if (misplaced) {
      return `HTTP ${status} ${from} — the configured url ends in ${misplaced.suffix}; configure the base URL (${misplaced.baseUrl})`;
    }
    const answer = `HTTP ${status} (${
      contentType ?? 'no content type'
    }) ${from}`;
    if (status === 401 || status === 403) {
      return `${answer} — the credentials were refused; check the bearerToken / headers configured for this Prometheus`;
    }
    if (status === 404) {
      return `${answer} — is the configured url the base URL of Prometheus (the one its /api/v1 is under)?`;
    }
    return ok && contentType === 'text/html'
      ? `${answer}, not a Prometheus answer — a login page or a proxy in front of it?`
      : `${answer}, not a Prometheus answer`;
  }
}
