import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { PromQL } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { readMeshLifecycleConfig } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { AddressInfo } from 'net';
import { Server, createServer } from 'http';
import { AlertmanagerClient } from './AlertmanagerClient';
import { PrometheusClient } from './PrometheusClient';
import { trafficSources } from './trafficSources';

const TOKEN = 'prometheus-token-9f8e7d6c';
const query = 'up' as PromQL;

/**
 * A server answering like Prometheus and Alertmanager at the root of the
 * host (JSON under /api/v1 and /api/v2, `404 page not found` as text
 * elsewhere), or like a proxy in front of them when `proxy` is set.
 */
describe('a Prometheus URL that is not the base URL', () => {
  let server: Server;
  let base: string;
  let proxy: { status: number; contentType: string; body: string } | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (proxy) {
        res.writeHead(proxy.status, { 'content-type': proxy.contentType });
        res.end(proxy.body);
      } else if (path === '/api/v1/query') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: 'vector', result: [] },
          }),
        );
      } else if (path === '/api/v2/silences') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('[]');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('404 page not found\n');
      }
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });
  afterEach(() => {
    proxy = undefined;
  });

  const failure = async (url: string) => {
    const client = new PrometheusClient({
      source: {
        name: 'p',
        url,
        bearerToken: TOKEN,
        headers: { 'x-scope-orgid': 'tenant-secret-1' },
        timeoutMs: 2_000,
      },
    });
    const error: Error = await client.instant(query).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: Error) => e,
    );
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain('tenant-secret-1');
    expect(error.message).not.toContain('\n');
    return error.message;
  };

  it('answers the base URL', async () => {
    const client = new PrometheusClient({
      source: { name: 'p', url: base, timeoutMs: 2_000 },
    });
    expect(await client.instant(query)).toEqual([]);
  });

  it('says the configured url ends in /api/v1 and what to configure instead', async () => {
    expect(await failure(`${base}/api/v1`)).toBe(
      `Prometheus p: HTTP 404 from ${base}/api/v1/api/v1/query — the configured url ends in /api/v1; configure the base URL (${base})`,
    );
    expect(await failure(`${base}/api/v1/query`)).toBe(
      `Prometheus p: HTTP 404 from ${base}/api/v1/query/api/v1/query — the configured url ends in /api/v1/query; configure the base URL (${base})`,
    );
    expect(await failure(`${base}/graph/`)).toBe(
      `Prometheus p: HTTP 404 from ${base}/graph/api/v1/query — the configured url ends in /graph; configure the base URL (${base})`,
    );
  });

  it('asks whether a path prefix is right when a 404 has no such reason', async () => {
    expect(await failure(`${base}/prometheus`)).toBe(
      `Prometheus p: HTTP 404 (text/plain) from ${base}/prometheus/api/v1/query — is the configured url the base URL of Prometheus (the one its /api/v1 is under)?`,
    );
  });

  it('names the status and content type of a proxy answer', async () => {
    proxy = {
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: '<html><form action="/login">',
    };
    expect(await failure(base)).toBe(
      `Prometheus p: HTTP 200 (text/html) from ${base}/api/v1/query, not a Prometheus answer — a login page or a proxy in front of it?`,
    );
    proxy = {
      status: 502,
      contentType: 'text/html',
      body: '<h1>Bad Gateway</h1>',
    };
    expect(await failure(base)).toBe(
      `Prometheus p: HTTP 502 (text/html) from ${base}/api/v1/query, not a Prometheus answer`,
    );
    proxy = { status: 401, contentType: 'text/plain', body: 'Unauthorized' };
    expect(await failure(base)).toBe(
      `Prometheus p: HTTP 401 (text/plain) from ${base}/api/v1/query — the credentials were refused; check the bearerToken / headers configured for this Prometheus`,
    );
  });

  it('says the same of an Alertmanager URL ending in /api/v2', async () => {
    const client = new AlertmanagerClient({
      source: { name: 'am', url: `${base}/api/v2`, timeoutMs: 2_000 },
    });
    await expect(client.silences()).rejects.toThrow(
      `Alertmanager am: HTTP 404 from ${base}/api/v2/api/v2/silences — the configured url ends in /api/v2; configure the base URL (${base})`,
    );
  });

  it('warns at start-up and says it again in the answer of each query, as configured', async () => {
    const logger = mockServices.logger.mock();
    const config = readMeshLifecycleConfig(
      new ConfigReader({
        meshLifecycle: { prometheus: { url: `${base}/api/v1` } },
      }),
      { logger },
    );
    expect(logger.warn).toHaveBeenCalledWith(
      `Mesh Lifecycle: the Prometheus URL at 'meshLifecycle.prometheus.url' ends in /api/v1, but Mesh Lifecycle appends /api/v1/query and the like itself; configure the base URL (${base}) unless /api/v1 really is the path prefix of a proxy`,
    );
    const [source] = trafficSources(config, mockServices.cache.mock());
    const host = new URL(base).host;
    await expect(source.client.instant(query)).rejects.toThrow(
      `Prometheus prometheus ${host}: HTTP 404 from ${base}/api/v1/api/v1/query — the configured url ends in /api/v1; configure the base URL (${base})`,
    );
  });
});
