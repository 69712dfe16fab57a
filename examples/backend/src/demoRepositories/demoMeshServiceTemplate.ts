import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { JsonObject, JsonValue } from '@backstage/types';
import {
  CatalogProcessor,
  catalogProcessingExtensionPoint,
} from '@backstage/plugin-catalog-node';
import { readRepositoriesDir } from './config';

/** The demo's step that publishes into its offline repositories. */
export const PUBLISH_DEMO_STEP: JsonObject = {
  id: 'publish-demo',
  name: 'Publish in the demo portal',
  if: "${{ parameters.publishTo == 'demo' }}",
  action: 'publish:demo',
  input: { name: '${{ parameters.name }}' },
};

function objectAt(value: JsonValue | undefined, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`The mesh-service template has no object at ${path}`);
  }
  return value;
}

function arrayAt(value: JsonValue | undefined, path: string): JsonValue[] {
  if (!Array.isArray(value)) {
    throw new Error(`The mesh-service template has no list at ${path}`);
  }
  return value;
}

/**
 * The shipped `templates/mesh-service` with the demo portal's choices: the
 * demo's cluster and namespace as defaults, and its offline repositories
 * (`publish:demo`) as a place to publish, chosen by default. Everything else
 * is what adopters get, so the demo's browser test runs their template.
 */
export function withDemoChoices(template: Entity): Entity {
  const demo = structuredClone(template);
  const spec = objectAt(demo.spec, 'spec');
  const pages = arrayAt(spec.parameters, 'spec.parameters');
  const runtime = objectAt(
    objectAt(pages[1], 'spec.parameters[1]').properties,
    'spec.parameters[1].properties',
  );
  objectAt(runtime.cluster, 'cluster').default = 'dev';
  objectAt(runtime.namespace, 'namespace').default = 'shop-dev';

  const repository = objectAt(pages[2], 'spec.parameters[2]');
  const publishTo = objectAt(
    objectAt(repository.properties, 'spec.parameters[2].properties').publishTo,
    'publishTo',
  );
  const targets = arrayAt(publishTo.enum, 'publishTo.enum');
  const names = arrayAt(publishTo.enumNames, 'publishTo.enumNames');
  const none = targets.indexOf('none');
  targets.splice(none, 0, 'demo');
  names.splice(none, 0, 'Demo portal');
  publishTo.default = 'demo';
  publishTo.description =
    'Where the repository is created. "Demo portal" keeps it in the demo backend (offline); "Nowhere" only applies the manifests and does not register the service.';
  const branches = arrayAt(
    objectAt(
      objectAt(repository.dependencies, 'dependencies').publishTo,
      'dependencies.publishTo',
    ).oneOf,
    'dependencies.publishTo.oneOf',
  );
  const withoutRepository = objectAt(
    objectAt(
      objectAt(branches[1], 'oneOf[1]').properties,
      'oneOf[1].properties',
    ).publishTo,
    'oneOf[1].properties.publishTo',
  );
  withoutRepository.enum = ['demo', 'none'];

  const steps = arrayAt(spec.steps, 'spec.steps');
  const step = (id: string) =>
    objectAt(
      steps.find(s => objectAt(s, 'step').id === id),
      `step ${id}`,
    );
  steps.splice(steps.indexOf(step('register')), 0, PUBLISH_DEMO_STEP);
  objectAt(step('register').input, 'register.input').catalogInfoUrl =
    "${{ steps['publish-demo'].output.catalogInfoUrl if parameters.publishTo == 'demo' else ((steps['publish-github'].output.repoContentsUrl if parameters.publishTo == 'github' else steps['publish-gitlab'].output.repoContentsUrl) + '/catalog-info.yaml') }}";
  const repositoryLink = objectAt(
    arrayAt(objectAt(spec.output, 'output').links, 'output.links')[0],
    'output.links[0]',
  );
  repositoryLink.url =
    "${{ steps['publish-github'].output.remoteUrl or steps['publish-gitlab'].output.remoteUrl or steps['publish-demo'].output.remoteUrl }}";
  return demo;
}

/**
 * Gives the catalog's copy of the shipped mesh-service template the demo's
 * choices ({@link withDemoChoices}). The template stays where it is read
 * from, so its skeleton is fetched from `templates/mesh-service/skeleton`.
 */
export const demoTemplateChoices: CatalogProcessor = {
  getProcessorName: () => 'DemoTemplateChoices',
  async preProcessEntity(entity, location) {
    return entity.kind === 'Template' &&
      entity.metadata.name === 'mesh-service' &&
      location.target.endsWith('templates/mesh-service/template.yaml')
      ? withDemoChoices(entity)
      : entity;
  },
};

/** The catalog's part of the demo repositories: {@link demoTemplateChoices}. */
export const catalogModuleDemoTemplateChoices = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'demo-template-choices',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ catalog, config }) {
        if (readRepositoriesDir(config) === undefined) return;
        catalog.addProcessor(demoTemplateChoices);
      },
    });
  },
});
