import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'fs/promises';
import path from 'path';
import { DemoPullRequests } from './demoPullRequests';
import { isRepositoryName } from './repositoryPaths';
import { urlOf } from './urls';

/** Options of {@link createPublishDemoPullRequestAction}. */
export interface PublishDemoPullRequestActionOptions {
  pullRequests: DemoPullRequests;
  /** External base URL of the demo repositories route. */
  baseUrl: string;
}

/**
 * The repository and folder of a file URL served by the demo repositories
 * route (`<baseUrl>/<repository>/<path…>`), or an `InputError` for any
 * other URL.
 */
export function demoRepositoryOfUrl(
  baseUrl: string,
  fileUrl: string,
): { repository: string; folder: string } {
  const base = new URL(baseUrl);
  let url: URL;
  try {
    url = new URL(fileUrl);
  } catch {
    throw new InputError(`Input url is not a URL: ${JSON.stringify(fileUrl)}`);
  }
  const prefix = `${base.pathname.replace(/\/+$/, '')}/`;
  if (url.origin !== base.origin || !url.pathname.startsWith(prefix)) {
    throw new InputError(
      `Input url ${fileUrl} is not a file of the demo repositories (${base.toString()})`,
    );
  }
  const [repository, ...rest] = url.pathname
    .slice(prefix.length)
    .split('/')
    .map(decodeURIComponent);
  if (!isRepositoryName(repository) || rest.length === 0 || !rest.at(-1)) {
    throw new InputError(
      `Input url ${fileUrl} does not name a file in a demo repository`,
    );
  }
  return { repository, folder: rest.slice(0, -1).join('/') };
}

async function workspaceFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.push(
        ...(await workspaceFiles(path.join(dir, entry.name), relative)),
      );
    } else if (entry.isFile()) {
      files.push(relative);
    }
  }
  return files;
}

/**
 * `publish:demo:pull-request`: proposes the files of a workspace folder to
 * the folder of a file in a demo repository, as `publish:github:pull-request`
 * does on GitHub: a pull request the demo portal shows and merges
 * (`<baseUrl>/-/pulls/<repository>/<number>`).
 */
export function createPublishDemoPullRequestAction(
  options: PublishDemoPullRequestActionOptions,
) {
  const { pullRequests, baseUrl } = options;
  return createTemplateAction({
    id: 'publish:demo:pull-request',
    description:
      "Proposes the workspace's files to a repository of the offline demo portal, as a pull request shown and merged there.",
    schema: {
      input: {
        url: z =>
          z
            .string()
            .describe(
              'A file in the demo repository; the files go to its folder',
            ),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe('Workspace folder whose files are proposed (default .)'),
        title: z => z.string().describe('Title of the pull request'),
        description: z =>
          z.string().optional().describe('What it changes, and why'),
        branchName: z => z.string().describe('Name of its branch'),
      },
      output: {
        remoteUrl: z => z.string().describe('URL of the pull request'),
        pullRequestNumber: z => z.number().describe('Its number'),
      },
    },
    async handler(ctx) {
      const { repository, folder } = demoRepositoryOfUrl(
        baseUrl,
        ctx.input.url,
      );
      const source = resolveSafeChildPath(
        ctx.workspacePath,
        ctx.input.sourcePath ?? '.',
      );
      const files = new Map<string, string | null>();
      for (const file of await workspaceFiles(source)) {
        files.set(
          folder ? `${folder}/${file}` : file,
          await fs.readFile(path.join(source, file), 'utf8'),
        );
      }
      const pull = await pullRequests.create({
        repository,
        title: ctx.input.title,
        description: ctx.input.description ?? '',
        branch: ctx.input.branchName,
        files,
      });
      const remoteUrl = urlOf(
        baseUrl,
        '-',
        'pulls',
        repository,
        `${pull.number}`,
      );
      ctx.logger.info(
        `Opened pull request #${pull.number} on ${repository} (${pull.files
          .map(f => f.path)
          .join(', ')}): ${remoteUrl}`,
      );
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('pullRequestNumber', pull.number);
    },
  });
}
