import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { readFileSync } from 'fs';
import fs from 'fs/promises';
import { Server } from 'http';
import { AddressInfo } from 'net';
import { runScaffolderTask } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import yaml from 'yaml';
import demoRepositories from '.';

jest.setTimeout(30_000);

const TEMPLATE_FILE = join(__dirname, '__fixtures__/template/template.yaml');

function templateEntity(): Entity {
  const entity = yaml.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as Entity;
  entity.metadata.namespace = 'default';
  entity.metadata.annotations = {
    'backstage.io/managed-by-location': `file:${TEMPLATE_FILE}`,
  };
  return entity;
}

describe('the demo repositories', () => {
  let dir: string;
  let server: Server;
  let stop: () => Promise<void>;

  const runTemplate = (name: string) =>
    runScaffolderTask({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      authorization: mockCredentials.user.header(),
      templateRef: 'template:default/publish-demo-test',
      values: { name },
    });

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'demo-repositories-'));
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        demoRepositories,
        catalogServiceMock.factory({ entities: [templateEntity()] }),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycleDemo: { repositoriesDir: join(dir, 'repositories') },
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

  it('publishes the workspace and serves it, unauthenticated, to the catalog', async () => {
    const result = await runTemplate('orders-service');
    expect(result.status).toBe('completed');
    const { catalogInfoUrl, repoContentsUrl, remoteUrl } =
      result.output as Record<string, string>;
    expect(new URL(catalogInfoUrl).pathname).toBe(
      '/api/demo-repositories/orders-service/catalog-info.yaml',
    );
    expect(new URL(repoContentsUrl).pathname).toBe(
      '/api/demo-repositories/orders-service/',
    );
    expect(remoteUrl).toBe(repoContentsUrl);

    const published = await fs.readFile(
      join(dir, 'repositories/orders-service/catalog-info.yaml'),
      'utf8',
    );
    expect(yaml.parse(published).metadata.name).toBe('orders-service');

    const file = await request(server).get(new URL(catalogInfoUrl).pathname);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(file.text).toBe(published);

    const listing = await request(server).get(
      new URL(repoContentsUrl).pathname,
    );
    expect(listing.status).toBe(200);
    expect(listing.text).toBe('catalog-info.yaml\n');

    expect(
      (await request(server).post(new URL(catalogInfoUrl).pathname)).status,
    ).toBe(405);
  });

  it('does not publish over an existing repository', async () => {
    const result = await runTemplate('payments-service');
    expect(result.status).toBe('completed');
    const again = await runTemplate('payments-service');
    expect(again.status).toBe('failed');
    expect(again.log).toContain('The demo repository payments-service exists');
  });

  it('rejects a repository name that is not a DNS label', async () => {
    const result = await runTemplate('../escape');
    expect(result.status).toBe('failed');
    expect(result.log).toContain('Input name must be a DNS label');
    await expect(fs.readdir(dir)).resolves.not.toContain('escape');
  });

  it('serves nothing outside the repositories', async () => {
    await fs.writeFile(join(dir, 'secret.txt'), 'secret');
    const repository = join(dir, 'repositories/orders-service');
    await fs.symlink(join(dir, 'secret.txt'), join(repository, 'link.txt'));
    await fs.symlink(dir, join(dir, 'repositories/linked'));
    for (const path of [
      '/api/demo-repositories/..%2Fsecret.txt',
      '/api/demo-repositories/orders-service/..%2F..%2Fsecret.txt',
      '/api/demo-repositories/orders-service/%2E%2E/%2E%2E/secret.txt',
      '/api/demo-repositories/orders-service/link.txt',
      '/api/demo-repositories/linked/secret.txt',
      '/api/demo-repositories/linked/',
      '/api/demo-repositories/unknown/catalog-info.yaml',
      '/api/demo-repositories/orders-service/missing.yaml',
    ]) {
      const response = await request(server).get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.text).not.toContain('secret');
    }
  });
});
