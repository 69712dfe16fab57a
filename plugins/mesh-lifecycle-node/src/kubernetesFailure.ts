import { ApiException } from '@kubernetes/client-node';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { ClusterConfig } from './config';

const statusSchema = z.object({
  message: z.string().optional(),
  reason: z.string().optional(),
  details: z
    .object({
      causes: z
        .array(
          z.object({
            reason: z.string().optional(),
            message: z.string().optional(),
            field: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/**
 * A failed call to a Kubernetes API server, as it may be shown and logged:
 * the HTTP status and the server's Status (message, reason, causes) — never
 * the request, so never its credentials.
 *
 * @public
 */
export interface KubernetesFailure {
  /** HTTP status code, when the server answered. */
  code?: number;
  /** The Status message, else `HTTP <code>`, else the error's message. */
  message: string;
  /** The Status reason, e.g. `Conflict`, `NotFound`. */
  reason?: string;
  /** The Status causes (field errors, apply conflicts). */
  causes: Array<{ reason?: string; message?: string; field?: string }>;
  /**
   * Why a call got no answer, as Node.js names it: `ECONNREFUSED`,
   * `ENOTFOUND`, `DEPTH_ZERO_SELF_SIGNED_CERT`... `ETIMEDOUT` for a call that
   * timed out.
   */
  systemCode?: string;
}

function property(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The Node.js error code of an error or of its cause (as `fetch` reports it). */
function systemCodeOf(error: unknown): string | undefined {
  if (property(error, 'name') === 'TimeoutError') return 'ETIMEDOUT';
  for (const candidate of [error, property(error, 'cause')]) {
    const code = property(candidate, 'code');
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) {
      return code;
    }
  }
  return undefined;
}

/**
 * Reads the Kubernetes Status out of an error of `@kubernetes/client-node`
 * (an `ApiException` whose body is the Status); other errors give their
 * message, the HTTP status of a refused watch (`statusCode`) and the Node.js
 * code of a call that got no answer (refused connection, unknown host, TLS).
 *
 * @public
 */
export function kubernetesFailure(error: unknown): KubernetesFailure {
  if (!(error instanceof ApiException)) {
    const statusCode = property(error, 'statusCode');
    const systemCode = systemCodeOf(error);
    return {
      ...(typeof statusCode === 'number' ? { code: statusCode } : {}),
      message: error instanceof Error ? error.message : String(error),
      causes: [],
      ...(systemCode !== undefined ? { systemCode } : {}),
    };
  }
  const code = typeof error.code === 'number' ? error.code : undefined;
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  const status = statusSchema.safeParse(body);
  const data = status.success ? status.data : {};
  return {
    ...(code !== undefined ? { code } : {}),
    message: data.message ?? `HTTP ${code ?? 'error'}`,
    ...(data.reason !== undefined ? { reason: data.reason } : {}),
    causes: data.details?.causes ?? [],
  };
}

/**
 * A failure as one line: `HTTP 409: <Status message>`.
 *
 * @public
 */
export function describeKubernetesFailure(error: unknown): string {
  const failure = kubernetesFailure(error);
  if (failure.code === undefined) return failure.message;
  return failure.message === `HTTP ${failure.code}`
    ? failure.message
    : `HTTP ${failure.code}: ${failure.message}`;
}

const REDACTED_TEXT = '<redacted>';

/**
 * `text` with anything that looks like a credential replaced by
 * `<redacted>`: `Bearer`/`Basic` credentials, JWTs, `token=`/`password:`
 * style values, user info in URLs, and each of `secrets`.
 *
 * @public
 */
export function redactCredentials(
  text: string,
  secrets: readonly string[] = [],
): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length >= 4)
      redacted = redacted.split(secret).join(REDACTED_TEXT);
  }
  return redacted
    .replace(/\b(Bearer|Basic)\s+[\w\-.~+/]+=*/gi, `$1 ${REDACTED_TEXT}`)
    .replace(/\beyJ[\w-]{4,}\.[\w-]{4,}(?:\.[\w-]*)?/g, REDACTED_TEXT)
    .replace(
      /\b((?:access[_-]?|bearer[_-]?|id[_-]?|service[_-]?account[_-]?)?token|authorization|password|secret)(["']?\s*[:=]\s*["']?)(?!<redacted>)[^\s"',;}]+/gi,
      `$1$2${REDACTED_TEXT}`,
    )
    .replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, `//${REDACTED_TEXT}@`);
}

/**
 * The cluster a failed call went to, for {@link describeClusterFailure}.
 *
 * @public
 */
export interface ClusterFailureContext {
  /** The cluster's name. */
  cluster: string;
  /**
   * How the cluster is configured: with it, hints name the setting to check
   * (and its token is redacted by value from the details).
   */
  config?: Pick<ClusterConfig, 'auth' | 'source'>;
  /** The resource asked for, as `kubectl` names it: `pods`, `deployments.apps`. */
  resource?: string;
}

/**
 * A failed call to a cluster, described for people.
 *
 * @public
 */
export interface ClusterFailureDescription {
  /**
   * One line for answers: the cluster, what failed (HTTP status and reason,
   * or why there was no answer) and what to check. Never a response header,
   * a body dump or a credential.
   */
  summary: string;
  /**
   * One line for the server log: the summary, then the resource, the
   * Status reason and message from the body, or the error's message, with
   * credentials redacted.
   */
  detail: string;
  /** The HTTP status, when the API server answered. */
  code?: number;
}

const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'no answer in time',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'no connection in time',
  UND_ERR_SOCKET: 'connection closed',
};

const UNTRUSTED = 'the API server certificate is not trusted';
const TLS_FAILURES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_SIGNATURE_FAILURE: UNTRUSTED,
  CERT_REJECTED: UNTRUSTED,
  CERT_HAS_EXPIRED: 'the API server certificate has expired',
  CERT_NOT_YET_VALID: 'the API server certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID:
    'the API server certificate does not name the host of the url',
  EPROTO: 'TLS handshake failed (is the url https to a plain http port?)',
  ERR_SSL_WRONG_VERSION_NUMBER:
    'TLS handshake failed (is the url https to a plain http port?)',
};

function oneLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The configured cluster entry, as a reader of the config finds it. */
function entryOf(context: ClusterFailureContext): string {
  const { cluster, config } = context;
  if (!config) return `cluster '${cluster}'`;
  return config.source === 'kubernetes'
    ? `the kubernetes.clusterLocatorMethods cluster '${cluster}'`
    : `the meshLifecycle.clusters entry '${cluster}'`;
}

/** The configured credentials of the cluster. */
function credentialsOf(context: ClusterFailureContext): string {
  const entry = entryOf(context);
  const auth = context.config?.auth;
  switch (auth?.type) {
    case 'serviceAccountToken':
      return `the serviceAccountToken of ${entry}`;
    case 'kubeconfig':
      return `the user of ${
        auth.context ? `context '${auth.context}'` : 'the current context'
      } in the kubeconfig file of ${entry}`;
    case 'inCluster':
      return `the service account of the backend's pod (inCluster auth of ${entry})`;
    default:
      return `the token / serviceAccountToken (or the kubeconfig context) of ${entry} in meshLifecycle.clusters`;
  }
}

function tlsSettingsOf(context: ClusterFailureContext): string {
  const settings = `caData / caFile / skipTLSVerify of ${entryOf(context)}`;
  return context.config?.auth.type === 'kubeconfig'
    ? `the certificate-authority of the kubeconfig file, or ${settings}`
    : settings;
}

/**
 * A failed call to a cluster's API server (an error of
 * `@kubernetes/client-node`, read with {@link kubernetesFailure}) as one line
 * for answers and one line for the server log. 401 and 403 name the
 * credentials and RBAC to check, refused connections, unknown hosts and
 * timeouts the url and the network, certificate errors the TLS settings.
 *
 * @public
 */
export function describeClusterFailure(
  error: unknown,
  context: ClusterFailureContext,
): ClusterFailureDescription {
  const failure = kubernetesFailure(error);
  const { code, systemCode } = failure;
  const auth = context.config?.auth;
  const secrets = auth?.type === 'serviceAccountToken' ? [auth.token] : [];
  const resource = context.resource;
  let what: string;
  if (code !== undefined) {
    const reasonText =
      code === 401 || code === 403
        ? STATUS_CODES[code]
        : failure.reason ?? STATUS_CODES[code] ?? 'error';
    const status = `HTTP ${code} ${reasonText}`;
    if (code === 401) {
      what = `${status} — the API server rejected the credentials; check ${credentialsOf(
        context,
      )}`;
    } else if (code === 403) {
      what = resource
        ? `${status} — the credentials may not list/watch ${resource}; check the RBAC of ${credentialsOf(
            context,
          )}: it needs list and watch on ${resource}`
        : `${status} — the credentials may not read what was asked; check the RBAC of ${credentialsOf(
            context,
          )}: it needs list and watch on what Mesh Lifecycle reads`;
    } else {
      const said = [`HTTP ${code}`, reasonText, status].includes(
        failure.message,
      )
        ? ''
        : `: ${oneLine(redactCredentials(failure.message, secrets))}`;
      what = `${status}${said}`;
    }
  } else if (systemCode !== undefined && TLS_FAILURES[systemCode]) {
    what = `${TLS_FAILURES[systemCode]} (${systemCode}) — check ${
      systemCode === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `the host in the url of ${entryOf(context)}, or `
        : ''
    }${tlsSettingsOf(context)}`;
  } else if (systemCode !== undefined && NETWORK_FAILURES[systemCode]) {
    const timedOut =
      systemCode === 'ETIMEDOUT' &&
      /^no answer within \d+ ms$/.test(failure.message);
    what = `${
      timedOut
        ? failure.message
        : `${NETWORK_FAILURES[systemCode]} (${systemCode})`
    } — check the url of ${entryOf(
      context,
    )} and the network between the backend and the API server`;
  } else {
    what = oneLine(redactCredentials(failure.message, secrets));
  }
  const summary = `cluster ${context.cluster}: ${what}`;

  const details: string[] = [];
  if (resource) details.push(`resource ${resource}`);
  if (code !== undefined) {
    details.push(
      failure.message === `HTTP ${code}`
        ? `HTTP ${code}, no Status in the body`
        : `Status ${code}${
            failure.reason ? ` ${failure.reason}` : ''
          }: ${oneLine(redactCredentials(failure.message, secrets), 500)}`,
    );
    for (const cause of failure.causes) {
      details.push(
        `cause ${oneLine(
          redactCredentials(
            [cause.field, cause.reason, cause.message]
              .filter(part => part !== undefined)
              .join(' '),
            secrets,
          ),
        )}`,
      );
    }
  } else {
    details.push(
      `${systemCode ?? 'error'}: ${oneLine(
        redactCredentials(failure.message, secrets),
        500,
      )}`,
    );
  }
  return {
    summary,
    detail: `${summary} | ${details.join('; ')}`,
    ...(code !== undefined ? { code } : {}),
  };
}
