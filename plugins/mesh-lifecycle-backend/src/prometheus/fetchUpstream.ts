function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error
    ? String(error.name)
    : undefined;
}

/** Where and how to ask an upstream HTTP API (Prometheus, Alertmanager). */
export interface UpstreamSource {
  headers?: Record<string, string>;
  bearerToken?: string;
  timeoutMs: number;
}

/**
 * GETs a URL of an upstream API with its headers and bearer token, within
 * its timeout. Fetch failures become `fail(reason)` errors whose reason
 * never holds the credentials: `no answer within N ms`, `unreachable (…)` or
 * `connection lost while reading the answer`.
 */
export async function fetchUpstream(
  url: URL,
  source: UpstreamSource,
  fail: (reason: string) => Error,
): Promise<{ status: number; ok: boolean; text: string }> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...source.headers,
  };
  if (source.bearerToken) {
    headers.authorization = `Bearer ${source.bearerToken}`;
  }
  const timedOut = `no answer within ${source.timeoutMs} ms`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(source.timeoutMs),
    });
  } catch (error) {
    throw fail(
      errorName(error) === 'TimeoutError'
        ? timedOut
        : `unreachable (${String(error)})`,
    );
  }
  try {
    return {
      status: response.status,
      ok: response.ok,
      text: await response.text(),
    };
  } catch (error) {
    throw fail(
      errorName(error) === 'TimeoutError'
        ? timedOut
        : 'connection lost while reading the answer',
    );
  }
}
