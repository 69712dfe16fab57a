import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createPublishCheckAction } from './publishCheck';
import { examples } from './publishCheck.examples';

type CheckInput = Parameters<
  ReturnType<typeof createPublishCheckAction>['handler']
>[0]['input'];

const INSTALLED = ['publish:github', 'publish:gitlab', 'catalog:register'];

function action(integrations: object = {}, installed = INSTALLED) {
  return createPublishCheckAction({
    discovery: mockServices.discovery(),
    auth: mockServices.auth(),
    config: mockServices.rootConfig({ data: { integrations } }),
    installedActions: async () => new Set(installed),
  });
}

async function run(
  input: CheckInput,
  integrations?: object,
  installed?: string[],
) {
  const ctx = createMockActionContext({ input });
  await action(integrations, installed).handler(ctx);
  return ctx.output;
}

const GITHUB = { github: [{ host: 'github.com', token: 'a-token' }] };

describe('mesh:publish:check', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    'runs the documented example: %s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe('mesh:publish:check');
      const output = await run(step.input, GITHUB);
      expect(output).toHaveBeenCalledWith('checked', [
        'installed: publish:github, catalog:register',
        'github.com: github integration with credentials',
      ]);
    },
  );

  it('names a missing action and the module that brings it', async () => {
    const failure = run(
      { actions: ['publish:gitlab', 'catalog:register', 'publish:acme'] },
      {},
      ['catalog:register'],
    );
    await expect(failure).rejects.toThrow(InputError);
    await expect(failure).rejects.toThrow(
      "This portal's scaffolder does not have publish:gitlab (install @backstage/plugin-scaffolder-backend-module-gitlab), publish:acme: ask its administrators to install it, or choose another place to publish. Nothing has been applied.",
    );
  });

  it('refuses a repository on a host without credentials, or without any integration', async () => {
    const input = {
      actions: ['publish:github'],
      repoUrl: 'github.com?owner=shop&repo=orders',
    };
    // github.com has an integration by default, but no token.
    await expect(run(input)).rejects.toThrow(
      'The portal has no credentials for github.com: set integrations.github[].token (or a GitHub App) for host github.com in its configuration. Nothing has been applied.',
    );
    await expect(
      run(
        {
          actions: ['publish:gitlab'],
          repoUrl: 'gitlab.com?owner=shop&repo=orders',
        },
        { gitlab: [{ host: 'gitlab.com' }] },
      ),
    ).rejects.toThrow('The portal has no credentials for gitlab.com');
    await expect(
      run(
        {
          actions: ['publish:github'],
          repoUrl: 'git.example.com?owner=shop&repo=orders',
        },
        GITHUB,
      ),
    ).rejects.toThrow(/git\.example\.com/);
  });

  it('accepts a GitHub App instead of a token, and a GitLab token', async () => {
    const app = {
      github: [
        {
          host: 'github.com',
          apps: [
            {
              appId: 1,
              clientId: 'id',
              clientSecret: 'secret',
              webhookSecret: 'secret',
              privateKey: 'key',
            },
          ],
        },
      ],
    };
    await expect(
      run(
        { actions: ['publish:github'], repoUrl: 'github.com?owner=o&repo=r' },
        app,
      ),
    ).resolves.toBeDefined();
    await expect(
      run(
        { actions: ['publish:gitlab'], repoUrl: 'gitlab.com?owner=o&repo=r' },
        { gitlab: [{ host: 'gitlab.com', token: 'a-token' }] },
      ),
    ).resolves.toBeDefined();
  });
});
