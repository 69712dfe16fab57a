import {
  GateResult,
  PhaseGates,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { decommissionBlockers } from './decommissionBlockers';

const gate = (
  id: string,
  title: string,
  status: GateResult['status'],
  evidence: string[],
): GateResult => ({ id, title, status, evidence, hint: '', sources: [] });

/** legacy-pricing-service's retire gates, as the demo backend answers them. */
const legacy = (
  overrides: Partial<Record<string, GateResult['status']>> = {},
): PhaseGates => ({
  from: 'retire',
  passed: false,
  gates: [
    gate(
      'no-inbound-requests',
      'No inbound requests for the quiet period',
      overrides['no-inbound-requests'] ?? 'fail',
      ['18267 inbound requests in the last 7 days'],
    ),
    gate(
      'no-dependents',
      'No catalog entity depends on it',
      overrides['no-dependents'] ?? 'fail',
      ['component:default/inventory-service still depends on it'],
    ),
    gate(
      'replacement-named',
      'A replacement is named, or explicitly none',
      overrides['replacement-named'] ?? 'pass',
      ['replaced by component:default/pricing-service'],
    ),
    gate(
      'owners-notified',
      'The owners of its dependents were notified',
      overrides['owners-notified'] ?? 'fail',
      ['no mesh-lifecycle.io/retirement-notified annotation'],
    ),
    gate('cleaned-up', 'Its cluster objects are cleaned up', 'fail', [
      'prod: 6 objects left',
    ]),
  ],
});

describe('decommissionBlockers', () => {
  it('names the callers and dependents that block, not what the run itself does', () => {
    expect(decommissionBlockers(legacy())).toEqual({
      blockers: [
        'No inbound requests for the quiet period: 18267 inbound requests in the last 7 days',
        'No catalog entity depends on it: component:default/inventory-service still depends on it',
      ],
      notifyOwners: true,
    });
  });

  it('lets nothing through on what is not known', () => {
    expect(
      decommissionBlockers(
        legacy({
          'no-inbound-requests': 'unknown',
          'no-dependents': 'pass',
        }),
      ).blockers,
    ).toEqual([
      'No inbound requests for the quiet period: not known (18267 inbound requests in the last 7 days)',
    ]);
  });

  it('has no blocker when every condition holds, and knows the owners were told', () => {
    expect(
      decommissionBlockers(
        legacy({
          'no-inbound-requests': 'pass',
          'no-dependents': 'pass',
          'owners-notified': 'pass',
        }),
      ),
    ).toEqual({ blockers: [], notifyOwners: false });
  });

  it('takes the replacement the request names over a missing annotation', () => {
    const unnamed = legacy({
      'no-inbound-requests': 'pass',
      'no-dependents': 'pass',
      'replacement-named': 'fail',
    });
    expect(decommissionBlockers(unnamed).blockers).toEqual([
      'A replacement is named, or explicitly none: replaced by component:default/pricing-service',
    ]);
    expect(
      decommissionBlockers(unnamed, { replacement: 'none' }).blockers,
    ).toEqual([]);
  });

  it('refuses a service that is not in operate or retire', () => {
    expect(() =>
      decommissionBlockers({
        from: 'deploy',
        to: 'operate',
        passed: false,
        gates: [gate('canary-finished', 'Canary finished', 'fail', [])],
      }),
    ).toThrow(
      'The service is in deploy: a decommission starts from operate or retire',
    );
  });
});
