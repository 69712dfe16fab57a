import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { getComponentData } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  FieldExtensionOptions,
  TemplateParameterSchema,
} from '@backstage/plugin-scaffolder-react';
import {
  Stepper,
  StepperProps,
} from '@backstage/plugin-scaffolder-react/alpha';
import { ClustersResponse } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { MeshLifecycleApi, meshLifecycleApiRef } from '../../api';
import { MeshClusterPickerFieldExtension } from '../../plugin';

const CLUSTERS: ClustersResponse = {
  clusters: [
    { name: 'prod', environment: 'production' },
    { name: 'gone' },
    { name: 'staging', environment: 'test' },
  ],
};

/** The field as the legacy scaffolder page finds it in its children. */
function legacyField(): FieldExtensionOptions {
  const field = getComponentData<FieldExtensionOptions>(
    <MeshClusterPickerFieldExtension />,
    'scaffolder.extensions.field.v1',
  );
  if (!field) {
    throw new Error('MeshClusterPickerFieldExtension carries no field');
  }
  return field;
}

function manifest(
  options: { required?: boolean; allowedEnvironments?: string[] } = {},
): TemplateParameterSchema {
  const { required = true, allowedEnvironments } = options;
  return {
    title: 'Deploy',
    steps: [
      {
        title: 'Where',
        schema: {
          type: 'object',
          required: required ? ['cluster'] : [],
          properties: {
            cluster: {
              type: 'string',
              title: 'Target cluster',
              'ui:field': 'MeshClusterPicker',
              ...(allowedEnvironments
                ? { 'ui:options': { allowedEnvironments } }
                : {}),
            },
          },
        },
      },
    ],
  };
}

/**
 * Renders the scaffolder's real form with the field, against `getClusters`;
 * returns what the form would create with.
 */
async function renderForm(
  getClusters: MeshLifecycleApi['getClusters'],
  options: {
    required?: boolean;
    allowedEnvironments?: string[];
    initialState?: StepperProps['initialState'];
  } = {},
) {
  const created: Array<Parameters<StepperProps['onCreate']>[0]> = [];
  renderInTestApp(
    <Stepper
      manifest={manifest(options)}
      extensions={[legacyField()]}
      initialState={options.initialState}
      onCreate={async values => {
        created.push(values);
      }}
    />,
    { apis: [[meshLifecycleApiRef, { getClusters }]] },
  );
  return created;
}

const picker = () => screen.getByRole('button', { name: /Target cluster/ });

async function review(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('button', { name: 'Review' }));
}

describe('MeshClusterPicker', () => {
  it('offers the configured clusters as name (environment), and the choice is the value', async () => {
    const user = userEvent.setup();
    const getClusters = jest.fn(async () => CLUSTERS);
    const created = await renderForm(getClusters);
    await waitFor(() => expect(picker()).toBeEnabled());

    await user.click(picker());
    const listbox = await screen.findByRole('listbox');
    expect(
      within(listbox)
        .getAllByRole('option')
        .map(option => option.textContent),
    ).toEqual(['prod (production)', 'gone', 'staging (test)']);
    await user.click(
      within(listbox).getByRole('option', { name: 'staging (test)' }),
    );
    expect(picker()).toHaveTextContent('staging (test)');

    await review(user);
    await user.click(await screen.findByRole('button', { name: 'Create' }));
    await waitFor(() => expect(created).toEqual([{ cluster: 'staging' }]));
  });

  it('shows that it is loading until the clusters are there', async () => {
    let answer: (clusters: ClustersResponse) => void = () => {};
    await renderForm(
      () =>
        new Promise<ClustersResponse>(resolve => {
          answer = resolve;
        }),
    );
    expect(
      await screen.findByText('Loading the configured clusters…'),
    ).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toBeInTheDocument();
    answer(CLUSTERS);
    await waitFor(() => expect(picker()).toBeEnabled());
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('offers only the clusters of the allowed environments', async () => {
    const user = userEvent.setup();
    await renderForm(async () => CLUSTERS, {
      allowedEnvironments: ['test', 'production'],
    });
    await waitFor(() => expect(picker()).toBeEnabled());
    await user.click(picker());
    expect(
      within(await screen.findByRole('listbox'))
        .getAllByRole('option')
        .map(option => option.textContent),
    ).toEqual(['prod (production)', 'staging (test)']);
  });

  it('is required when the template says so', async () => {
    const user = userEvent.setup();
    const created = await renderForm(async () => CLUSTERS);
    await waitFor(() => expect(picker()).toBeEnabled());
    const form = document.querySelector('form');
    // The browser refuses to submit the form, as for every required field.
    expect(form).toBeInvalid();
    await review(user);
    expect(
      screen.queryByRole('button', { name: 'Create' }),
    ).not.toBeInTheDocument();

    await user.click(picker());
    await user.click(await screen.findByRole('option', { name: 'gone' }));
    expect(form).toBeValid();
    await review(user);
    await user.click(await screen.findByRole('button', { name: 'Create' }));
    await waitFor(() => expect(created).toEqual([{ cluster: 'gone' }]));
  });

  it('may be left empty when the template does not require it', async () => {
    const user = userEvent.setup();
    const created = await renderForm(async () => CLUSTERS, {
      required: false,
    });
    await waitFor(() => expect(picker()).toBeEnabled());
    await user.click(picker());
    expect(
      within(await screen.findByRole('listbox'))
        .getAllByRole('option')
        .map(option => option.textContent),
    ).toEqual(['None', 'prod (production)', 'gone', 'staging (test)']);
    await user.click(screen.getByRole('option', { name: 'None' }));
    await review(user);
    await user.click(await screen.findByRole('button', { name: 'Create' }));
    await waitFor(() => expect(created).toEqual([{}]));
  });

  it('refuses a preset cluster that is not offered, naming those that are', async () => {
    const user = userEvent.setup();
    await renderForm(async () => CLUSTERS, {
      allowedEnvironments: ['production'],
      initialState: { cluster: 'staging' },
    });
    await waitFor(() => expect(picker()).toBeEnabled());
    await review(user);
    expect(
      await screen.findByText(
        "'staging' is not a cluster configured for production; choose one of prod",
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Create' }),
    ).not.toBeInTheDocument();
  });

  it('says why it cannot list the clusters and takes the name as text instead', async () => {
    const user = userEvent.setup();
    const created = await renderForm(async () => {
      throw await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'Error', message: 'backend unavailable' },
            request: { method: 'GET', url: '/api/mesh-lifecycle/clusters' },
            response: { statusCode: 503 },
          }),
          {
            status: 503,
            statusText: 'Service Unavailable',
            headers: { 'content-type': 'application/json' },
          },
        ),
      );
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "Could not list the clusters (backend unavailable, HTTP 503); type the cluster's name instead.",
    );
    const input = screen.getByRole('textbox', { name: /Target cluster/ });
    await user.type(input, 'prod-eu');

    await review(user);
    await user.click(await screen.findByRole('button', { name: 'Create' }));
    await waitFor(() => expect(created).toEqual([{ cluster: 'prod-eu' }]));
  });
});
