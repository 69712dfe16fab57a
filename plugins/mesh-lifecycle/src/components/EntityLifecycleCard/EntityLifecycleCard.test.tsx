import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { registerMswTestHooks } from '@backstage/test-utils';
import { HttpHandler, HttpResponse, JsonBodyType, http } from 'msw';
import { setupServer } from 'msw/node';
import {
  demoEntity,
  recorded,
  recordedBackend,
  renderForEntity,
} from '../../__testUtils__/recordedBackend';
import { createFromTemplateRouteRef } from '../../routes';
import { EntityLifecycleCard } from './EntityLifecycleCard';

const server = setupServer();

const gates = (title: string) =>
  within(screen.getByRole('list', { name: title }));

describe('EntityLifecycleCard, answered as the demo backend answers', () => {
  registerMswTestHooks(server);

  it('shows the canary mid-rollout: the phase, its gates to operate, health and evidence', async () => {
    await renderForEntity(<EntityLifecycleCard />, 'checkout-service', server);
    const phases = await screen.findByRole('list', {
      name: 'Lifecycle phases',
    });
    expect(within(phases).getByText('Deploy').closest('li')).toHaveAttribute(
      'aria-current',
      'step',
    );
    expect(
      screen.getByText('declared by the mesh-lifecycle.io/phase annotation', {
        exact: false,
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('3 of 4 pass')).toBeInTheDocument();
    const list = gates('Gates to Operate');
    const canary = list
      .getByText('The rollout is finished: one version takes 100 %')
      .closest('li')!;
    expect(within(canary).getByRole('img', { name: 'fail' })).toBeVisible();
    expect(
      within(canary).getByText(/still splits v1 90 % \/ v2 10 %/),
    ).toBeInTheDocument();
    expect(within(canary).getByText('To pass:')).toBeInTheDocument();
    // A passing gate needs no hint.
    const latency = list
      .getByText('Its p95 latency is within the threshold')
      .closest('li')!;
    expect(within(latency).getByRole('img', { name: 'pass' })).toBeVisible();
    expect(within(latency).queryByText('To pass:')).toBeNull();

    const health = screen.getByRole('region', { name: 'Health' });
    expect(within(health).getByText('Degraded')).toBeInTheDocument();
    expect(
      within(health).getByText(/5xx ratio 0\.20 % is above 0\.1 %/),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByText('Evidence (5 facts)'));
    expect(
      await screen.findByText(/VirtualService checkout-service splits/),
    ).toBeInTheDocument();
  });

  it('shows why the retiring service may not retire yet', async () => {
    await renderForEntity(
      <EntityLifecycleCard />,
      demoEntity('legacy-pricing-service', {
        'mesh-lifecycle.io/replaced-by': 'component:default/pricing-service',
      }),
      server,
    );
    const list = await screen.findByRole('list', {
      name: 'To finish retiring',
    });
    expect(
      within(list).getByText(/^\d+ inbound requests in the last 7 days$/),
    ).toBeInTheDocument();
    expect(
      within(list).getByText(
        'component:default/inventory-service still depends on it',
      ),
    ).toBeInTheDocument();
    expect(
      within(list).getByText(/^prod: \d+ objects left$/),
    ).toBeInTheDocument();
    expect(screen.getByText('1 of 5 pass')).toBeInTheDocument();
    expect(screen.getByText('Idle')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'pricing-service' }),
    ).toBeInTheDocument();
  });

  it('tells a service in design what it needs next, with no mesh presence yet', async () => {
    await renderForEntity(
      <EntityLifecycleCard />,
      'recommendation-service',
      server,
    );
    expect(await screen.findByText('Gates to Develop')).toBeInTheDocument();
    expect(
      screen.getByText('The catalog says where its objects are'),
    ).toBeInTheDocument();
    // Traffic nobody measured reads as unknown, never as "no".
    await userEvent.click(screen.getByText(/^Evidence \(/));
    expect(await screen.findByText('unknown')).toBeInTheDocument();
  });

  it('shows the validator summary of the misconfigured service', async () => {
    await renderForEntity(<EntityLifecycleCard />, 'search-service', server);
    const section = await screen.findByRole('region', {
      name: 'Mesh configuration',
    });
    expect(
      within(section).getByText(/^[1-9]\d* errors, \d+ warnings/),
    ).toBeInTheDocument();
    // Errors first, each with its object, field and fix.
    const findings = within(
      within(section).getByRole('list', { name: 'Validation findings' }),
    ).getAllByRole('listitem');
    expect(
      within(findings[0]).getByRole('img', { name: 'error' }),
    ).toBeVisible();
    const subset = findings.find(f => within(f).queryByText('KIA1107'))!;
    expect(
      within(subset).getByText(
        /spec\.http\[0\]\.route\[\d\]\.destination\.subset/,
      ),
    ).toBeInTheDocument();
    expect(within(subset).getByText('Fix:')).toBeInTheDocument();
  });

  it("with the service's cluster down: keeps the recorded phase, flags it, and says which cluster and why", async () => {
    await renderForEntity(<EntityLifecycleCard />, 'search-service', server, [
      recordedBackend({ testClusterDown: true }),
    ]);
    expect(
      await screen.findByText(
        'Uncertain: it could also be Retire, Deploy, Operate, Develop',
      ),
    ).toBeInTheDocument();
    // Its phase annotation still names the phase in force.
    expect(
      screen.getByText(/declared by the mesh-lifecycle\.io\/phase annotation/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(
        /Deployed in is unknown: cluster test did not answer/,
      ),
    ).toHaveLength(1);
    expect(
      screen.getByText(
        'Some sources did not answer: the facts they give are unknown, and the rest is shown',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/cluster test: connection reset \(ECONNRESET\)/)
        .length,
    ).toBeGreaterThan(0);
    // What Prometheus answered is still shown.
    expect(screen.getByText(/5xx ratio [\d.]+ % is above/)).toBeInTheDocument();
    expect(
      screen.getByText('not validated: no cluster answered'),
    ).toBeInTheDocument();
  });

  it('says what went wrong when the backend fails, and recovers on refresh', async () => {
    let fail = true;
    await renderForEntity(<EntityLifecycleCard />, 'checkout-service', server, [
      http.get('*/api/mesh-lifecycle/entities/*/*/*/lifecycle', () =>
        fail
          ? HttpResponse.json(
              {
                error: { name: 'Error', message: 'the catalog is down' },
                response: { statusCode: 500 },
              },
              { status: 500 },
            )
          : undefined,
      ),
      recordedBackend(),
    ]);
    expect(await screen.findByText(/the catalog is down/)).toBeInTheDocument();
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByText('3 of 4 pass')).toBeInTheDocument();
    expect(screen.queryByText(/the catalog is down/)).toBeNull();
  });

  it('shows progress while the answer is on its way', async () => {
    await renderForEntity(<EntityLifecycleCard />, 'checkout-service', server, [
      // Long enough for core-components' Progress (shown after 250 ms) to
      // be seen on a busy machine.
      recordedBackend({ delayMs: 1500 }),
    ]);
    expect(
      await screen.findByRole('progressbar', {}, { timeout: 1400 }),
    ).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('progressbar')).toBeNull(), {
      timeout: 5000,
    });
    expect(screen.getByText('3 of 4 pass')).toBeInTheDocument();
  });

  describe('its retirement part', () => {
    const scaffolder = {
      '/create/templates/:namespace/:templateName': createFromTemplateRouteRef,
    };
    const retirement = async () =>
      screen.findByRole('region', { name: 'Retirement' });
    /** legacy-pricing-service's card, these answers before the recorded ones. */
    const renderLegacy = (handlers: HttpHandler[] = []) =>
      renderForEntity(
        <EntityLifecycleCard />,
        'legacy-pricing-service',
        server,
        [...handlers, recordedBackend()],
        scaffolder,
      );
    const answering = (route: string, body: JsonBodyType, status = 200) =>
      http.get(`*/entities/*/*/*/${route}`, () =>
        HttpResponse.json(body, { status }),
      );

    it('offers to request the retirement of a service in retire, with the service filled in', async () => {
      await renderLegacy();
      const part = await retirement();
      expect(
        await within(part).findByText(/^No retirement requested\./),
      ).toBeInTheDocument();
      const href = within(part)
        .getByRole('link', { name: 'Request retirement' })
        .getAttribute('href')!;
      const url = new URL(href, 'http://portal');
      expect(url.pathname).toBe('/create/templates/default/retire-service');
      expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
        entity: 'component:default/legacy-pricing-service',
      });
    });

    it('shows the retired service: forced past its blocker, whom it told, what it deleted, and the archive when asked', async () => {
      await renderLegacy([
        answering(
          'retirements',
          recorded('legacy-pricing-service.retirements.completed').body,
        ),
        answering(
          'lifecycle',
          recorded('legacy-pricing-service.lifecycle.retired').body,
        ),
      ]);
      const part = await retirement();
      expect(await within(part).findByText('Retired')).toBeInTheDocument();
      expect(within(part).getByRole('img', { name: 'retired' })).toBeVisible();
      expect(
        within(part).getByText(
          /^Blockers, forced past: inventory-service moves/,
        ),
      ).toBeInTheDocument();
      expect(
        within(part).getByText(
          'No catalog entity depends on it: component:default/inventory-service still depends on it',
        ),
      ).toBeInTheDocument();
      expect(
        within(part).getByText(
          'Notified the owners of its dependents: group:default/team-platform',
        ),
      ).toBeInTheDocument();
      expect(
        within(part).getByText(
          /^Objects: (\d+) deleted, \1 archived, \1 marked decommissioning/,
        ),
      ).toBeInTheDocument();
      expect(within(part).getByText(/^Earlier: refused /)).toBeInTheDocument();
      // Retired: nothing more to request.
      expect(
        within(part).queryByRole('link', { name: 'Request retirement' }),
      ).toBeNull();
      // Retired by the request: no longer "runs nowhere yet, so design".
      expect(screen.queryByText(/^Contradiction/)).toBeNull();
      await userEvent.click(screen.getByText(/^Evidence \(/));
      expect(
        await screen.findByText(/decommissioned by retirement request/),
      ).toBeInTheDocument();
      // Its gates: cleaned up, the owners told by the request.
      const gatesList = gates('To finish retiring');
      const told = gatesList
        .getByText('The owners of its dependents were notified')
        .closest('li')!;
      expect(within(told).getByRole('img', { name: 'pass' })).toBeVisible();

      await userEvent.click(
        within(part).getByText(/^Archived objects \(\d+\)$/),
      );
      const archived = await within(part).findByRole('list', {
        name: 'Archived objects',
      });
      // Each object by name; its YAML, as the cluster served it, when opened.
      expect(
        within(archived).queryByLabelText(
          'Deployment shop/legacy-pricing-service-v1 as archived',
        ),
      ).toBeNull();
      await userEvent.click(
        within(archived).getByText('Deployment shop/legacy-pricing-service-v1'),
      );
      const yaml = await within(archived).findByLabelText(
        'Deployment shop/legacy-pricing-service-v1 as archived',
      );
      expect(yaml.textContent).toMatch(
        /^apiVersion: apps\/v1\nkind: Deployment/,
      );
      expect(yaml.textContent).toContain(
        'service.lifecycle/status: decommissioning',
      );
    });

    it('says when the requests cannot be read, and shows the rest of the card', async () => {
      await renderLegacy([
        answering(
          'retirements',
          {
            error: { name: 'Error', message: 'database is locked' },
            response: { statusCode: 500 },
          },
          500,
        ),
      ]);
      const part = await retirement();
      expect(
        await within(part).findByText('Retirement requests could not be read'),
      ).toBeInTheDocument();
      expect(screen.getByText('To finish retiring')).toBeInTheDocument();
    });
  });
});
