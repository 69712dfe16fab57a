import { KubernetesEmulator } from './startKubernetesEmulator';

type Route = {
  route?: Array<{ destination?: { subset?: string }; weight?: number }>;
};

/**
 * Sets the weights of a VirtualService's subsets on an emulated cluster, as
 * someone editing it by hand would (`{ v1: 0, v2: 100 }`): in every HTTP
 * route that sends traffic to one of them. Emits the watch event and bumps
 * the resourceVersion like any write. Throws if the VirtualService does not
 * exist or no route names those subsets.
 *
 * @public
 */
export function setRouteWeights(
  emulator: KubernetesEmulator,
  virtualService: { namespace: string; name: string; apiVersion?: string },
  weights: Record<string, number>,
): void {
  const object = emulator.get(
    virtualService.apiVersion ?? 'networking.istio.io/v1',
    'VirtualService',
    virtualService.namespace,
    virtualService.name,
  ) as { spec?: { http?: Route[] } } | undefined;
  if (!object) {
    throw new Error(
      `No VirtualService ${virtualService.namespace}/${virtualService.name}`,
    );
  }
  let changed = false;
  for (const route of object.spec?.http ?? []) {
    for (const destination of route.route ?? []) {
      const subset = destination.destination?.subset;
      if (subset !== undefined && subset in weights) {
        destination.weight = weights[subset];
        changed = true;
      }
    }
  }
  if (!changed) {
    throw new Error(
      `No route of VirtualService ${virtualService.namespace}/${
        virtualService.name
      } sends traffic to ${Object.keys(weights).join(', ')}`,
    );
  }
  emulator.apply(object);
}
