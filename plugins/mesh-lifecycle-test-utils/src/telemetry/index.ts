/**
 * A seedable, deterministic model of an Istio mesh and its traffic: Istio's
 * metrics as OpenMetrics for backfills or from a live `/metrics` endpoint,
 * and the exact ground truth to check PromQL against.
 */
export type {
  EdgeModel,
  LatencyDistribution,
  MeshModel,
  ServiceModel,
  TcpTraffic,
  VersionModel,
} from './MeshModel';
export { EXTERNAL_SOURCE } from './MeshModel';
export { bookinfoModel } from './bookinfoModel';
export { createPrng } from './createPrng';
export {
  ISTIO_DURATION_BUCKETS_MS,
  histogramQuantile,
} from './histogramQuantile';
export { toOpenMetrics } from './toOpenMetrics';
export type { OpenMetricsOptions } from './toOpenMetrics';
export { groundTruth } from './groundTruth';
export type {
  GroundTruth,
  GroundTruthQuery,
  LatencyQuantiles,
} from './groundTruth';
export { startTelemetryExporter } from './startTelemetryExporter';
export type {
  TelemetryExporter,
  TelemetryExporterOptions,
} from './startTelemetryExporter';
export {
  followVirtualServices,
  modelFollowingVirtualServices,
} from './followVirtualServices';
