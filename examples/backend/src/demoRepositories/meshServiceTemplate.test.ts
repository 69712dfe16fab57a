import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import meshLifecycleScaffolderModule from '@mesh-lifecycle/plugin-scaffolder-backend-module-mesh-lifecycle';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
  JsonObject,
  runScaffolderTask,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { readFileSync } from 'fs';
import fs from 'fs/promises';
import { Server } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import yaml from 'yaml';
import demoRepositories from '.';
import { withDemoChoices } from './demoMeshServiceTemplate';

jest.setTimeout(60_000);

const TEMPLATE_FILE = join(
  __dirname,
  '../../../../plugins/scaffolder-backend-module-mesh-lifecycle/templates/mesh-service/template.yaml',
);

function templateEntity(): Entity {
  const entity = yaml.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as Entity;
  entity.metadata.namespace = 'default';
  entity.metadata.annotations = {
    'backstage.io/managed-by-location': `file:${TEMPLATE_FILE}`,
  };
  return entity;
}

/**
 * The demo portal's path through the mesh-service template: publish:demo,
 * then catalog:register reading catalog-info.yaml over HTTP from the demo
 * repositories route (the catalog is a mock that reads the location the way
 * the catalog's URL reader would: a plain GET).
 */
/**
 * What the template hands to `publish:github`: GitHub cannot be reached from
 * the tests, so a stand-in action records its input and the workspace it was
 * given, and answers as publish:github does.
 */
const githubPublications: Array<{ input: unknown; catalogInfo: string }> = [];
const standInGithub = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'stand-in-github',
  register(env) {
    env.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(
          createTemplateAction({
            id: 'publish:github',
            schema: {
              input: {
                repoUrl: z => z.string(),
                description: z => z.string().optional(),
                defaultBranch: z => z.string().optional(),
                repoVisibility: z => z.string().optional(),
              },
            },
            async handler(ctx) {
              githubPublications.push({
                input: ctx.input,
                catalogInfo: await fs.readFile(
                  join(ctx.workspacePath, 'catalog-info.yaml'),
                  'utf8',
                ),
              });
              ctx.output('remoteUrl', 'https://github.com/acme/gift-cards');
              ctx.output(
                'repoContentsUrl',
                'https://github.com/acme/gift-cards/blob/main',
              );
            },
          }),
        );
      },
    });
  },
});

describe('the mesh-service template in the demo portal', () => {
  let dir: string;
  let emulator: KubernetesEmulator;
  let server: Server;
  let stop: () => Promise<void>;
  const registered: Entity[] = [];
  const locations: string[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'mesh-service-demo-'));
    emulator = await startKubernetesEmulator({
      name: 'dev',
      manifests: join(__dirname, '../../../clusters/dev/namespaces.yaml'),
    });
    const template = withDemoChoices(templateEntity());
    const catalog = catalogServiceMock.mock({
      async getEntityByRef(ref: string | CompoundEntityRef) {
        const wanted = typeof ref === 'string' ? ref : stringifyEntityRef(ref);
        return wanted === stringifyEntityRef(template) ? template : undefined;
      },
      async addLocation(location) {
        locations.push(location.target);
        if (location.target.startsWith('https://github.com/')) {
          // The real catalog would read it from GitHub.
          return {
            location: {
              id: 'github',
              type: 'url',
              target: location.target,
              entityRef: 'location:default/github',
            },
            entities: [],
            exists: false,
          };
        }
        const response = await fetch(location.target);
        if (!response.ok) {
          throw new Error(`GET ${location.target}: ${response.status}`);
        }
        const entity = yaml.parse(await response.text()) as Entity;
        if (!location.dryRun) registered.push(entity);
        return {
          location: {
            id: 'demo',
            type: 'url',
            target: location.target,
            entityRef: 'location:default/demo',
          },
          entities: [entity],
          exists: false,
        };
      },
    });
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        meshLifecycleScaffolderModule,
        demoRepositories,
        standInGithub,
        catalog.factory,
        mockServices.rootConfig.factory({
          data: {
            meshLifecycleDemo: { repositoriesDir: join(dir, 'repositories') },
            // The publish check wants credentials for the repository's host.
            integrations: {
              github: [{ host: 'github.com', token: 'not-a-real-token' }],
            },
            meshLifecycle: {
              clusters: [
                {
                  name: 'dev',
                  url: emulator.url,
                  serviceAccountToken: emulator.token,
                  allowInsecureHttp: true,
                },
              ],
            },
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
    await emulator?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Runs the template through the scaffolder's API; the completed task's output. */
  async function runTemplate(values: JsonObject) {
    const { status, log, output } = await runScaffolderTask({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      authorization: mockCredentials.user.header(),
      templateRef: 'template:default/mesh-service',
      values,
    });
    expect({ status, log }).toMatchObject({ status: 'completed' });
    return output;
  }

  it('publishes, registers and applies a new service', async () => {
    const output = await runTemplate({
      name: 'gift-card-service',
      description: 'Sells and redeems gift cards',
      owner: 'group:default/team-commerce',
      image: 'registry.example.com/shop/gift-card-service:1.0.0',
      port: 8080,
      cluster: 'dev',
      namespace: 'shop-dev',
      callers: [],
      publishTo: 'demo',
    });

    expect(registered).toHaveLength(1);
    expect(stringifyEntityRef(registered[0])).toBe(
      'component:default/gift-card-service',
    );
    expect(registered[0].metadata.annotations).toMatchObject({
      'backstage.io/kubernetes-id': 'gift-card-service',
      'backstage.io/kubernetes-namespace': 'shop-dev',
    });
    expect(output?.links).toEqual([
      {
        title: 'Repository',
        url: expect.stringMatching(
          /\/api\/demo-repositories\/gift-card-service\/$/,
        ),
      },
      {
        title: 'Open in catalog',
        icon: 'catalog',
        entityRef: 'component:default/gift-card-service',
      },
    ]);
    expect(
      emulator.get('apps/v1', 'Deployment', 'shop-dev', 'gift-card-service-v1'),
    ).toBeDefined();
  });
  it('publishes to GitHub when chosen and registers from the repository', async () => {
    const output = await runTemplate({
      name: 'gift-card-ledger',
      description: 'Keeps the gift card ledger',
      owner: 'group:default/team-commerce',
      image: 'registry.example.com/shop/gift-card-ledger:1.0.0',
      port: 8080,
      cluster: 'dev',
      namespace: 'shop-dev',
      callers: [],
      publishTo: 'github',
      repoUrl: 'github.com?owner=acme&repo=gift-cards',
    });
    expect(githubPublications).toHaveLength(1);
    expect(githubPublications[0].input).toMatchObject({
      repoUrl: 'github.com?owner=acme&repo=gift-cards',
      description: 'Keeps the gift card ledger',
      defaultBranch: 'main',
    });
    const entity = yaml.parse(githubPublications[0].catalogInfo) as Entity;
    expect(entity.metadata.annotations).toMatchObject({
      'github.com/project-slug': 'acme/gift-cards',
      'backstage.io/kubernetes-id': 'gift-card-ledger',
    });
    expect(locations).toContain(
      'https://github.com/acme/gift-cards/blob/main/catalog-info.yaml',
    );
    expect(output?.links).toContainEqual({
      title: 'Repository',
      url: 'https://github.com/acme/gift-cards',
    });
    expect(
      emulator.get('apps/v1', 'Deployment', 'shop-dev', 'gift-card-ledger-v1'),
    ).toBeDefined();
  });
});
