import { createExtensionTester } from '@backstage/frontend-test-utils';
import { getComponentData } from '@backstage/core-plugin-api';
import { FieldExtensionOptions } from '@backstage/plugin-scaffolder-react';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import plugin from '../../alpha';
import { MeshClusterPickerFieldExtension } from '../../plugin';
import { MeshClusterPicker } from './MeshClusterPicker';
import { MeshClusterPickerFieldSchema } from './schema';
import { meshClusterPickerValidation } from './validation';

describe('the MeshClusterPicker field extensions', () => {
  it('comes with the /alpha plugin as a scaffolder form field', async () => {
    const extension = plugin.getExtension(
      'scaffolder-form-field:mesh-lifecycle/cluster-picker',
    );
    const loader = createExtensionTester(extension).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    // What the scaffolder's form-fields API hands to its forms.
    expect(await loader()).toEqual(
      expect.objectContaining({
        $$type: '@backstage/scaffolder/FormField',
        name: 'MeshClusterPicker',
        component: MeshClusterPicker,
        validation: meshClusterPickerValidation,
        schema: MeshClusterPickerFieldSchema,
      }),
    );
  });

  it('is provided to legacy apps as MeshClusterPickerFieldExtension', () => {
    const field = getComponentData<FieldExtensionOptions>(
      <MeshClusterPickerFieldExtension />,
      'scaffolder.extensions.field.v1',
    );
    expect(field).toEqual({
      name: 'MeshClusterPicker',
      component: MeshClusterPicker,
      validation: meshClusterPickerValidation,
      schema: MeshClusterPickerFieldSchema.schema,
    });
    expect(field?.schema?.uiOptions).toMatchObject({
      properties: {
        allowedEnvironments: { type: 'array', items: { type: 'string' } },
      },
    });
  });
});
