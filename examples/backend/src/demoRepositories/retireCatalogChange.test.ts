import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import { createCatalogRetireAction } from '@mesh-lifecycle/plugin-scaffolder-backend-module-mesh-lifecycle';
import { runScaffolderTask } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { readFileSync } from 'fs';
import fs from 'fs/promises';
import { Server } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import yaml from 'yaml';
import demoRepositories from '.';

jest.setTimeout(60_000);

const EXAMPLES = join(__dirname, '../../..');
const SEED = join(EXAMPLES, 'repositories');
const DEMO_TEMPLATE = join(EXAMPLES, 'templates/retire-service/template.yaml');
const LEGACY = 'legacy-pricing-service';
const LEGACY_REF = `component:default/${LEGACY}`;
const FILE_PATH = `/api/demo-repositories/${LEGACY}/catalog-info.yaml`;
const CATALOG_STEPS = [
  'fetch-catalog-file',
  'catalog-change',
  'demo-pull-request',
];

/**
 * The demo retire-service template's catalog steps, as written there,
 * after a stand-in for the decommission (tested on its own through the
 * scaffolder in the scaffolder module) that answers where the entity's
 * catalog file is, as it does for a `url` location.
 */
function catalogStepsTemplate(): Entity {
  const demo = yaml.parse(readFileSync(DEMO_TEMPLATE, 'utf8'));
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name: 'retire-catalog-steps',
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': `file:${DEMO_TEMPLATE}`,
      },
    },
    spec: {
      owner: 'group:default/team-platform',
      type: 'lifecycle',
      parameters: [
        {
          properties: {
            entity: { type: 'string' },
            reason: { type: 'string' },
            catalogChange: { type: 'string', default: 'retired' },
            dryRun: { type: 'boolean', default: false },
          },
        },
      ],
      steps: [
        { id: 'decommission', action: 'test:decommission' },
        ...demo.spec.steps.filter((s: { id: string }) =>
          CATALOG_STEPS.includes(s.id),
        ),
      ],
      output: {
        links: demo.spec.output.links.filter((l: { title: string }) =>
          l.title.startsWith('Catalog change'),
        ),
        text: demo.spec.output.text.filter(
          (t: { title: string }) => t.title === 'Catalog change',
        ),
      },
    },
  };
}

/** The decommission's outputs the catalog steps read. */
const standInDecommission = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'stand-in-decommission',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
      },
      async init({ scaffolder, discovery }) {
        scaffolder.addActions(
          createTemplateAction({
            id: 'test:decommission',
            schema: {},
            async handler(ctx) {
              const base = await discovery.getExternalBaseUrl(
                'demo-repositories',
              );
              ctx.output('requestId', 'retirement-1');
              ctx.output('catalogSource', {
                url: `${base}/${LEGACY}/catalog-info.yaml`,
                fileName: 'catalog-info.yaml',
              });
            },
          }),
          createCatalogRetireAction(),
        );
      },
    });
  },
});

