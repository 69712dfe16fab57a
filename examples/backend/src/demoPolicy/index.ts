import { createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { DemoPermissionPolicy } from './DemoPermissionPolicy';

/**
 * The demo's permission policy (`DemoPermissionPolicy`): everything is
 * allowed except Mesh Lifecycle's writes on a service, which only its
 * owners may do.
 */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'mesh-lifecycle-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new DemoPermissionPolicy());
      },
    });
  },
});
