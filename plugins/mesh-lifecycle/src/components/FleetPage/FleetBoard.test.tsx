import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { registerMswTestHooks } from '@backstage/test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { FleetResponse } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { MeshLifecycleClient, meshLifecycleApiRef } from '../../api';
import { recorded, recordedBackend } from '../../__testUtils__/recordedBackend';
import { FleetTable } from './FleetBoard';

/** The demo catalog's services: name, owner, system. */
const SERVICES: Array<[string, string]> = [
  ['recommendation-service', 'team-storefront'],
  ['loyalty-service', 'team-storefront'],
  ['search-service', 'team-storefront'],
  ['checkout-service', 'team-commerce'],
  ['user-service', 'team-commerce'],
  ['cart-service', 'team-commerce'],
  ['payment-service', 'team-commerce'],
  ['product-catalog-service', 'team-storefront'],
  ['inventory-service', 'team-platform'],
  ['legacy-pricing-service', 'team-platform'],
  ['pricing-service', 'team-platform'],
];

const entities: Entity[] = SERVICES.map(([name, owner]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: `group:default/${owner}`,
    system: 'system:default/online-store',
  },
}));

const server = setupServer();

function render() {
  const client = new MeshLifecycleClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage:7007' }),
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
  return renderInTestApp(<FleetTable />, {
    apis: [
      [meshLifecycleApiRef, client],
      [catalogApiRef, catalogApiMock({ entities })],
    ],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

/** The backend's route failing as with a locked database. */
const lockedDatabase = (route: string) =>
  http.get(`*/api/mesh-lifecycle/${route}`, () =>
    HttpResponse.json(
      {
        error: { name: 'Error', message: 'database is locked' },
        response: { statusCode: 500 },
      },
      { status: 500 },
    ),
  );

const rowOf = (name: string) =>
  screen.getByRole('link', { name }).closest('[role="row"]') as HTMLElement;

describe('the fleet board, answered as the demo backend answers', () => {
  registerMswTestHooks(server);

  it('shows every service with its phase, health, figures with units and gates, counted per phase', async () => {
    server.use(recordedBackend());
    await render();
    expect(await screen.findByText('11 of 11 services')).toBeInTheDocument();
    const checkout = within(rowOf('checkout-service'));
    expect(checkout.getByText('Deploy')).toBeInTheDocument();
    expect(checkout.getByText('Degraded')).toBeInTheDocument();
    expect(checkout.getByText(/^\d+\.\d req\/s$/)).toBeInTheDocument();
    expect(checkout.getByText(/^0\.\d\d %$/)).toBeInTheDocument();
    expect(checkout.getByText(/^\d+ ms$/)).toBeInTheDocument();
    expect(checkout.getByText('1 failing')).toBeInTheDocument();
    // A service that runs nowhere has no figures to show, not zeros.
    const recommendation = within(rowOf('recommendation-service'));
    expect(recommendation.getByText('Design')).toBeInTheDocument();
    expect(recommendation.queryByText(/req\/s/)).toBeNull();
    const perPhase = screen.getByRole('navigation', {
      name: 'Services per phase',
    });
    expect(
      within(perPhase).getByRole('button', { name: 'Retire: 1' }),
    ).toBeVisible();
    // How old the request figures are: as the backend says it asked for them.
    const [prometheus] = (recorded('fleet').body as FleetResponse).prometheus;
    const asOf = prometheus.status === 'ok' ? prometheus.asOf : undefined;
    expect(asOf).toEqual(expect.any(String));
    const time = screen.getByText(/ ago$/, { selector: 'time' });
    expect(time.getAttribute('datetime')).toBe(asOf);
    expect(time.parentElement).toHaveTextContent(
      /^Request figures from .+ ago$/,
    );
  });

  it('filters by phase from the counts, and back', async () => {
    server.use(recordedBackend());
    await render();
    await screen.findByText('11 of 11 services');
    await userEvent.click(screen.getByRole('button', { name: 'Retire: 1' }));
    expect(screen.getByText('1 of 11 services')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'legacy-pricing-service' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'checkout-service' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Retire: 1' }));
    expect(screen.getByText('11 of 11 services')).toBeInTheDocument();
  });

  it('shows the catalog rows and says what is missing when the recorded lifecycle fails', async () => {
    server.use(lockedDatabase('fleet/phases'), recordedBackend());
    await render();
    expect(
      await screen.findByText(
        /^Recorded phases, health and gates are missing: /,
      ),
    ).toBeInTheDocument();
    // The declared phase stands in, marked as such.
    const checkout = within(rowOf('checkout-service'));
    expect(checkout.getByText('Deploy')).toBeInTheDocument();
    expect(checkout.getByText('declared')).toBeInTheDocument();
  });

  it('with a cluster down: says which and why, and still shows every row with the figures Prometheus gave', async () => {
    server.use(recordedBackend({ testClusterDown: true }));
    await render();
    expect(
      await screen.findByText(
        /^test did not answer, its figures are missing: cluster test: connection reset \(ECONNRESET\)/,
      ),
    ).toBeInTheDocument();
    const times = screen.getAllByText(/ ago$/, { selector: 'time' });
    // When the cluster began failing, and how old the request figures are.
    expect(times.map(t => t.parentElement?.textContent)).toEqual([
      expect.stringMatching(/^Failing since .+ ago\.$/),
      expect.stringMatching(/^Request figures from .+ ago$/),
    ]);
    for (const [name] of SERVICES) {
      expect(screen.getByRole('link', { name })).toBeInTheDocument();
    }
    // Where search-service runs is not known: not "nowhere".
    expect(
      within(rowOf('search-service')).getByText('test (did not answer)'),
    ).toBeInTheDocument();
    // Prometheus answered: the canary's figures are there, with units.
    expect(
      within(rowOf('checkout-service')).getAllByText(/ req\/s$/).length,
    ).toBeGreaterThan(0);
  });

  it('lists the open retirement requests with what holds them up, and says when there is none', async () => {
    server.use(
      http.get('*/api/mesh-lifecycle/retirements', () =>
        HttpResponse.json(recorded('fleet-retirements.refused').body),
      ),
      recordedBackend(),
    );
    await render();
    const section = await screen.findByRole('region', {
      name: 'Open retirement requests',
    });
    const [request] = within(section).getAllByRole('listitem');
    expect(
      within(request).getByRole('link', { name: 'legacy-pricing-service' }),
    ).toBeInTheDocument();
    expect(within(request).getByText(/retirement refused/)).toBeInTheDocument();
    expect(
      within(request).getByText(
        /1 blocker: No catalog entity depends on it: component:default\/inventory-service still depends on it/,
      ),
    ).toBeInTheDocument();
    expect(within(request).getByRole('img', { name: 'refused' })).toBeVisible();
  });

  it('says there is no open retirement request, as the demo answers before any', async () => {
    server.use(recordedBackend());
    await render();
    const section = await screen.findByRole('region', {
      name: 'Open retirement requests',
    });
    expect(
      within(section).getByText(/^No open retirement request\./),
    ).toBeInTheDocument();
  });

  it('still shows the board when the open requests cannot be read, and says so', async () => {
    server.use(lockedDatabase('retirements'), recordedBackend());
    await render();
    expect(
      await screen.findByText(
        /^Open retirement requests are missing: Request failed with 500/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'checkout-service' }),
    ).toBeVisible();
    expect(
      screen.queryByRole('region', { name: 'Open retirement requests' }),
    ).toBeNull();
  });
});
