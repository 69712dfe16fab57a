import { redactCredentials } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error
    ? String(error.name)
    : undefined;
}

/**
 * Why `fetch` got no answer: its cause (`connect ECONNREFUSED 127.0.0.1:9090`,
 * `getaddrinfo ENOTFOUND prometheus`, a certificate error) rather than its
 * own `fetch failed`.
 */
function unreachableReason(error: unknown): string {
  const cause =
    typeof error === 'object' && error !== null && 'cause' in error
      ? error.cause
      : undefined;
  const message =
    typeof cause === 'object' && cause !== null && 'message' in cause
      ? String(cause.message)
      : String(error);
  // A URL with user info is refused with the URL in the message.
  return redactCredentials(message);
}

/** Where and how to ask an upstream HTTP API (Prometheus, Alertmanager). */
export interface UpstreamSource {
  headers?: Record<string, string>;
  bearerToken?: string;
  timeoutMs: number;
}

/**
 * A URL as it may be shown: scheme, host and path, without user info and
 * query (which holds the PromQL).
 */
export function shownUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
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
): Promise<{
  status: number;
  ok: boolean;
  text: string;
  /** The media type of the answer, without parameters, e.g. `text/html`. */
  contentType?: string;
}> {
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
        : `unreachable (${unreachableReason(error)})`,
    );
  }
  try {
    const contentType = response.headers
      .get('content-type')
      ?.split(';')[0]
      .trim()
      .toLowerCase();
    return {
      status: response.status,
      ok: response.ok,
      text: await response.text(),
      ...(contentType ? { contentType } : {}),
    };
  } catch (error) {
    throw fail(
      errorName(error) === 'TimeoutError'
        ? timedOut
        : 'connection lost while reading the answer',
    );
  }
}
