import { InputError } from '@backstage/errors';
import { PromQL, asPromQL } from './PromQL';
import { validateLabelName } from './validateLabelName';

/**
 * Grouping of an aggregation: keep only the `by` labels, or drop the `without`
 * labels. At most one of the two.
 *
 * @public
 */
export interface AggregateGrouping {
  by?: readonly string[];
  without?: readonly string[];
}

/**
 * The aggregation operators the builder supports.
 *
 * @public
 */
export type AggregateOperator = 'sum' | 'avg' | 'min' | 'max' | 'count';

const AGGREGATORS = new Set(['sum', 'avg', 'min', 'max', 'count']);

/**
 * A list of label names, validated, as `(a, b)`.
 *
 * @internal
 */
export function labelList(labels: readonly string[]): string {
  if (!Array.isArray(labels)) {
    throw new InputError('A label list must be an array of label names');
  }
  return `(${labels.map(validateLabelName).join(', ')})`;
}

/**
 * Aggregates an expression over labels, `sum by (a, b) (expr)`.
 *
 * @public
 */
export function aggregate(
  operator: AggregateOperator,
  expr: PromQL,
  grouping: AggregateGrouping = {},
): PromQL {
  if (!AGGREGATORS.has(operator)) {
    throw new InputError(`Unsupported PromQL aggregation ${String(operator)}`);
  }
  if (grouping.by && grouping.without) {
    throw new InputError(
      `An aggregation groups either by or without labels, not both`,
    );
  }
  let clause = '';
  if (grouping.by) clause = ` by ${labelList(grouping.by)} `;
  if (grouping.without) clause = ` without ${labelList(grouping.without)} `;
  return asPromQL(`${operator}${clause}(${expr})`);
}

/**
 * Sum over labels, `sum by (a) (expr)`.
 *
 * @public
 */
export function sum(expr: PromQL, grouping?: AggregateGrouping): PromQL {
  return aggregate('sum', expr, grouping);
}

/**
 * Average over labels, `avg by (a) (expr)`.
 *
 * @public
 */
export function avg(expr: PromQL, grouping?: AggregateGrouping): PromQL {
  return aggregate('avg', expr, grouping);
}

/**
 * Minimum over labels, `min by (a) (expr)`.
 *
 * @public
 */
export function min(expr: PromQL, grouping?: AggregateGrouping): PromQL {
  return aggregate('min', expr, grouping);
}

/**
 * Maximum over labels, `max by (a) (expr)`.
 *
 * @public
 */
export function max(expr: PromQL, grouping?: AggregateGrouping): PromQL {
  return aggregate('max', expr, grouping);
}

/**
 * Number of series over labels, `count by (a) (expr)`.
 *
 * @public
 */
export function count(expr: PromQL, grouping?: AggregateGrouping): PromQL {
  return aggregate('count', expr, grouping);
}
