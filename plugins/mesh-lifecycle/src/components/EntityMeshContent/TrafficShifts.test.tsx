import { screen, within } from '@testing-library/react';
import { registerMswTestHooks } from '@backstage/test-utils';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { TrafficShiftsResponse } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  recorded,
  recordedBackend,
  renderForEntity,
} from '../../__testUtils__/recordedBackend';
import { EntityMeshContent } from './EntityMeshContent';
import { describeFigures } from './TrafficShifts';

const server = setupServer();

describe("the mesh tab's traffic shifts, answered as the demo backend answers", () => {
  registerMswTestHooks(server);
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  it('lists the shifts newest first: what moved, who moved it, what each step measured and how it ended', async () => {
    await renderForEntity(<EntityMeshContent />, 'checkout-service', server, [
      // The shifts recorded after the demo ran the two templates.
      recordedBackend(),
    ]);
    const shifts = await screen.findByRole('list', { name: 'Traffic shifts' });
    const [canary, rolledBack] = Array.from(shifts.children) as HTMLElement[];

    // The canary to 100 %, judged on its two steps.
    expect(
      within(canary).getByText(
        /^Canary: v1 90 % \/ v2 10 % → v1 0 % \/ v2 100 %/,
      ),
    ).toBeInTheDocument();
    expect(
      within(canary).getByRole('img', { name: 'completed' }),
    ).toBeInTheDocument();
    expect(
      within(canary).getByRole('link', { name: 'daniel-okafor' }),
    ).toBeInTheDocument();
    expect(
      within(canary).getByText(
        /^Each step judged over 30 s: 5xx at most 0\.5 %, p95 at most 500 ms, at least 50 requests \(fewer: roll back\)$/,
      ),
    ).toBeInTheDocument();
    const steps = within(
      within(canary).getByRole('list', {
        name: 'Steps of the canary to v1 0 % / v2 100 %',
      }),
    ).getAllByRole('listitem');
    expect(steps.map(s => s.textContent)).toEqual([
      expect.stringMatching(
        /^Step 1, v1 50 % \/ v2 50 %: pass — \d+ requests, 5xx \d+\.\d\d %, p95 \d+ ms on v2$/,
      ),
      expect.stringMatching(
        /^Step 2, v1 0 % \/ v2 100 %: pass — \d+ requests, 5xx \d+\.\d\d %, p95 \d+ ms on v2$/,
      ),
    ]);

    // The switch whose p95 was above its threshold: back where it was.
    expect(
      within(rolledBack).getByText(
        /^Blue-green switch: v1 90 % \/ v2 10 % → v1 0 % \/ v2 100 %/,
      ),
    ).toBeInTheDocument();
    expect(
      within(rolledBack).getByRole('img', { name: 'rolled back' }),
    ).toBeInTheDocument();
    expect(
      within(rolledBack).getByText(
        /^Step 1, v1 0 % \/ v2 100 %: fail — .* \(p95 \d+ ms is above 100 ms\)$/,
      ),
    ).toBeInTheDocument();
    expect(
      within(rolledBack).getByText(
        /did not pass: p95 \d+ ms is above 100 ms .* is back at /,
      ),
    ).toBeInTheDocument();
  });

  it('says how to shift traffic when none was shifted', async () => {
    await renderForEntity(<EntityMeshContent />, 'payment-service', server);
    expect(
      await screen.findByText('No traffic shift recorded'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/run the Canary release or Blue-green switch template/),
    ).toBeInTheDocument();
  });

  it('keeps the rest of the tab when the shifts cannot be read, and says why', async () => {
    await renderForEntity(<EntityMeshContent />, 'checkout-service', server, [
      http.get('*/api/mesh-lifecycle/entities/*/*/*/shifts', () =>
        HttpResponse.json(
          { error: { name: 'Error', message: 'database is locked' } },
          { status: 500 },
        ),
      ),
      recordedBackend(),
    ]);
    expect(
      (await screen.findAllByText(/database is locked/)).length,
    ).toBeGreaterThan(0);
    expect(
      await screen.findByRole('table', { name: 'Split of checkout-service' }),
    ).toBeInTheDocument();
  });

  it('says a shift is running, and that figures not measured were not', async () => {
    const answer = recorded('checkout-service.shifts')
      .body as unknown as TrafficShiftsResponse;
    const [canary] = answer.shifts;
    await renderForEntity(<EntityMeshContent />, 'checkout-service', server, [
      http.get('*/api/mesh-lifecycle/entities/*/*/*/shifts', () =>
        HttpResponse.json({
          ...answer,
          shifts: [
            {
              ...canary,
              outcome: 'running',
              finishedAt: undefined,
              steps: [
                {
                  ...canary.steps[0],
                  verdict: 'inconclusive',
                  reasons: ['the request count was not measured'],
                  figures: {
                    requests: null,
                    ratio5xx: null,
                    p95LatencyMs: null,
                  },
                },
              ],
            },
          ],
        }),
      ),
      recordedBackend(),
    ]);
    const shifts = await screen.findByRole('list', { name: 'Traffic shifts' });
    expect(
      within(shifts).getByRole('img', { name: 'running' }),
    ).toBeInTheDocument();
    expect(
      within(shifts).getByText(
        /requests not measured, 5xx not measured, p95 not measured on v2 \(the request count was not measured\)$/,
      ),
    ).toBeInTheDocument();
    expect(within(shifts).queryByText(/took \d+ s/)).toBeNull();
  });
});

describe('describeFigures', () => {
  it('gives each figure its unit, and never a 0 for what was not measured', () => {
    expect(
      describeFigures({
        requests: 1234.4,
        ratio5xx: 0.0021,
        p95LatencyMs: 312.6,
      }),
    ).toBe('1234 requests, 5xx 0.21 %, p95 313 ms');
    expect(
      describeFigures({ requests: 12, ratio5xx: null, p95LatencyMs: null }),
    ).toBe('12 requests, 5xx not measured, p95 not measured');
  });
});
