import { Entity } from '@backstage/catalog-model';
import { readFileSync } from 'fs';
import { join } from 'path';
import yaml from 'yaml';
import {
  PUBLISH_DEMO_STEP,
  demoTemplateChoices,
  withDemoChoices,
} from './demoMeshServiceTemplate';

const TEMPLATE_FILE = join(
  __dirname,
  '../../../../plugins/scaffolder-backend-module-mesh-lifecycle/templates/mesh-service/template.yaml',
);

const shipped = () => yaml.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as Entity;

interface Form {
  spec: {
    parameters: Array<{
      properties: Record<string, { default?: unknown; enum?: unknown[] }>;
      dependencies?: {
        publishTo: {
          oneOf: Array<{ properties: { publishTo: { enum: unknown[] } } }>;
        };
      };
    }>;
    steps: Array<{ id: string; action: string }>;
  };
}

describe("the shipped mesh-service template and the demo portal's choices", () => {
  it('ships without demo-only defaults or targets, checking where it publishes before anything else', () => {
    const template = shipped();
    expect(JSON.stringify(template)).not.toMatch(/demo|shop-dev/);
    const form = template as unknown as Form;
    const [, runtime, repository] = form.spec.parameters;
    expect(runtime.properties.cluster.default).toBeUndefined();
    expect(runtime.properties.namespace.default).toBeUndefined();
    expect(repository.properties.publishTo).not.toHaveProperty('default');
    expect(repository.properties.publishTo.enum).toEqual([
      'github',
      'gitlab',
      'none',
    ]);
    // Nothing is applied, not even a dry run, before the publish check.
    const ids = form.spec.steps.map(s => s.id);
    expect(ids[0]).toBe('publish-check');
    expect(form.spec.steps[0].action).toBe('mesh:publish:check');
    expect(ids.indexOf('publish-check')).toBeLessThan(ids.indexOf('dry-run'));
  });

  it('gives the demo its cluster, namespace and offline repositories, and nothing else', () => {
    const template = shipped();
    const demo = withDemoChoices(template);
    const form = demo as unknown as Form;
    const [, runtime, repository] = form.spec.parameters;
    expect(runtime.properties.cluster.default).toBe('dev');
    expect(runtime.properties.namespace.default).toBe('shop-dev');
    expect(repository.properties.publishTo).toMatchObject({
      default: 'demo',
      enum: ['github', 'gitlab', 'demo', 'none'],
      enumNames: ['GitHub', 'GitLab', 'Demo portal', 'Nowhere'],
    });
    expect(
      repository.dependencies?.publishTo.oneOf[1].properties.publishTo.enum,
    ).toEqual(['demo', 'none']);
    const ids = form.spec.steps.map(s => s.id);
    expect(ids.indexOf('publish-demo')).toBe(ids.indexOf('register') - 1);
    // The shipped steps, in their order, around the demo's one.
    expect(ids.filter(id => id !== PUBLISH_DEMO_STEP.id)).toEqual(
      (template as unknown as Form).spec.steps.map(s => s.id),
    );
    // The shipped template itself is left as it was.
    expect(template).toEqual(shipped());
  });

  it('is applied by the catalog to the shipped mesh-service template only', async () => {
    const location = { type: 'file', target: TEMPLATE_FILE };
    const emit = jest.fn();
    const cache = { get: jest.fn(), set: jest.fn() };
    const processed = await demoTemplateChoices.preProcessEntity!(
      shipped(),
      location,
      emit,
      location,
      cache,
    );
    expect(processed).toEqual(withDemoChoices(shipped()));
    const other = { ...shipped(), metadata: { name: 'canary-release' } };
    expect(
      await demoTemplateChoices.preProcessEntity!(
        other,
        location,
        emit,
        location,
        cache,
      ),
    ).toBe(other);
    const elsewhere = { type: 'url', target: 'https://example.com/t.yaml' };
    const copy = shipped();
    expect(
      await demoTemplateChoices.preProcessEntity!(
        copy,
        elsewhere,
        emit,
        elsewhere,
        cache,
      ),
    ).toBe(copy);
  });
});
