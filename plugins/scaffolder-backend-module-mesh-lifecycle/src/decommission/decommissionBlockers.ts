import { InputError } from '@backstage/errors';
import { PhaseGates } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/** The retire conditions that must hold before anything is removed. */
const PRECONDITIONS = [
  'no-inbound-requests',
  'no-dependents',
  'replacement-named',
];
/** Filing the request is what satisfies it. */
const NOTIFIED = 'owners-notified';

/** What stands in the way of a decommission, and what filing it does. */
export interface DecommissionBlockers {
  /** One line per condition that does not hold, or is not known to. */
  blockers: string[];
  /** Whether the owners of its dependents still have to be told. */
  notifyOwners: boolean;
}

/**
 * The blockers of a decommission from the service's retire gates (the
 * lifecycle answer of a service in operate or retire): live inbound traffic
 * over the quiet period, catalog dependents, no replacement named. A gate
 * whose status is unknown blocks too — a source that did not answer never
 * lets a service be deleted. Each line names the condition and its
 * evidence (callers, dependents). An `InputError` for a service in another
 * phase: retirement starts from operate.
 */
export function decommissionBlockers(
  gates: PhaseGates,
  options: {
    /** A replacement (or `none`) named by the request: the condition holds. */
    replacement?: string;
  } = {},
): DecommissionBlockers {
  const byId = new Map(gates.gates.map(g => [g.id, g]));
  const missing = PRECONDITIONS.filter(id => !byId.has(id));
  if (missing.length) {
    throw new InputError(
      `The service is in ${gates.from}: a decommission starts from operate or retire, where its retire conditions are checked`,
    );
  }
  const blockers = PRECONDITIONS.flatMap(id => {
    const gate = byId.get(id)!;
    if (gate.status === 'pass') return [];
    if (id === 'replacement-named' && options.replacement) return [];
    const evidence = gate.evidence.length
      ? gate.evidence.join('; ')
      : 'no evidence';
    return [
      gate.status === 'unknown'
        ? `${gate.title}: not known (${evidence})`
        : `${gate.title}: ${evidence}`,
    ];
  });
  return {
    blockers,
    notifyOwners: byId.get(NOTIFIED)?.status !== 'pass',
  };
}
