/**
 * Where a retirement stands:
 *
 * - `requested`: filed, the owners of its dependents told; not run yet;
 * - `running`: the decommission runs (one at a time per service);
 * - `completed`: drained, scaled down, archived and cleaned up;
 * - `refused`: a precondition did not hold (see `blockers`);
 * - `failed`: it stopped on an error (see `message`); a retry resumes it.
 *
 * @public
 */
export type RetirementState =
  | 'requested'
  | 'running'
  | 'completed'
  | 'refused'
  | 'failed';

/**
 * Retirement states in which a service cannot be claimed by another run.
 *
 * @public
 */
export const ACTIVE_RETIREMENT_STATES: readonly RetirementState[] = ['running'];

/**
 * What a decommission did to one object.
 *
 * @public
 */
export interface RetirementStepRecord {
  step: 'mark' | 'scale' | 'archive' | 'delete';
  kind: string;
  name: string;
  outcome: string;
}

/**
 * The notice a retirement request sent.
 *
 * @public
 */
export interface RetirementNotice {
  /** ISO 8601 (UTC). */
  at: string;
  /** The owners told, as entity refs (none when nothing depends on it). */
  owners: string[];
  /** The dependents they own, as entity refs. */
  dependents: string[];
}

/**
 * A retirement request and its run, as the backend records it.
 *
 * @public
 */
export interface RetirementRecord {
  /** The request's id: the scaffolder task that files and runs it. */
  id: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  /** The user who filed it, as an entity ref. */
  requestedBy?: string;
  reason: string;
  /** The replacement's entity ref, or `none`. */
  replacement?: string;
  /** How long the service must have had no inbound traffic (seconds). */
  drainWindowSeconds: number;
  state: RetirementState;
  /** What stands in the way (callers with owners and rates, dependents). */
  blockers: string[];
  /** Why a run went on despite blockers, when forced. */
  forcedBecause?: string;
  steps: RetirementStepRecord[];
  /**
   * Whom filing the request told, through Backstage's notifications: the
   * owners of its dependents (catalog dependents and live callers). It
   * satisfies the retire gate `owners-notified`.
   */
  notified?: RetirementNotice;
  message?: string;
  /** ISO 8601 (UTC). */
  requestedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

/**
 * An object a decommission deleted, kept as YAML before its deletion.
 *
 * @public
 */
export interface ArchivedObjectRecord {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  /** As the cluster served it; Secrets without values unless asked. */
  yaml: string;
}

/**
 * The `retirements` answer: a service's retirement requests, newest first.
 *
 * @public
 */
export interface RetirementsResponse {
  entityRef: string;
  retirements: RetirementRecord[];
}

/**
 * The `archive` answer: what a retirement deleted, as it was.
 *
 * @public
 */
export interface RetirementArchiveResponse {
  id: string;
  entityRef: string;
  objects: ArchivedObjectRecord[];
}

/**
 * The open retirement requests: the newest request of each service the
 * caller may see, where it is not completed, newest first.
 *
 * @public
 */
export interface OpenRetirementsResponse {
  retirements: RetirementRecord[];
}
