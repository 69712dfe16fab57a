import { ValidationFinding } from '../validation';
import { SourceOutcome } from './mesh';

/**
 * The `validation` answer: the findings of the mesh configuration validator
 * (see `validateMeshNamespace`) for every object of a namespace, or of
 * every namespace, whether or not a catalog service claims it; one outcome
 * per cluster asked, so one failing cluster never hides the others.
 *
 * @public
 */
export interface MeshValidationResponse {
  /** The namespace validated; absent when every namespace was. */
  namespace?: string;
  clusters: Array<SourceOutcome<{ findings: ValidationFinding[] }>>;
}
