import {
  HealthAssessment,
  LifecycleThresholds,
  PhaseGates,
  PhaseInference,
} from '../lifecycle';
import { ValidationFinding } from '../validation';
import { SourceOutcome } from './mesh';

/**
 * The `lifecycle` answer for an entity: its phase with the evidence behind
 * it, the gates to the next phase, its health, and the findings of the mesh
 * configuration validator per cluster.
 *
 * @public
 */
export interface LifecycleResponse {
  entityRef: string;
  phase: PhaseInference;
  gates: PhaseGates;
  health: HealthAssessment & {
    clusters: Array<HealthAssessment & { cluster: string }>;
  };
  validation: Array<SourceOutcome<{ findings: ValidationFinding[] }>>;
  /** The thresholds it was judged by. */
  thresholds: LifecycleThresholds;
}
