import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { getComponentData } from '@backstage/core-plugin-api';
import {
  FieldExtensionOptions,
  TemplateParameterSchema,
} from '@backstage/plugin-scaffolder-react';
import {
  FormFieldBlueprint,
  Stepper,
} from '@backstage/plugin-scaffolder-react/alpha';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import plugin from '../../alpha';
import { MeshRetirementBlockers } from './MeshRetirementBlockers';
import { LifecycleResponse } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { MeshLifecycleApi, meshLifecycleApiRef } from '../../api';
import { MeshRetirementBlockersFieldExtension } from '../../plugin';
import { recorded } from '../../__testUtils__/recordedBackend';

function legacyField(): FieldExtensionOptions {
  return getComponentData<FieldExtensionOptions>(
    <MeshRetirementBlockersFieldExtension />,
    'scaffolder.extensions.field.v1',
  )!;
}

/** The retire-service form in short: the service, then the blockers. */
const MANIFEST: TemplateParameterSchema = {
  title: 'Retire a service',
  steps: [
    {
      title: 'The retirement',
      schema: {
        type: 'object',
        properties: {
          entity: { type: 'string', title: 'Service to retire' },
          drainWindowSeconds: { type: 'integer', default: 600 },
        },
      },
    },
    {
      title: 'What is deleted',
      schema: {
        type: 'object',
        properties: {
          blockers: {
            type: 'string',
            title: 'Current blockers',
            'ui:field': 'MeshRetirementBlockers',
          },
        },
      },
    },
  ],
};

async function renderForm(
  getLifecycle: MeshLifecycleApi['getLifecycle'],
  entity?: string,
) {
  const user = userEvent.setup();
  await renderInTestApp(
    <Stepper
      manifest={MANIFEST}
      extensions={[legacyField()]}
      initialState={entity ? { entity } : {}}
      onCreate={async () => {}}
    />,
    { apis: [[meshLifecycleApiRef, { getLifecycle }]] },
  );
  await user.click(screen.getByRole('button', { name: 'Next' }));
  return screen.findByRole('region', { name: 'Current blockers' });
}

const answer = (name: 'legacy-pricing-service' | 'checkout-service') =>
  recorded(`${name}.lifecycle`).body as unknown as LifecycleResponse;

describe('MeshRetirementBlockers', () => {
  it("shows the chosen service's retire conditions over the chosen drain window, before anything is filed", async () => {
    const getLifecycle = jest.fn(async () => answer('legacy-pricing-service'));
    const section = await renderForm(
      getLifecycle,
      'component:default/legacy-pricing-service',
    );
    const conditions = await within(section).findByRole('list', {
      name: 'Retire conditions',
    });
    const dependents = within(conditions)
      .getByText('No catalog entity depends on it')
      .closest('li')!;
    expect(within(dependents).getByRole('img', { name: 'fail' })).toBeVisible();
    expect(
      within(dependents).getByText(
        'component:default/inventory-service still depends on it',
      ),
    ).toBeInTheDocument();
    expect(
      within(conditions).getByText(/^\d+ inbound requests in the last 7 days$/),
    ).toBeInTheDocument();
    expect(getLifecycle).toHaveBeenCalledWith(
      'component:default/legacy-pricing-service',
      { drainWindowSeconds: 600 },
    );
  });

  it('says a service in another phase cannot be retired yet, and asks for a service first', async () => {
    const section = await renderForm(
      async () => answer('checkout-service'),
      'component:default/checkout-service',
    );
    expect(
      await within(section).findByText(
        'It is in Deploy: a retirement starts from Operate or Retire',
      ),
    ).toBeInTheDocument();
  });

  it('asks for the service first', async () => {
    const none = await renderForm(jest.fn());
    expect(
      within(none).getByText(/^Pick the service first/),
    ).toBeInTheDocument();
  });

  it('says when the conditions cannot be read, and that the request judges them anyway', async () => {
    const section = await renderForm(async () => {
      throw new Error('the catalog is down');
    }, 'component:default/legacy-pricing-service');
    expect(
      await within(section).findByText(
        'The retire conditions could not be read',
      ),
    ).toBeInTheDocument();
    expect(
      within(section).getByText(
        /^the catalog is down\. The request judges them anyway/,
      ),
    ).toBeInTheDocument();
  });

  it('comes with the /alpha plugin as a scaffolder form field, and to legacy apps as MeshRetirementBlockersFieldExtension', async () => {
    const loader = createExtensionTester(
      plugin.getExtension(
        'scaffolder-form-field:mesh-lifecycle/retirement-blockers',
      ),
    ).get(FormFieldBlueprint.dataRefs.formFieldLoader);
    expect(await loader()).toEqual(
      expect.objectContaining({
        name: 'MeshRetirementBlockers',
        component: MeshRetirementBlockers,
      }),
    );
    expect(legacyField()).toMatchObject({
      name: 'MeshRetirementBlockers',
      component: MeshRetirementBlockers,
    });
  });
});
