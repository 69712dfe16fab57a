import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { MeshLifecycleClient } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { DecommissionBackend } from './serviceDecommission';

/**
 * The mesh-lifecycle backend through its typed client, as this backend
 * plugin (a service token for `mesh-lifecycle`).
 *
 * @public
 */
export function meshLifecycleBackendClient(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}): DecommissionBackend {
  const { discovery, auth } = options;
  return new MeshLifecycleClient({
    discoveryApi: discovery,
    fetchApi: {
      fetch: async (input, init) => {
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await auth.getOwnServiceCredentials(),
          targetPluginId: 'mesh-lifecycle',
        });
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${token}`);
        return fetch(input, { ...init, headers });
      },
    },
  });
}
