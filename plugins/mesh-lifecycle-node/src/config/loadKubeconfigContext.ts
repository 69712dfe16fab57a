import { Cluster, Context, KubeConfig, User } from '@kubernetes/client-node';

/** The cluster, user and context a kubeconfig context selects. */
export interface KubeconfigContext {
  /** The context. */
  context: Context;
  /** Its cluster; relative file paths made absolute. */
  cluster: Cluster;
  /** Its user; relative file paths made absolute. */
  user: User;
}

/**
 * Error of {@link loadKubeconfigContext}: its message never contains the file's
 * contents (parser messages may quote them, tokens included).
 */
export class KubeconfigError extends Error {
  /** Which setting is wrong: the file or the context. */
  readonly key: 'path' | 'context';

  constructor(key: 'path' | 'context', message: string) {
    super(message);
    this.name = 'KubeconfigError';
    this.key = key;
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code: unknown = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Reads a kubeconfig file and returns what `contextName` (default: its
 * current context) selects.
 */
export function loadKubeconfigContext(
  path: string,
  contextName?: string,
): KubeconfigContext {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (error) {
    const code = errorCode(error);
    throw new KubeconfigError(
      'path',
      code
        ? `cannot read kubeconfig file '${path}' (${code})`
        : `'${path}' is not a valid kubeconfig file`,
    );
  }
  const name = contextName ?? kc.getCurrentContext();
  if (!name) {
    throw new KubeconfigError(
      'context',
      `kubeconfig file '${path}' has no current-context; set the context`,
    );
  }
  const context = kc.getContextObject(name);
  if (!context) {
    const known = kc
      .getContexts()
      .map(c => `'${c.name}'`)
      .join(', ');
    throw new KubeconfigError(
      'context',
      `kubeconfig file '${path}' has no context '${name}' (it has ${
        known || 'none'
      })`,
    );
  }
  const cluster = kc.getCluster(context.cluster);
  if (!cluster) {
    throw new KubeconfigError(
      'context',
      `context '${name}' of kubeconfig file '${path}' names a cluster that the file does not define`,
    );
  }
  const user = kc.getUser(context.user);
  if (!user) {
    throw new KubeconfigError(
      'context',
      `context '${name}' of kubeconfig file '${path}' names a user that the file does not define`,
    );
  }
  return { context, cluster, user };
}

/** Whether a kubeconfig user sends credentials with each request. */
export function userSendsCredentials(user: User): boolean {
  return Boolean(
    user.token ||
      user.exec ||
      user.authProvider ||
      user.username ||
      user.password ||
      user.certData ||
      user.certFile,
  );
}
