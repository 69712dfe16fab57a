import { PromQL, asPromQL } from './PromQL';

/**
 * The timestamp of each sample of the expression, in seconds since the epoch,
 * `timestamp(expr)`.
 *
 * @public
 */
export function timestamp(expr: PromQL): PromQL {
  return asPromQL(`timestamp(${expr})`);
}
