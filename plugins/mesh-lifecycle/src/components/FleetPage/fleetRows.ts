import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  FleetPhasesResponse,
  FleetResponse,
  HealthVerdict,
  LIFECYCLE_PHASES,
  LifecyclePhase,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/** One service on the fleet board. */
export interface FleetRow {
  /** Its entity ref. */
  id: string;
  name: string;
  title?: string;
  owner?: string;
  system?: string;
  /** The recorded phase, else the declared one. */
  phase?: LifecyclePhase;
  phaseFrom: 'recorded' | 'declared' | 'none';
  health?: HealthVerdict;
  /** The clusters it runs on, among those that answered. */
  clusters: string[];
  /** Clusters it may run on that did not answer: where it runs is not known. */
  unansweredClusters: string[];
  /** `null`: Prometheus has no series of it; `undefined`: none answered. */
  requestsPerSecond?: number | null;
  ratio5xx?: number | null;
  p95LatencyMs?: number | null;
  failingGates?: number;
  unknownGates?: number;
  /** Why its annotations could not be read. */
  problem?: string;
}

const ref = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * Joins what the catalog, the fleet figures and the recorded lifecycle say of
 * each service into one row per service, in lifecycle order.
 */
export function fleetRows(options: {
  entities: Entity[];
  fleet?: FleetResponse;
  phases?: FleetPhasesResponse;
}): FleetRow[] {
  const figures = new Map(
    (options.fleet?.services ?? []).map(s => [s.entityRef, s]),
  );
  const records = new Map(
    (options.phases?.services ?? []).map(r => [r.entityRef, r]),
  );
  const failedClusters = (options.fleet?.clusters ?? []).flatMap(c =>
    c.status === 'error' ? [c.source] : [],
  );
  const rows = options.entities.map((entity): FleetRow => {
    const id = stringifyEntityRef(entity);
    const service = figures.get(id);
    const record = records.get(id);
    const row: FleetRow = {
      id,
      name: entity.metadata.name,
      title: entity.metadata.title,
      owner: ref(entity.spec?.owner),
      system: ref(entity.spec?.system),
      phaseFrom: 'none',
      clusters: [],
      unansweredClusters: [],
    };
    if (record) {
      row.phase = record.phase;
      row.phaseFrom = 'recorded';
      row.health = record.health;
      row.failingGates = record.gates.filter(g => g.status === 'fail').length;
      row.unknownGates = record.gates.filter(
        g => g.status === 'unknown',
      ).length;
    }
    if (service?.status === 'error') {
      row.problem = service.error.message;
    } else if (service) {
      if (!row.phase && service.declaredPhase) {
        row.phase = service.declaredPhase.phase;
        row.phaseFrom = 'declared';
      }
      row.clusters = service.clusters
        .filter(c => c.workloads > 0)
        .map(c => c.cluster);
      const pinned = service.target.cluster;
      row.unansweredClusters = failedClusters.filter(
        c => !pinned || c === pinned,
      );
      if (service.traffic.length > 0) {
        const seen = service.traffic.filter(
          t => t.figures.requestsPerSecond !== null,
        );
        row.requestsPerSecond = seen.length
          ? seen.reduce((sum, t) => sum + (t.figures.requestsPerSecond ?? 0), 0)
          : null;
        const busiest = [...seen].sort(
          (a, b) =>
            (b.figures.requestsPerSecond ?? 0) -
            (a.figures.requestsPerSecond ?? 0),
        )[0];
        row.ratio5xx = busiest ? busiest.figures.ratio5xx : null;
        const p95s = seen
          .map(t => t.figures.p95LatencyMs)
          .filter((v): v is number => v !== null);
        row.p95LatencyMs = p95s.length ? Math.max(...p95s) : null;
      }
    }
    return row;
  });
  return rows.sort(
    (a, b) =>
      phaseIndex(a.phase) - phaseIndex(b.phase) || a.id.localeCompare(b.id),
  );
}

function phaseIndex(phase: LifecyclePhase | undefined): number {
  return phase ? LIFECYCLE_PHASES.indexOf(phase) : LIFECYCLE_PHASES.length;
}

/**
 * Where a service runs, as the board shows it: a cluster that did not
 * answer is named as such, never left out as if it ran nothing there.
 */
export function formatClusters(row: FleetRow): string {
  const all = [
    ...row.clusters,
    ...row.unansweredClusters.map(c => `${c} (did not answer)`),
  ];
  return all.join(', ') || '—';
}

/** Request rate as the board shows it: units, and no data is not zero. */
export function formatRate(value: number | null | undefined): string {
  if (value === undefined) return 'no answer';
  if (value === null) return 'no data';
  if (value === 0) return 'no traffic';
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} req/s`;
}

/** A ratio in percent, `—` without traffic to judge by. */
export function formatPercent(
  value: number | null | undefined,
  requestsPerSecond: number | null | undefined,
): string {
  if (!requestsPerSecond || value === null || value === undefined) return '—';
  return `${(value * 100).toFixed(2)} %`;
}

/** Milliseconds, `—` without traffic to judge by. */
export function formatMs(
  value: number | null | undefined,
  requestsPerSecond: number | null | undefined,
): string {
  if (!requestsPerSecond || value === null || value === undefined) return '—';
  return `${Math.round(value)} ms`;
}
