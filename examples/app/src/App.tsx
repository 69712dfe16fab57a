import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import apiDocsPlugin from '@backstage/plugin-api-docs/alpha';
import catalogGraphPlugin from '@backstage/plugin-catalog-graph/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import meshLifecyclePlugin from '@mesh-lifecycle/plugin-mesh-lifecycle/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

/** The demo app: the catalog, the scaffolder, notifications and the mesh lifecycle plugin. */
export default createApp({
  features: [
    catalogPlugin,
    scaffolderPlugin,
    apiDocsPlugin,
    catalogGraphPlugin,
    orgPlugin,
    userSettingsPlugin,
    notificationsPlugin,
    signalsPlugin,
    meshLifecyclePlugin,
    navModule,
    signInModule,
  ],
});
