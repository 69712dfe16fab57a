import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { misplacedApiPath } from './misplacedApiPath';
import { readMeshLifecycleConfig } from './readMeshLifecycleConfig';

describe('misplacedApiPath', () => {
  it('finds API paths and UI pages at the end of a Prometheus URL', () => {
    expect(misplacedApiPath('http://prom:9090/api/v1', 'prometheus')).toEqual({
      suffix: '/api/v1',
      baseUrl: 'http://prom:9090',
    });
    expect(
      misplacedApiPath(
        'https://obs.example.com/prometheus/api/v1/query/',
        'prometheus',
      ),
    ).toEqual({
      suffix: '/api/v1/query',
      baseUrl: 'https://obs.example.com/prometheus',
    });
    expect(
      misplacedApiPath('http://prom:9090/graph', 'prometheus')?.suffix,
    ).toBe('/graph');
    expect(misplacedApiPath('http://prom:9090/api', 'prometheus')?.suffix).toBe(
      '/api',
    );
    expect(
      misplacedApiPath('http://u:p@am:9093/api/v2', 'alertmanager'),
    ).toEqual({ suffix: '/api/v2', baseUrl: 'http://am:9093' });
  });

  it('leaves base URLs alone, with or without a path prefix', () => {
    for (const url of [
      'http://prom:9090',
      'http://prom:9090/',
      'https://obs.example.com/prometheus',
      'https://obs.example.com/apis',
      'https://obs.example.com/api-gateway/prometheus',
      'not a url',
    ]) {
      expect(misplacedApiPath(url, 'prometheus')).toBeUndefined();
    }
    expect(
      misplacedApiPath('http://am:9093/graph', 'alertmanager'),
    ).toBeUndefined();
  });
});

describe('readMeshLifecycleConfig and API paths in URLs', () => {
  it('warns about each Prometheus and Alertmanager URL ending in an API path, and accepts it', () => {
    const logger = mockServices.logger.mock();
    const config = readMeshLifecycleConfig(
      new ConfigReader({
        meshLifecycle: {
          prometheus: { url: 'http://127.0.0.1:9090/api/v1' },
          alertmanager: { url: 'http://127.0.0.1:9093/api/v2/' },
          clusters: [
            {
              name: 'prod',
              url: 'https://prod.example.com:6443',
              serviceAccountToken: 'token-of-prod',
              prometheus: { url: 'https://obs.example.com/prometheus' },
            },
            {
              name: 'dev',
              url: 'https://dev.example.com:6443',
              serviceAccountToken: 'token-of-dev',
              prometheus: { url: 'https://obs.example.com/dev/graph' },
            },
          ],
        },
      }),
      { logger },
    );
    expect(config.prometheus?.url).toBe('http://127.0.0.1:9090/api/v1');
    expect(logger.warn.mock.calls.map(([message]) => message)).toEqual([
      "Mesh Lifecycle: the Prometheus URL at 'meshLifecycle.prometheus.url' ends in /api/v1, but Mesh Lifecycle appends /api/v1/query and the like itself; configure the base URL (http://127.0.0.1:9090) unless /api/v1 really is the path prefix of a proxy",
      "Mesh Lifecycle: the Alertmanager URL at 'meshLifecycle.alertmanager.url' ends in /api/v2, but Mesh Lifecycle appends /api/v2/silences and the like itself; configure the base URL (http://127.0.0.1:9093) unless /api/v2 really is the path prefix of a proxy",
      "Mesh Lifecycle: the Prometheus URL at 'meshLifecycle.clusters[1].prometheus.url' ends in /graph, but Mesh Lifecycle appends /api/v1/query and the like itself; configure the base URL (https://obs.example.com/dev) unless /graph really is the path prefix of a proxy",
    ]);
  });
});
