import { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import { loadKubeconfigContext } from './loadKubeconfigContext';
import { ClusterConfig } from './MeshLifecycleConfig';

/**
 * Builds a `KubeConfig` (from `@kubernetes/client-node`) with a single context
 * for `cluster`, named after it: server `cluster.url`, TLS from `cluster.tls`,
 * and credentials from `cluster.auth`: the token; the user of the kubeconfig
 * file's context (the file is read again, so rotated credentials are picked
 * up); or the pod's service account token file (read on each request).
 *
 * A plain `http:` URL (allowed only with `allowInsecureHttp` or to loopback)
 * is marked `skipTLSVerify` in the KubeConfig, since client-node refuses
 * plain http otherwise; there is no TLS to verify there.
 *
 * The returned KubeConfig holds the credentials: do not log or export it.
 *
 * @public
 */
export function createKubeConfig(cluster: ClusterConfig): KubeConfig {
  const { auth, tls } = cluster;
  let base: Partial<Cluster> = {};
  let user: User;
  let namespace: string | undefined;
  switch (auth.type) {
    case 'serviceAccountToken':
      user = { name: `${cluster.name}-user`, token: auth.token };
      break;
    case 'kubeconfig': {
      const loaded = loadKubeconfigContext(auth.path, auth.context);
      base = loaded.cluster;
      user = { ...loaded.user, name: `${cluster.name}-user` };
      namespace = loaded.context.namespace;
      break;
    }
    case 'inCluster': {
      const pod = new KubeConfig();
      pod.loadFromCluster();
      const podUser = pod.getCurrentUser();
      user = { ...podUser, name: `${cluster.name}-user` };
      namespace = pod.getContextObject(pod.getCurrentContext())?.namespace;
      break;
    }
    default: {
      const unknown: never = auth;
      throw new Error(`Unknown cluster auth ${JSON.stringify(unknown)}`);
    }
  }
  const kubeCluster: Cluster = {
    ...(base.tlsServerName ? { tlsServerName: base.tlsServerName } : {}),
    ...(base.proxyUrl ? { proxyUrl: base.proxyUrl } : {}),
    name: cluster.name,
    server: cluster.url,
    ...(tls.caData ? { caData: tls.caData } : {}),
    ...(tls.caFile ? { caFile: tls.caFile } : {}),
    skipTLSVerify: tls.skipTLSVerify || cluster.url.startsWith('http:'),
  };
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [kubeCluster],
    users: [user],
    contexts: [
      {
        name: cluster.name,
        cluster: cluster.name,
        user: user.name,
        ...(namespace ? { namespace } : {}),
      },
    ],
    currentContext: cluster.name,
  });
  return kc;
}
