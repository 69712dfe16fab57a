import {
  DependenciesResponse,
  describePeriod,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/** Who calls or depends on a retiring service, as a decommission tells it. */
export interface ServiceDependents {
  /** One line per live caller: who, its owners, its rate. */
  callers: string[];
  /** The owners of every dependent: live callers and catalog dependents. */
  owners: string[];
  /** The entity refs of every dependent, for the notification. */
  dependents: string[];
  /** Sources that did not answer: callers may be missing. */
  unanswered: string[];
}

const rate = (perSecond: number) =>
  `${
    perSecond >= 0.01 ? +perSecond.toFixed(2) : +perSecond.toPrecision(2)
  } req/s`;

/**
 * The live callers of a service from its dependencies answer (each
 * Prometheus's callers over the window, mapped to catalog entities with
 * their owners) and the catalog's dependents none of them saw: the lines a
 * refusal names and the owners a retirement request notifies.
 */
export function serviceDependents(
  answer: DependenciesResponse,
): ServiceDependents {
  const window = describePeriod(answer.windowSeconds);
  const callers: string[] = [];
  const owners = new Set<string>();
  const dependents = new Set<string>();
  const unanswered: string[] = [];
  for (const source of answer.sources) {
    if (source.status !== 'ok') {
      unanswered.push(`${source.source}: ${source.error.message}`);
      continue;
    }
    for (const c of source.callers) {
      const live = c.requestsPerSecond > 0;
      // A caller gone quiet is still a dependent when the catalog says so.
      if (!live && !c.declared) continue;
      for (const e of c.entities) {
        dependents.add(e.entityRef);
        if (e.owner) owners.add(e.owner);
      }
      if (!live) continue;
      let who: string;
      if (c.external) who = 'callers without a sidecar (outside the mesh)';
      else if (c.entities.length) {
        who = c.entities
          .map(e => `${e.entityRef}${e.owner ? ` (owner ${e.owner})` : ''}`)
          .join(', ');
      } else {
        who = `workload ${c.workload} in ${c.namespace} (not in the catalog)`;
      }
      callers.push(
        `${who} ${c.external ? 'call' : 'calls'} it at ${rate(
          c.requestsPerSecond,
        )} over the last ${window}${
          source.source ? ` (${source.source})` : ''
        }`,
      );
    }
  }
  for (const d of answer.unobserved.dependents) {
    dependents.add(d.entityRef);
    if (d.owner) owners.add(d.owner);
  }
  if (answer.catalog.status !== 'ok') {
    unanswered.push(`catalog: ${answer.catalog.error.message}`);
  }
  return {
    callers,
    owners: [...owners].sort(),
    dependents: [...dependents].sort(),
    unanswered,
  };
}
