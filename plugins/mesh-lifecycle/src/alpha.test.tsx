import { screen } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import {
  catalogApiMock,
  createTestEntityPage,
} from '@backstage/plugin-catalog-react/testUtils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { NotFoundError } from '@backstage/errors';
import { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import {
  ServiceDeclaration,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import plugin from './alpha';
import { MeshLifecycleApi, meshLifecycleApiRef } from './api';

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

const checkout = entity('checkout-service', {
  'backstage.io/kubernetes-id': 'checkout-service',
  'backstage.io/kubernetes-namespace': 'shop',
  'backstage.io/kubernetes-cluster': 'prod',
  'mesh-lifecycle.io/phase': 'deploy',
});
const legacy = entity('legacy-pricing', {
  'mesh-lifecycle.io/phase': 'retire',
  'mesh-lifecycle.io/replaced-by': 'pricing-service',
});
const broken = entity('broken-service', { 'mesh-lifecycle.io/phase': 'later' });
const website = entity('website', {}, 'website');

/** The backend's answer computed the way the backend computes it. */
const backend: Pick<MeshLifecycleApi, 'getDeclaration'> = {
  async getDeclaration(ref: CompoundEntityRef): Promise<ServiceDeclaration> {
    const found = [checkout, legacy, broken].find(
      e => e.metadata.name === ref.name,
    );
    if (!found) throw new NotFoundError(`No entity ${ref.name}`);
    return readServiceDeclaration(found);
  },
};

const probeCard = EntityCardBlueprint.make({
  name: 'probe',
  params: { loader: async () => <div>probe card</div> },
});

const card = plugin.getExtension('entity-card:mesh-lifecycle/lifecycle');
const page = plugin.getExtension('page:mesh-lifecycle');

describe('mesh-lifecycle /alpha plugin', () => {
  it('shows the lifecycle card on a service entity page', async () => {
    renderTestApp({
      extensions: [createTestEntityPage({ entity: checkout }), card],
      apis: [[meshLifecycleApiRef, backend]],
    });
    expect(
      await screen.findByText('Deploy (from annotation)'),
    ).toBeInTheDocument();
    expect(screen.getByText('checkout-service')).toBeInTheDocument();
    expect(screen.getByText('prod')).toBeInTheDocument();
    const current = screen
      .getByRole('list', { name: 'Lifecycle phases' })
      .querySelector('[aria-current="step"]');
    expect(current).toHaveTextContent('Deploy');
  });

  it('names the replacement of a retiring service', async () => {
    renderTestApp({
      extensions: [createTestEntityPage({ entity: legacy }), card],
      apis: [[meshLifecycleApiRef, backend]],
    });
    expect(
      await screen.findByText('Retire (from annotation)'),
    ).toBeInTheDocument();
    expect(screen.getByText('Replaced by:')).toBeInTheDocument();
  });

  it('shows the backend error in the card, not a blank', async () => {
    renderTestApp({
      extensions: [createTestEntityPage({ entity: broken }), card],
      apis: [[meshLifecycleApiRef, backend]],
    });
    expect(
      await screen.findByText(
        /^Error: Annotation mesh-lifecycle.io\/phase of component:default\/broken-service must be one of/,
      ),
    ).toBeInTheDocument();
  });

  it('keeps the card off entities that are not services', async () => {
    const getDeclaration = jest.fn(backend.getDeclaration);
    renderTestApp({
      extensions: [createTestEntityPage({ entity: website }), card, probeCard],
      apis: [[meshLifecycleApiRef, { getDeclaration }]],
    });
    // The page and its unfiltered cards render; ours is filtered out.
    expect(await screen.findByText('probe card')).toBeInTheDocument();
    expect(screen.queryByText('Mesh lifecycle')).not.toBeInTheDocument();
    expect(getDeclaration).not.toHaveBeenCalled();
  });

  it('lists every service with its phase on the fleet page', async () => {
    renderTestApp({
      extensions: [page],
      initialRouteEntries: ['/mesh-lifecycle'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        [
          catalogApiRef,
          catalogApiMock({ entities: [checkout, legacy, broken, website] }),
        ],
      ],
    });
    expect(await screen.findByText('Services on the mesh')).toBeInTheDocument();
    const phases = screen
      .getAllByRole('row')
      .slice(1)
      .map(row => row.querySelectorAll('td')[2]?.textContent);
    // In lifecycle order, the service with an unreadable phase last.
    expect(phases).toEqual([
      'Deploy',
      'Retire',
      expect.stringMatching(/^Annotation mesh-lifecycle.io\/phase/),
    ]);
    expect(
      screen.getByText(
        /Annotation mesh-lifecycle.io\/phase of component:default\/broken-service/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('website')).not.toBeInTheDocument();
  });
});
