/**
 * Labels of a series in an HTTP API answer.
 *
 * @public
 */
export type PromLabels = Record<string, string>;

/**
 * `[unix seconds, value]` as the HTTP API returns it.
 *
 * @public
 */
export type PromSampleValue = [number, string];

/**
 * An instant vector.
 *
 * @public
 */
export interface PromVectorData {
  resultType: 'vector';
  result: Array<{ metric: PromLabels; value: PromSampleValue }>;
}

/**
 * A range vector.
 *
 * @public
 */
export interface PromMatrixData {
  resultType: 'matrix';
  result: Array<{ metric: PromLabels; values: PromSampleValue[] }>;
}

/**
 * A scalar or string.
 *
 * @public
 */
export interface PromScalarData {
  resultType: 'scalar' | 'string';
  result: PromSampleValue;
}

/**
 * The `data` of `/api/v1/query`.
 *
 * @public
 */
export type PromQueryData = PromVectorData | PromMatrixData | PromScalarData;

/**
 * An active alert of `/api/v1/alerts`.
 *
 * @public
 */
export interface PromAlert {
  labels: PromLabels;
  annotations: PromLabels;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

/**
 * The `data` of `/api/v1/alerts`.
 *
 * @public
 */
export interface PromAlertsData {
  alerts: PromAlert[];
}

/**
 * A rule of `/api/v1/rules`.
 *
 * @public
 */
export interface PromRule {
  type: 'alerting' | 'recording';
  name: string;
  query: string;
  health: string;
  lastError?: string;
  labels?: PromLabels;
  /** Alerting rules only. */
  state?: 'inactive' | 'pending' | 'firing';
  /** Alerting rules only. */
  alerts?: PromAlert[];
}

/**
 * The `data` of `/api/v1/rules`.
 *
 * @public
 */
export interface PromRulesData {
  groups: Array<{
    name: string;
    file: string;
    interval: number;
    rules: PromRule[];
  }>;
}

interface ApiEnvelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

/**
 * Calls a Prometheus HTTP API endpoint and returns its `data`, throwing on
 * `status: "error"` or a non-JSON answer.
 */
export async function callPrometheusApi<T>(
  baseUrl: string,
  path: string,
  params?: Record<string, string>,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: params ? 'POST' : 'GET',
    body: params ? new URLSearchParams(params) : undefined,
  });
  const text = await response.text();
  let envelope: ApiEnvelope<T>;
  try {
    envelope = JSON.parse(text) as ApiEnvelope<T>;
  } catch {
    throw new Error(
      `Prometheus ${path} answered HTTP ${response.status}: ${text.slice(
        0,
        500,
      )}`,
    );
  }
  if (envelope.status !== 'success' || envelope.data === undefined) {
    const query = params?.query ? ` for query ${params.query}` : '';
    throw new Error(
      `Prometheus ${path} failed${query}: ${envelope.errorType}: ${envelope.error}`,
    );
  }
  return envelope.data;
}
