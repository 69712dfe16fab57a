/*
 * The portal side of a retirement (the scaffolder with our module, the
 * mesh-lifecycle backend, a catalog) in a process of its own, so that a
 * test can kill it (SIGKILL) in the middle of a run and start it again on
 * the same database: the scaffolder then recovers the task. Started by
 * startRetirementBackend; its configuration comes as JSON in the
 * environment, and it prints `listening <port>` once it serves.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import meshLifecyclePlugin from '@mesh-lifecycle/plugin-mesh-lifecycle-backend';
import { AddressInfo } from 'node:net';
import meshLifecycleModule from '..';
import {
  RetirementBackendSettings,
  SETTINGS_VARIABLE,
} from './startRetirementBackend';

async function main() {
  const settings = JSON.parse(
    process.env[SETTINGS_VARIABLE] ?? '',
  ) as RetirementBackendSettings;
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      meshLifecycleModule,
      meshLifecyclePlugin,
      catalogServiceMock.factory({ entities: settings.entities }),
      mockServices.rootConfig.factory({
        data: {
          backend: {
            database: {
              client: 'better-sqlite3',
              connection: { directory: settings.databaseDirectory },
            },
          },
          scaffolder: {
            taskRecovery: { enabled: true, staleTimeout: { seconds: 2 } },
          },
          meshLifecycle: settings.meshLifecycle,
        },
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  process.stdout.write(`listening ${port}\n`);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
