import { GateStatus } from '../lifecycle/gates';
import { HealthVerdict } from '../lifecycle/health';
import { LifecyclePhase } from '../phases';

/**
 * A gate's outcome as the lifecycle history keeps it.
 *
 * @public
 */
export interface LifecycleGateOutcome {
  id: string;
  status: GateStatus;
}

/**
 * What the lifecycle of a service is at one moment: what the history
 * records when any of it changes.
 *
 * @public
 */
export interface LifecycleSnapshot {
  entityRef: string;
  /** The phase in force: the declared one if any, else the inferred one. */
  phase: LifecyclePhase;
  /** The phase inferred from what runs on the clusters. */
  inferred: LifecyclePhase;
  health: HealthVerdict;
  /** The gates towards the next phase. */
  gates: LifecycleGateOutcome[];
}

/**
 * One entry of a service's lifecycle history: a snapshot that differed from
 * the one before it.
 *
 * @public
 */
export interface LifecycleRecord extends LifecycleSnapshot {
  /** When it was recorded, ISO 8601 (UTC). */
  recordedAt: string;
}

/**
 * The `history` answer: a service's lifecycle records, newest first.
 *
 * @public
 */
export interface LifecycleHistoryResponse {
  entityRef: string;
  records: LifecycleRecord[];
}

/**
 * The `fleet/phases` answer: the latest recorded lifecycle of every service
 * the caller may see.
 *
 * @public
 */
export interface FleetPhasesResponse {
  services: LifecycleRecord[];
}
