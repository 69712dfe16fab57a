import {
  AuthService,
  DiscoveryService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import {
  createTemplateAction,
  parseRepoUrl,
} from '@backstage/plugin-scaffolder-node';
import { examples } from './publishCheck.examples';
import { scaffolderInstalledActions } from './scaffolderTasks';

/**
 * Options of {@link createPublishCheckAction}.
 *
 * @public
 */
export interface PublishCheckActionOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  /** For the SCM integrations (`integrations.*`) a repository needs. */
  config: RootConfigService;
  /**
   * The ids of the actions installed in this scaffolder (default: asked of
   * the scaffolder's API, `GET /v2/actions`).
   */
  installedActions?: () => Promise<Set<string>>;
}

/** The module that brings an action, where it is one of Backstage's own. */
const MODULE_OF: Record<string, string> = {
  github: '@backstage/plugin-scaffolder-backend-module-github',
  gitlab: '@backstage/plugin-scaffolder-backend-module-gitlab',
  bitbucketCloud: '@backstage/plugin-scaffolder-backend-module-bitbucket-cloud',
  bitbucketServer:
    '@backstage/plugin-scaffolder-backend-module-bitbucket-server',
  azure: '@backstage/plugin-scaffolder-backend-module-azure',
  gitea: '@backstage/plugin-scaffolder-backend-module-gitea',
  gerrit: '@backstage/plugin-scaffolder-backend-module-gerrit',
};

function installHint(action: string): string {
  const provider = /^publish:([a-zA-Z]+)/.exec(action)?.[1];
  const module = provider ? MODULE_OF[provider] : undefined;
  return module ? `${action} (install ${module})` : action;
}

/**
 * Whether the portal has credentials to write to `host`: a token or GitHub
 * App for GitHub, a token for GitLab; undefined for other providers, whose
 * credentials this check does not know how to read.
 */
function credentialsFor(
  integrations: ScmIntegrations,
  host: string,
): { present: boolean; hint: string } | undefined {
  const github = integrations.github.byHost(host)?.config;
  if (github) {
    return {
      present: Boolean(github.token || github.apps?.length),
      hint: 'integrations.github[].token (or a GitHub App)',
    };
  }
  const gitlab = integrations.gitlab.byHost(host)?.config;
  if (gitlab) {
    return {
      present: Boolean(gitlab.token),
      hint: 'integrations.gitlab[].token',
    };
  }
  return undefined;
}

/**
 * `mesh:publish:check`: checks, before a template applies anything to a
 * cluster, that it will be able to publish where it was asked: the actions
 * its later steps run are installed in this scaffolder, and the
 * repository's host has an integration with credentials. A template that
 * would apply manifests and then fail on its publish step stops here
 * instead, with nothing written.
 *
 * @public
 */
export function createPublishCheckAction(options: PublishCheckActionOptions) {
  const integrations = ScmIntegrations.fromConfig(options.config);
  const installedActions =
    options.installedActions ?? (() => scaffolderInstalledActions(options));
  return createTemplateAction({
    id: 'mesh:publish:check',
    description:
      'Checks, before anything is applied, that the template can publish where it was asked: its later actions are installed and the repository host has an integration with credentials.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        actions: z =>
          z
            .array(z.string())
            .min(1)
            .describe(
              'The actions the later steps run, e.g. publish:github and catalog:register',
            ),
        repoUrl: z =>
          z
            .string()
            .optional()
            .describe(
              'The repository, as RepoUrlPicker gives it (github.com?owner=shop&repo=orders)',
            ),
      },
      output: {
        checked: z =>
          z.array(z.string()).describe('What was checked, one line each'),
      },
    },
    async handler(ctx) {
      const { actions, repoUrl } = ctx.input;
      const checked: string[] = [];
      const installed = await installedActions();
      const missing = actions.filter(action => !installed.has(action));
      if (missing.length > 0) {
        throw new InputError(
          `This portal's scaffolder does not have ${missing
            .map(installHint)
            .join(
              ', ',
            )}: ask its administrators to install it, or choose another place to publish. Nothing has been applied.`,
        );
      }
      checked.push(`installed: ${actions.join(', ')}`);
      if (repoUrl) {
        // Fails with an InputError naming the host when it has no integration.
        const { host } = parseRepoUrl(repoUrl, integrations);
        const type = integrations.byHost(host)?.type;
        const credentials = credentialsFor(integrations, host);
        if (credentials && !credentials.present) {
          throw new InputError(
            `The portal has no credentials for ${host}: set ${credentials.hint} for host ${host} in its configuration. Nothing has been applied.`,
          );
        }
        checked.push(
          credentials
            ? `${host}: ${type} integration with credentials`
            : `${host}: ${type} integration (its credentials are not checked)`,
        );
      }
      for (const line of checked) ctx.logger.info(line);
      ctx.output('checked', checked);
    },
  });
}
