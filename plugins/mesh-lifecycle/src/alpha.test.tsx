import { screen } from '@testing-library/react';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { registerMswTestHooks } from '@backstage/test-utils';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import {
  catalogApiMock,
  createTestEntityPage,
} from '@backstage/plugin-catalog-react/testUtils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import plugin from './alpha';
import { MeshLifecycleClient, meshLifecycleApiRef } from './api';
import { demoEntity, recordedBackend } from './__testUtils__/recordedBackend';

function entity(
  name: string,
  annotations: Record<string, string>,
  type = 'service',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type,
      lifecycle: 'production',
      owner: 'group:default/team-commerce',
    },
  };
}

const legacy = entity('legacy-pricing', {
  'mesh-lifecycle.io/phase': 'retire',
  'mesh-lifecycle.io/replaced-by': 'pricing-service',
});
const broken = entity('broken-service', { 'mesh-lifecycle.io/phase': 'later' });
const website = entity('website', {}, 'website');

const probeCard = EntityCardBlueprint.make({
  name: 'probe',
  params: { loader: async () => <div>probe card</div> },
});

const card = plugin.getExtension('entity-card:mesh-lifecycle/lifecycle');
const alertsCard = plugin.getExtension('entity-card:mesh-lifecycle/alerts');

const server = setupServer();
const client = new MeshLifecycleClient({
  discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage:7007' }),
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});
const page = plugin.getExtension('page:mesh-lifecycle');

describe('mesh-lifecycle /alpha plugin', () => {
  registerMswTestHooks(server);
  beforeEach(() => server.use(recordedBackend()));

  it('shows the lifecycle card on a service entity page, from the backend', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: demoEntity('checkout-service') }),
        card,
      ],
      apis: [[meshLifecycleApiRef, client]],
    });
    expect(await screen.findByText('3 of 4 pass')).toBeInTheDocument();
    const current = screen
      .getByRole('list', { name: 'Lifecycle phases' })
      .querySelector('[aria-current="step"]');
    expect(current).toHaveTextContent('Deploy');
  });

  it('shows the alerts card only where the plugin can find the service', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: demoEntity('payment-service') }),
        alertsCard,
      ],
      apis: [[meshLifecycleApiRef, client]],
    });
    expect(await screen.findByText('HighErrorRate')).toBeInTheDocument();
  });

  it('keeps the alerts card off a service without a Kubernetes id', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: legacy }),
        alertsCard,
        probeCard,
      ],
      apis: [[meshLifecycleApiRef, client]],
    });
    expect(await screen.findByText('probe card')).toBeInTheDocument();
    expect(screen.queryByText('Mesh alerts')).not.toBeInTheDocument();
  });

  it('shows the backend error in the card, not a blank', async () => {
    server.use(
      http.get('*/api/mesh-lifecycle/entities/*/*/*/lifecycle', () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message:
                'Annotation mesh-lifecycle.io/phase of component:default/broken-service must be one of design, develop, test, deploy, operate, retire',
            },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    renderTestApp({
      extensions: [createTestEntityPage({ entity: broken }), card],
      apis: [[meshLifecycleApiRef, client]],
    });
    expect(
      await screen.findByText(
        /Annotation mesh-lifecycle.io\/phase of component:default\/broken-service must be one of/,
      ),
    ).toBeInTheDocument();
  });

  it('keeps the card off entities that are not services', async () => {
    const getLifecycle = jest.fn(client.getLifecycle.bind(client));
    renderTestApp({
      extensions: [createTestEntityPage({ entity: website }), card, probeCard],
      apis: [[meshLifecycleApiRef, { getLifecycle }]],
    });
    // The page and its unfiltered cards render; ours is filtered out.
    expect(await screen.findByText('probe card')).toBeInTheDocument();
    expect(screen.queryByText('Mesh lifecycle')).not.toBeInTheDocument();
    expect(getLifecycle).not.toHaveBeenCalled();
  });

  it('shows the fleet board on its page', async () => {
    renderTestApp({
      extensions: [page],
      initialRouteEntries: ['/mesh-lifecycle'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        [meshLifecycleApiRef, client],
        [
          catalogApiRef,
          catalogApiMock({
            entities: [demoEntity('checkout-service'), website],
          }),
        ],
      ],
    });
    expect(await screen.findByText('Services on the mesh')).toBeInTheDocument();
    // Only services: the website is not on the board.
    expect(await screen.findByText('1 of 1 services')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'checkout-service' }),
    ).toBeInTheDocument();
  });
});
