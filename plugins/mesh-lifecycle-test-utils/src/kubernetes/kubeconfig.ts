import { stringify } from 'yaml';

/** What a kubeconfig for an emulator contains. */
export interface KubeconfigParams {
  /** Cluster (and context) name. */
  name: string;
  /** API server URL. */
  server: string;
  /** Bearer token of the user. */
  token: string;
  /** Default namespace of the context. */
  namespace?: string;
}

/**
 * Renders kubeconfig YAML with one cluster, one token user and one current
 * context, all named after the cluster. The cluster is marked
 * `insecure-skip-tls-verify`: @kubernetes/client-node refuses plain-HTTP
 * servers without it.
 */
export function renderKubeconfig(params: KubeconfigParams): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: params.name,
        cluster: { server: params.server, 'insecure-skip-tls-verify': true },
      },
    ],
    users: [{ name: `${params.name}-user`, user: { token: params.token } }],
    contexts: [
      {
        name: params.name,
        context: {
          cluster: params.name,
          user: `${params.name}-user`,
          ...(params.namespace ? { namespace: params.namespace } : {}),
        },
      },
    ],
    'current-context': params.name,
  });
}
