import { screen, within } from '@testing-library/react';
import { registerMswTestHooks } from '@backstage/test-utils';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { recorded, renderForEntity } from '../../__testUtils__/recordedBackend';
import { EntityAlertsCard } from './EntityAlertsCard';

const server = setupServer();

describe('EntityAlertsCard, answered as the demo backend answers', () => {
  registerMswTestHooks(server);

  it('lists the firing alert first, with severity, since when and what it means', async () => {
    await renderForEntity(<EntityAlertsCard />, 'payment-service', server);
    const rules = await screen.findByRole('list', { name: 'Alert rules' });
    const [first, second] = within(rules).getAllByRole('listitem');
    expect(within(first).getByText('HighErrorRate')).toBeInTheDocument();
    expect(
      within(first).getByText(/firing, severity critical, since/),
    ).toBeInTheDocument();
    expect(within(first).getByRole('img', { name: 'firing' })).toBeVisible();
    const since = first.querySelector('time')!;
    expect(since.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(within(second).getByText('HighServiceLatency')).toBeInTheDocument();
    expect(screen.getByText('1 of 2 alert rules active')).toBeInTheDocument();
  });

  it('makes a service without alert rules a finding, not an empty box', async () => {
    await renderForEntity(
      <EntityAlertsCard />,
      'recommendation-service',
      server,
    );
    expect(
      await screen.findByText('No alert rules for this service'),
    ).toBeInTheDocument();
  });

  // The recorded answer with one more Prometheus that did not answer.
  it('names a Prometheus that did not answer and shows the others', async () => {
    await renderForEntity(<EntityAlertsCard />, 'payment-service', server, [
      http.get('*/api/mesh-lifecycle/entities/*/*/*/alerts', async () => {
        const { body } = recorded('payment-service.alerts');
        const answer = body as { sources: unknown[] };
        return HttpResponse.json({
          ...answer,
          sources: [
            ...answer.sources,
            {
              source: 'prometheus eu:9090',
              status: 'error',
              error: { name: 'Error', message: 'unreachable: ECONNREFUSED' },
            },
          ],
        });
      }),
    ]);
    expect(
      await screen.findByText(
        'Some sources did not answer: their alerts are not shown',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('prometheus eu:9090: unreachable: ECONNREFUSED'),
    ).toBeInTheDocument();
    expect(screen.getByText('HighErrorRate')).toBeInTheDocument();
  });
});
