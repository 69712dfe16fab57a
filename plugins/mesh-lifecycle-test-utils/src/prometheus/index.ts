/**
 * A harness running the real Prometheus binary for tests.
 */
export { startPrometheus } from './startPrometheus';
export type {
  PrometheusInstance,
  PrometheusOptions,
  PrometheusRule,
  PrometheusRuleFile,
  ScrapeTarget,
} from './startPrometheus';
export type {
  PromAlert,
  PromAlertsData,
  PromLabels,
  PromMatrixData,
  PromQueryData,
  PromRule,
  PromRulesData,
  PromSampleValue,
  PromScalarData,
  PromVectorData,
} from './prometheusApi';