describe("the demo retire-service template's catalog change", () => {
  let dir: string;
  let server: Server;
  let stop: () => Promise<void>;
  const refreshed: string[] = [];
  const lookedUp: JsonObject[] = [];
  const repositoryFile = () =>
    fs.readFile(join(dir, 'repositories', LEGACY, 'catalog-info.yaml'), 'utf8');
  const seeded = readFileSync(join(SEED, LEGACY, 'catalog-info.yaml'), 'utf8');

  const run = () =>
    runScaffolderTask({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      authorization: mockCredentials.user.header(),
      templateRef: 'template:default/retire-catalog-steps',
      values: { entity: LEGACY_REF, reason: 'Replaced by pricing-service' },
    });

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'retire-catalog-change-'));
    const template = catalogStepsTemplate();
    const catalog = catalogServiceMock.mock({
      async getEntityByRef() {
        return template;
      },
      async getEntities(req) {
        lookedUp.push((req?.filter ?? {}) as JsonObject);
        return {
          items: [
            { apiVersion: 'v1', kind: 'Component', metadata: { name: LEGACY } },
          ],
        };
      },
      async refreshEntity(ref: string) {
        refreshed.push(ref);
      },
    });
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        demoRepositories,
        standInDecommission,
        catalog.factory,
        mockServices.rootConfig.factory({
          data: {
            // What the scaffolder's fetch:plain:file may read: this backend.
            backend: { reading: { allow: [{ host: 'localhost:1-65535' }] } },
            meshLifecycleDemo: {
              repositoriesDir: join(dir, 'repositories'),
              seedRepositoriesDir: SEED,
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
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('proposes spec.lifecycle retired as a pull request, which merged changes the file the catalog reads', async () => {
    expect(await repositoryFile()).toBe(seeded);
    const result = await run();
    expect({ status: result.status, log: result.log }).toMatchObject({
      status: 'completed',
    });
    const output = result.output as {
      links: Array<{ title: string; url?: string }>;
      text: Array<{ title: string; content: string }>;
    };
    const link = output.links.find(
      l => l.title === 'Catalog change (pull request)',
    );
    expect(new URL(link!.url!).pathname).toBe(
      `/api/demo-repositories/-/pulls/${LEGACY}/1`,
    );
    // Proposed, so not offered to apply by hand.
    expect(output.text[0].content.trim()).toBe(
      `${LEGACY_REF}: spec.lifecycle set to retired in catalog-info.yaml`,
    );
    // Nothing changes in the repository before the merge.
    expect(await repositoryFile()).toBe(seeded);

    const page = await request(server).get(new URL(link!.url!).pathname);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain(
      "default-src 'none'",
    );
    expect(page.text).toContain(`Retire ${LEGACY}`);
    expect(page.text).toContain(
      'Retirement request retirement-1: Replaced by pricing-service',
    );
    expect(page.text).toContain(
      '<tr class="del"><td class="mark">-</td><td><code>  lifecycle: deprecated</code></td></tr>',
    );
    expect(page.text).toContain(
      '<tr class="add"><td class="mark">+</td><td><code>  lifecycle: retired</code></td></tr>',
    );
    expect(page.text).toContain('Merge pull request');

    const merge = await request(server).post(
      `${new URL(link!.url!).pathname}/merge`,
    );
    expect(merge.status).toBe(303);
    expect(merge.headers.location).toBe('../1');
    expect(await repositoryFile()).toBe(
      seeded.replace('lifecycle: deprecated', 'lifecycle: retired'),
    );
    // The catalog is asked to read the entities of that file again.
    expect(lookedUp).toEqual([
      {
        'metadata.annotations.backstage.io/managed-by-location': `url:${
          new URL(FILE_PATH, link!.url!).href
        }`,
      },
    ]);
    expect(refreshed).toEqual([LEGACY_REF]);

    const merged = await request(server).get(new URL(link!.url!).pathname);
    expect(merged.text).toMatch(/Merged at \d{4}-\d\d-\d\dT/);
    expect(merged.text).not.toContain('Merge pull request');
    const again = await request(server).post(
      `${new URL(link!.url!).pathname}/merge`,
    );
    expect(again.status).toBe(409);
    expect(again.text).toContain(`Pull request ${LEGACY}#1 was merged at`);

    // Retired already: the change is made, found empty, and not proposed.
    const second = await run();
    expect(second.status).toBe('completed');
    expect(second.log).toContain(
      `${LEGACY_REF}: spec.lifecycle set to retired in catalog-info.yaml already`,
    );
    const secondOutput = second.output as {
      links: Array<{ title: string; url?: string }>;
    };
    expect(
      secondOutput.links.find(l => l.title === 'Catalog change (pull request)')
        ?.url ?? '',
    ).toBe('');
    await expect(
      fs.readdir(join(dir, 'repositories/.pulls', LEGACY)),
    ).resolves.toEqual(['1.json']);
  });

  it('merges nothing when the file changed since the request was opened', async () => {
    await fs.writeFile(
      join(dir, 'repositories', LEGACY, 'catalog-info.yaml'),
      seeded,
    );
    const result = await run();
    expect(result.status).toBe('completed');
    const url = (
      result.output as { links: Array<{ title: string; url?: string }> }
    ).links.find(l => l.title === 'Catalog change (pull request)')!.url!;
    const edited = seeded.replace(
      'owner: team-platform',
      'owner: team-pricing',
    );
    await fs.writeFile(
      join(dir, 'repositories', LEGACY, 'catalog-info.yaml'),
      edited,
    );
    const merge = await request(server).post(`${new URL(url).pathname}/merge`);
    expect(merge.status).toBe(409);
    expect(merge.text).toContain(
      'catalog-info.yaml changed in legacy-pricing-service since pull request #2 was opened; nothing was merged',
    );
    expect(await repositoryFile()).toBe(edited);
    const page = await request(server).get(new URL(url).pathname);
    expect(page.text).toContain('Merge pull request');
  });

  it('serves no pull request that does not exist, and merges only by POST', async () => {
    for (const path of [
      `/api/demo-repositories/-/pulls/${LEGACY}/99`,
      '/api/demo-repositories/-/pulls/unknown/1',
      '/api/demo-repositories/-/pulls/..%2F..%2Fetc/1',
    ]) {
      const response = await request(server).get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
    expect(
      (
        await request(server).get(
          `/api/demo-repositories/-/pulls/${LEGACY}/1/merge`,
        )
      ).status,
    ).toBe(405);
  });
});
