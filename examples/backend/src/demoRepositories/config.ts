import { RootConfigService } from '@backstage/backend-plugin-api';
import { resolve } from 'path';

/** Plugin id of the demo repositories' HTTP route. */
export const DEMO_REPOSITORIES_PLUGIN_ID = 'demo-repositories';

/**
 * The folder the demo's `publish:demo` writes repositories to
 * (`meshLifecycleDemo.repositoriesDir`, relative to the backend's working
 * directory), or undefined when the demo repositories are not configured.
 */
export function readRepositoriesDir(
  config: RootConfigService,
): string | undefined {
  const dir = config.getOptionalString('meshLifecycleDemo.repositoriesDir');
  return dir === undefined ? undefined : resolve(dir);
}

/**
 * The folder of repositories copied in afresh at each start
 * (`meshLifecycleDemo.seedRepositoriesDir`): one folder per repository.
 */
export function readSeedRepositoriesDir(
  config: RootConfigService,
): string | undefined {
  const dir = config.getOptionalString('meshLifecycleDemo.seedRepositoriesDir');
  return dir === undefined ? undefined : resolve(dir);
}
