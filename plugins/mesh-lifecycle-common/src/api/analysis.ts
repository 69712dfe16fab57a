import { StepFigures } from '../traffic/judgeAnalysis';
import { SourceOutcome } from './mesh';

/**
 * The `analysis` answer: what each Prometheus that watches the cluster
 * measured of one version of a service (or all of it) over a window, for a
 * traffic shift's step. Figures without series are null, never 0 (a
 * 5xx ratio is 0 when requests were seen and none failed).
 *
 * @public
 */
export interface StepAnalysisResponse {
  service: string;
  namespace: string;
  cluster: string;
  /** The `version` label analysed; absent for the whole service. */
  version?: string;
  windowSeconds: number;
  sources: Array<SourceOutcome<StepFigures & { istioCluster?: string }>>;
}
