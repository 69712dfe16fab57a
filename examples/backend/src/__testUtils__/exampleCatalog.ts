import { Entity } from '@backstage/catalog-model';
import { existsSync, readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import yaml from 'yaml';

const examples = join(__dirname, '../../..');

function entitiesOf(file: string): Entity[] {
  return yaml
    .parseAllDocuments(readFileSync(file, 'utf8'))
    .map(doc => doc.toJS() as Entity);
}

/**
 * Every entity of the demo catalog as written: `examples/catalog/*.yaml`
 * and the `catalog-info.yaml` of each seeded demo repository
 * (`examples/repositories/<name>/`), which app-config.yaml registers as a
 * `url` location.
 */
export function exampleCatalogEntities(): Entity[] {
  const catalog = join(examples, 'catalog');
  const repositories = join(examples, 'repositories');
  return [
    ...readdirSync(catalog)
      .filter(file => file.endsWith('.yaml'))
      .flatMap(file => entitiesOf(join(catalog, file))),
    ...readdirSync(repositories)
      .map(name => join(repositories, name, 'catalog-info.yaml'))
      .filter(file => existsSync(file))
      .flatMap(entitiesOf),
  ];
}
