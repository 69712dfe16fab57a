import { InputError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createCatalogAnnotateAction } from './catalogAnnotate';
import { examples } from './catalogAnnotate.examples';

type AnnotateInput = Parameters<
  ReturnType<typeof createCatalogAnnotateAction>['handler']
>[0]['input'];

async function run(input: AnnotateInput) {
  const action = createCatalogAnnotateAction();
  const ctx = createMockActionContext({ input });
  await action.handler(ctx);
  return ctx.output;
}

describe('mesh:catalog:annotate', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    'runs the documented example: %s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe('mesh:catalog:annotate');
      const output = await run(step.input);
      expect(output).toHaveBeenCalledWith(
        'annotations',
        expect.objectContaining({
          'backstage.io/kubernetes-id': step.input.kubernetesId,
        }),
      );
    },
  );

  it('writes the annotations the plugins read, references resolved', async () => {
    const output = await run({
      kubernetesId: 'pricing-service',
      namespace: 'shop',
      cluster: 'prod',
      phase: 'operate',
      replaces: 'legacy-pricing-service',
      p95LatencyMs: 500,
      errorRatioPercent: 0.5,
      entityNamespace: 'retail',
    });
    expect(output).toHaveBeenCalledWith('annotations', {
      'backstage.io/kubernetes-id': 'pricing-service',
      'backstage.io/kubernetes-namespace': 'shop',
      'backstage.io/kubernetes-cluster': 'prod',
      'mesh-lifecycle.io/phase': 'operate',
      'mesh-lifecycle.io/replaces': 'component:retail/legacy-pricing-service',
      'mesh-lifecycle.io/p95-latency-ms': '500',
      'mesh-lifecycle.io/error-ratio-percent': '0.5',
    });
  });

  it('leaves out what was not given', async () => {
    const output = await run({ kubernetesId: 'cart-service' });
    expect(output).toHaveBeenCalledWith('annotations', {
      'backstage.io/kubernetes-id': 'cart-service',
    });
  });

  it.each([
    [{ kubernetesId: 'Cart Service' }, 'backstage.io/kubernetes-id'],
    [
      { kubernetesId: 'cart', namespace: 'Shop_Prod' },
      'backstage.io/kubernetes-namespace',
    ],
    [
      { kubernetesId: 'cart', p95LatencyMs: 0 },
      'mesh-lifecycle.io/p95-latency-ms',
    ],
    [
      { kubernetesId: 'cart', replacedBy: 'not a ref/with spaces' },
      'mesh-lifecycle.io/replaced-by',
    ],
  ])('fails with an InputError naming the field for %j', async (input, key) => {
    const promise = run(input);
    await expect(promise).rejects.toThrow(InputError);
    await expect(run(input)).rejects.toThrow(
      `Annotation ${key} of the template input must be`,
    );
  });
});
