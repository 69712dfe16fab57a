import { ConflictError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'fs/promises';
import { repositoryDir } from './repositoryPaths';
import { urlOf } from './urls';

/** Options of {@link createPublishDemoAction}. */
export interface PublishDemoActionOptions {
  /** The folder repositories are written to. */
  repositoriesDir: string;
  /** External base URL of the demo repositories route. */
  baseUrl: string;
}

/**
 * `publish:demo`: "publishes" the workspace in the offline demo portal by
 * copying it to `<repositoriesDir>/<name>`, served read-only over HTTP by the
 * demo repositories plugin, so `catalog:register` reads its
 * `catalog-info.yaml` as it would from an SCM.
 */
export function createPublishDemoAction(options: PublishDemoActionOptions) {
  const { repositoriesDir, baseUrl } = options;
  return createTemplateAction({
    id: 'publish:demo',
    description:
      'Copies the workspace to a repository of the offline demo portal, served read-only by its backend.',
    schema: {
      input: {
        name: z =>
          z.string().describe('Repository name, a DNS label; must be new'),
      },
      output: {
        remoteUrl: z => z.string().describe('URL listing the repository'),
        repoContentsUrl: z => z.string().describe('URL of the repository root'),
        catalogInfoUrl: z =>
          z.string().describe('URL of the repository catalog-info.yaml'),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      const target = repositoryDir(repositoriesDir, name);
      await fs.mkdir(repositoriesDir, { recursive: true });
      try {
        // Created exclusively, so two tasks cannot publish the same name.
        await fs.mkdir(target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new ConflictError(
            `The demo repository ${name} exists already; choose another name or delete ${target}`,
          );
        }
        throw error;
      }
      await fs.cp(ctx.workspacePath, target, {
        recursive: true,
        verbatimSymlinks: true,
      });
      const repoContentsUrl = urlOf(baseUrl, name, '');
      ctx.logger.info(`Published the workspace as ${repoContentsUrl}`);
      ctx.output('remoteUrl', repoContentsUrl);
      ctx.output('repoContentsUrl', repoContentsUrl);
      ctx.output('catalogInfoUrl', urlOf(baseUrl, name, 'catalog-info.yaml'));
    },
  });
}
