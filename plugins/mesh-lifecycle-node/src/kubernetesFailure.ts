import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';

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
}

/**
 * Reads the Kubernetes Status out of an error of `@kubernetes/client-node`
 * (an `ApiException` whose body is the Status); other errors give their
 * message.
 *
 * @public
 */
export function kubernetesFailure(error: unknown): KubernetesFailure {
  if (!(error instanceof ApiException)) {
    return {
      message: error instanceof Error ? error.message : String(error),
      causes: [],
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
