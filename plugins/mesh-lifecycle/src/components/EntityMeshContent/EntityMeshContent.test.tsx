import { screen, within } from '@testing-library/react';
import { registerMswTestHooks } from '@backstage/test-utils';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import {
  recorded,
  recordedBackend,
  renderForEntity,
} from '../../__testUtils__/recordedBackend';
import { EntityMeshContent } from './EntityMeshContent';

const server = setupServer();

describe('the mesh tab, answered as the demo backend answers', () => {
  registerMswTestHooks(server);
  // jsdom lays out no SVG: the graph measures its labels.
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  it('shows the canary: signals with units, 90/10 configured beside the observed split, mTLS, pods and peers', async () => {
    await renderForEntity(<EntityMeshContent />, 'checkout-service', server);
    expect(
      await screen.findByText('Requests (last 5 min)'),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/^\d+\.\d req\/s$/).length).toBeGreaterThan(0);
    expect(screen.getAllByText(/^\d+ ms$/).length).toBe(3);
    for (const chart of [
      'Request rate',
      'Success ratio',
      'Error ratios',
      'Latency',
    ]) {
      expect(screen.getByRole('figure', { name: chart })).toBeInTheDocument();
    }

    const split = within(
      await screen.findByRole('table', { name: 'Split of checkout-service' }),
    );
    const v1 = split.getByText('v1').closest('tr')!;
    expect(within(v1).getByText('90 %')).toBeInTheDocument();
    // The observed share is what Prometheus saw, near the configured one.
    const observed = Number(
      within(v1)
        .getByText(/^\d+\.\d %$/)
        .textContent!.replace(' %', ''),
    );
    expect(observed).toBeGreaterThan(85);
    expect(observed).toBeLessThan(95);
    expect(screen.getByText('STRICT')).toBeInTheDocument();

    const pods = within(screen.getByRole('table', { name: 'Pods on prod' }));
    expect(pods.getAllByRole('row').length).toBeGreaterThan(1);

    const callees = within(
      await screen.findByRole('list', { name: 'Live callees' }),
    );
    expect(
      callees.getByRole('link', { name: 'cart-service' }),
    ).toBeInTheDocument();
    const callers = within(screen.getByRole('list', { name: 'Live callers' }));
    expect(callers.getByText(/callers without a sidecar/)).toBeInTheDocument();

    // The graph: edges carry the rate, nodes link to their entity pages.
    const graph = await screen.findByLabelText('Live callers and callees');
    expect(
      within(graph).getByText('cart-service').closest('a'),
    ).toHaveAttribute('href', '/catalog/default/component/cart-service');
    // One edge per caller and callee: the five callees and the callers
    // without a sidecar.
    expect(within(graph).getAllByText(/^\d+\.\d req\/s$/)).toHaveLength(6);
  });

  it('keeps the other sections when the signals fail, and says which source did not answer', async () => {
    const answer = recorded('checkout-service.traffic').body as {
      sources: unknown[];
    };
    await renderForEntity(<EntityMeshContent />, 'checkout-service', server, [
      http.get('*/api/mesh-lifecycle/entities/*/*/*/traffic', () =>
        HttpResponse.json({
          ...answer,
          sources: [
            {
              source: 'prometheus 127.0.0.1:9090',
              status: 'error',
              error: { name: 'Error', message: 'unreachable: ECONNREFUSED' },
            },
          ],
        }),
      ),
      recordedBackend(),
    ]);
    expect(
      await screen.findByText(
        'No source answered: the signals cannot be shown',
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Pods on prod' }),
    ).toBeInTheDocument();
    // Without the figures the observed split is not 0: it is not known.
    const split = within(
      screen.getByRole('table', { name: 'Split of checkout-service' }),
    );
    expect(split.getAllByText('no data')).toHaveLength(2);
  });
});
