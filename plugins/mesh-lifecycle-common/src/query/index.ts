/**
 * Builders of PromQL queries and Kubernetes selectors: every value escaped or
 * validated, so that entity names and annotation values never reach a query
 * as raw text.
 */

export type { PromQL, PromSelector } from './PromQL';
export { promString } from './promString';
export { escapeRegex, literalAlternation } from './escapeRegex';
export { validateLabelName, validateMetricName } from './validateLabelName';
export { promDuration } from './promDuration';
export type { PromDuration, DurationInput } from './promDuration';
export {
  selector,
  equals,
  not,
  oneOf,
  noneOf,
  matchRegex,
  notMatchRegex,
} from './selector';
export type { LabelMatcher, LabelMatchers } from './selector';
export { rate, increase, irate } from './rate';
export type { RangeOptions } from './rate';
export { aggregate, sum, avg, min, max, count } from './aggregate';
export type { AggregateGrouping, AggregateOperator } from './aggregate';
export {
  binaryOp,
  add,
  subtract,
  multiply,
  divide,
  or,
  compare,
} from './binaryOp';
export type {
  BinaryOperator,
  ComparisonOperator,
  VectorMatching,
} from './binaryOp';
export { histogramQuantile } from './histogramQuantile';
export { offset } from './offset';
export { timestamp } from './timestamp';
export { vector } from './vector';
export {
  istioQueries,
  ISTIO_SERVICE_LABELS,
  RECORDED_P95_LATENCY_5M,
  hasRecordedP95,
  meshLifecycleRecordingRules,
} from './istioQueries';
export type {
  IstioTarget,
  IstioFleet,
  IstioScope,
  IstioQueryOptions,
  PeerQueryOptions,
  RecordingRule,
} from './istioQueries';
export { buildLabelSelector } from './buildLabelSelector';
export type {
  LabelSelector,
  LabelSelectorRequirement,
  LabelSelectorString,
} from './buildLabelSelector';
export { parseLabelSelector } from './parseLabelSelector';
export {
  isClusterName,
  isDnsLabel,
  isDnsSubdomain,
  isLabelValue,
} from './kubernetesNames';
export { matchesLabelSelector } from './matchesLabelSelector';
export { buildFieldSelector } from './buildFieldSelector';
export type {
  FieldSelectorRequirement,
  FieldSelectorString,
} from './buildFieldSelector';
