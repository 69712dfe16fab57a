import { ConfigReader } from '@backstage/config';
import { readMeshLifecycleConfig } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { alertmanagerSources } from './alertmanagerSources';

const cluster = (name: string, extra: object = {}) => ({
  name,
  url: `https://${name}.example.com`,
  serviceAccountToken: 'token',
  ...extra,
});

describe('alertmanagerSources', () => {
  it('makes one client per Alertmanager, with the clusters it serves', () => {
    const config = readMeshLifecycleConfig(
      new ConfigReader({
        meshLifecycle: {
          alertmanager: { url: 'http://127.0.0.1:9093' },
          clusters: [
            cluster('prod', {
              alertmanager: { url: 'https://am.example.com' },
            }),
            cluster('prod-eu', {
              alertmanager: { url: 'https://am.example.com' },
            }),
            cluster('dev'),
          ],
        },
      }),
    );
    expect(
      alertmanagerSources(config).map(s => [s.client.name, s.clusters]),
    ).toEqual([
      ['alertmanager am.example.com', ['prod', 'prod-eu']],
      ['alertmanager 127.0.0.1:9093', ['dev']],
    ]);
  });

  it('makes none without Alertmanagers', () => {
    const config = readMeshLifecycleConfig(
      new ConfigReader({ meshLifecycle: { clusters: [cluster('prod')] } }),
    );
    expect(alertmanagerSources(config)).toEqual([]);
  });
});
