import { ApiException } from '@kubernetes/client-node';
import {
  describeKubernetesFailure,
  redactCredentials,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-node';

/**
 * What an answer says about a source that failed: name and message only,
 * one line. A Kubernetes client error gives its status and Status message,
 * never its message (which dumps the body and the response headers), and
 * anything that looks like a credential is redacted.
 */
export function sourceError(error: unknown): { name: string; message: string } {
  let name = 'Error';
  let message: string;
  if (error instanceof ApiException) {
    name = 'KubernetesError';
    message = describeKubernetesFailure(error);
  } else if (error instanceof Error) {
    name = error.name;
    message = error.message;
  } else {
    message = String(error);
  }
  const [firstLine] = message.trim().split('\n');
  return { name, message: redactCredentials(firstLine.trim()) };
}
