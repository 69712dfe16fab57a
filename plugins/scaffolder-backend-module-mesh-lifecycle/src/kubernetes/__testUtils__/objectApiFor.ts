import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { KubernetesEmulator } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';

/** The real Kubernetes client, pointed at an emulated cluster. */
export function objectApiFor(
  emulator: KubernetesEmulator,
): KubernetesObjectApi {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(emulator.kubeconfig());
  return KubernetesObjectApi.makeApiClient(kubeConfig);
}
