import { screen, within } from '@testing-library/react';
import { registerMswTestHooks } from '@backstage/test-utils';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { recorded, renderForEntity } from '../../__testUtils__/recordedBackend';
import { EntityHistoryCard } from './EntityHistoryCard';
import { changes } from './HistoryView';

const server = setupServer();

describe('EntityHistoryCard, answered as the demo backend answers', () => {
  registerMswTestHooks(server);

  it('lists the recorded lifecycle with when, phase, health and gates', async () => {
    await renderForEntity(<EntityHistoryCard />, 'checkout-service', server);
    const list = await screen.findByRole('list', {
      name: 'Lifecycle history',
    });
    const [first] = within(list).getAllByRole('listitem');
    expect(
      within(first).getByText(/Deploy/, { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(
      within(first).getByText(/degraded, 3 of 4 gates pass/),
    ).toBeInTheDocument();
    expect(first.querySelector('time')?.getAttribute('title')).toMatch(
      /^\d{4}-\d\d-\d\dT/,
    );
    expect(within(first).getByText('first record')).toBeInTheDocument();
  });

  it('says that nothing was recorded yet', async () => {
    await renderForEntity(<EntityHistoryCard />, 'checkout-service', server, [
      http.get('*/api/mesh-lifecycle/entities/*/*/*/history', () =>
        HttpResponse.json({
          entityRef: 'component:default/checkout-service',
          records: [],
        }),
      ),
    ]);
    expect(await screen.findByText(/Nothing recorded yet/)).toBeInTheDocument();
  });
});

describe('changes between two records', () => {
  it('names the phase, health and gates that changed', () => {
    const {
      records: [record],
    } = recorded('checkout-service.history').body as {
      records: Parameters<typeof changes>[0][];
    };
    const later = {
      ...record,
      phase: 'operate' as const,
      health: 'healthy' as const,
      gates: record.gates.map(g =>
        g.id === 'canary-finished' ? { ...g, status: 'pass' as const } : g,
      ),
    };
    expect(changes(later, record)).toEqual([
      'phase Deploy → Operate',
      'health degraded → healthy',
      'gate canary-finished fail → pass',
    ]);
  });
});
