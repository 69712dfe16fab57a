import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { registerMswTestHooks } from '@backstage/test-utils';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import {
  demoEntity,
  recorded,
  recordedBackend,
  renderForEntity,
} from '../../__testUtils__/recordedBackend';
import { EntityMeshContent } from './EntityMeshContent';
import { edgeFigures } from './PeerGraph';

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
    expect(screen.getByText(/^mTLS in force:/)).toHaveTextContent(
      /^mTLS in force: STRICT \(PeerAuthentication shop\/checkout-service, workload\)/,
    );

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
    // without a sidecar, each with its rate and 5xx share.
    expect(
      within(graph).getAllByText(/^\d+\.\d+ req\/s, 5xx \d+(\.\d+)? %$/),
    ).toHaveLength(6);
    // Declared relations nobody saw: drawn, and said so.
    expect(
      within(graph).getByText('loyalty-service').closest('a'),
    ).toHaveAttribute('href', '/catalog/default/component/loyalty-service');
    expect(within(graph).getByText('orders-db')).toBeInTheDocument();
    expect(
      within(graph).getAllByText('declared, no traffic seen'),
    ).toHaveLength(2);
    expect(within(graph).getAllByText('no traffic')).toHaveLength(2);
  });

  it("summarises the service's Istio objects, with the seed's mesh defaults in words", async () => {
    await renderForEntity(<EntityMeshContent />, 'checkout-service', server);
    const rule = within(
      await screen.findByRole('region', {
        name: 'DestinationRule shop/checkout-service',
      }),
    );
    expect(rule.getByText('Outlier detection')).toBeInTheDocument();
    expect(
      rule.getByText(/eject after consecutive 5xx \d+/),
    ).toBeInTheDocument();
    expect(rule.getByText('Subset v2')).toBeInTheDocument();
    const route = within(
      screen.getByRole('region', {
        name: 'VirtualService shop/checkout-service',
      }),
    );
    expect(
      route.getByText(
        'checkout-service.shop.svc.cluster.local:80 (v1) 90 %, checkout-service.shop.svc.cluster.local:80 (v2) 10 %',
      ),
    ).toBeInTheDocument();
    // The seed's timeout and retries.
    expect(route.getByText('5s')).toBeInTheDocument();
    expect(
      route.getByText(
        '3 attempts, 2s per try, on connect-failure,refused-stream',
      ),
    ).toBeInTheDocument();
    const mtls = within(
      screen.getByRole('region', {
        name: 'PeerAuthentication shop/checkout-service',
      }),
    );
    expect(mtls.getByText(/applies to its workloads/)).toBeInTheDocument();
    expect(mtls.getByText('STRICT')).toBeInTheDocument();
  });

  it('puts each finding under its object, with the field, and the YAML on demand', async () => {
    await renderForEntity(<EntityMeshContent />, 'search-service', server);
    const objectName = 'VirtualService shop-test/search-service';
    const route = within(
      await screen.findByRole('region', { name: objectName }),
    );
    const findings = within(
      route.getByRole('list', { name: `Findings of ${objectName}` }),
    );
    expect(findings.getByText('KIA1107')).toBeInTheDocument();
    expect(
      findings.getByText('field spec.http[0].route[1].destination.subset'),
    ).toBeInTheDocument();
    // The Service's finding is not an Istio object's: listed apart.
    const others = within(
      screen.getByRole('list', { name: 'Other findings on test' }),
    );
    expect(others.getByText('KIA0601')).toBeInTheDocument();

    expect(route.queryByLabelText(`YAML of ${objectName}`)).toBeNull();
    await userEvent.click(route.getByRole('button', { name: /YAML/ }));
    const yaml = await route.findByLabelText(`YAML of ${objectName}`);
    expect(yaml.textContent).toMatch(/^apiVersion: networking\.istio\.io\//);
    expect(yaml.textContent).toContain('name: search-service');
    expect(yaml.textContent).not.toContain('managedFields');
  });

  it('shows the objects without findings when the validation did not answer', async () => {
    await renderForEntity(<EntityMeshContent />, 'search-service', server, [
      http.get('*/api/mesh-lifecycle/entities/*/*/*/lifecycle', () =>
        HttpResponse.json(
          { error: { name: 'Error', message: 'boom' } },
          { status: 500 },
        ),
      ),
      recordedBackend(),
    ]);
    expect(
      await screen.findByRole('region', {
        name: 'VirtualService shop-test/search-service',
      }),
    ).toHaveTextContent('findings unknown (not validated)');
    expect(
      screen.getByText(/^Validation findings cannot be shown/),
    ).toBeInTheDocument();
  });

  it('with the test cluster down: says so, and still shows the clusters that answered', async () => {
    await renderForEntity(
      <EntityMeshContent />,
      demoEntity('recommendation-service'),
      server,
      [recordedBackend({ testClusterDown: true })],
    );
    const unanswered = await screen.findByText(
      'Some sources did not answer: the split shows the rest',
    );
    const alert = unanswered.closest('[role=alert], div')!;
    expect(alert.parentElement).toHaveTextContent(/test: /);
    // Since when, relative, with the absolute time on hover.
    const since = within(alert.parentElement!).getByText(/ ago$/);
    expect(since.closest('li')).toHaveTextContent(/failing since .+ ago/);
    expect(since).toHaveAttribute('title', expect.stringMatching(/Z$/));
    await waitFor(() =>
      expect(
        screen.getAllByText(/^Cluster (dev|prod)$/).length,
      ).toBeGreaterThan(0),
    );
    expect(screen.queryByText('Cluster test')).toBeNull();
    // Every section of the mesh says it, not only the first.
    for (const what of ['the configuration', 'the pod list']) {
      expect(
        screen.getByText(`Some sources did not answer: ${what} shows the rest`),
      ).toBeInTheDocument();
    }
  });

  it('with its only cluster down: no section of the mesh is left empty', async () => {
    await renderForEntity(<EntityMeshContent />, 'search-service', server, [
      recordedBackend({ testClusterDown: true }),
    ]);
    for (const what of ['the split', 'the configuration', 'the pod list']) {
      expect(
        await screen.findByText(`No source answered: ${what} cannot be shown`),
      ).toBeInTheDocument();
    }
  });

  it('says callers and callees are unknown, not none, when no Prometheus answered', async () => {
    const answer = recorded('checkout-service.dependencies').body as {
      sources: unknown[];
    };
    await renderForEntity(<EntityMeshContent />, 'checkout-service', server, [
      http.get('*/api/mesh-lifecycle/entities/*/*/*/dependencies', () =>
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
    const callers = within(
      await screen.findByRole('list', { name: 'Live callers' }),
    );
    expect(
      callers.getByText('unknown: no Prometheus answered'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/none seen/)).toBeNull();
    // Nobody can tell whether the declared relations carry traffic.
    expect(screen.queryByText(/Declared but not seen/)).toBeNull();
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

describe('edgeFigures', () => {
  it('says the rate and the 5xx share with the digits that matter, and no traffic as such', () => {
    const edge = (requestsPerSecond: number, errorRatio: number | null) =>
      edgeFigures({ requestsPerSecond, errorRatio });
    expect(edge(29.14, 0.0005)).toBe('29.1 req/s, 5xx 0.05 %');
    expect(edge(3.5, 0.002)).toBe('3.50 req/s, 5xx 0.2 %');
    expect(edge(16.4, 0.02)).toBe('16.4 req/s, 5xx 2.0 %');
    expect(edge(20.8, 0)).toBe('20.8 req/s, 5xx 0 %');
    expect(edge(0, null)).toBe('no traffic');
  });
});
