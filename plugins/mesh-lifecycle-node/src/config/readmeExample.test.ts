import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { loadConfigSchema } from '@backstage/config-loader';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'yaml';
import { readMeshLifecycleConfig } from './readMeshLifecycleConfig';

const README = join(__dirname, '../../../../README.md');

/** The annotated app-config example of the README, `${VAR}`s filled in. */
function readmeExample(): JsonObject {
  const text = readFileSync(README, 'utf8');
  const section = /<!-- example:app-config -->\s*```yaml\n([\s\S]*?)```/.exec(
    text,
  );
  if (!section) throw new Error('README.md has no app-config example');
  return yaml.parse(
    section[1].replace(/\$\{([A-Z_]+)\}/g, (_, name: string) =>
      name.endsWith('_CA')
        ? Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64')
        : `value-of-${name.toLowerCase()}`,
    ),
  );
}

describe("the README's annotated app-config example", () => {
  it('matches the configuration schema', async () => {
    const schema = await loadConfigSchema({
      dependencies: [],
      packagePaths: [join(__dirname, '../../package.json')],
      // This package's schema alone: Backstage's own keys are not the example's.
      excludePackageDependencies: true,
    });
    expect(() =>
      schema.process([{ data: readmeExample(), context: 'README.md' }]),
    ).not.toThrow();
  });

  it('is read as it says', () => {
    const config = readMeshLifecycleConfig(new ConfigReader(readmeExample()));
    expect(config.clusters.map(c => c.name)).toEqual(['prod', 'dev']);
    expect(config.clusters[0]).toMatchObject({
      environment: 'production',
      istioClusterId: 'prod-east',
      namespaces: ['shop', 'payments'],
    });
    expect(config.timeouts).toEqual({
      clusterMs: 10_000,
      prometheusMs: 10_000,
    });
  });
});
