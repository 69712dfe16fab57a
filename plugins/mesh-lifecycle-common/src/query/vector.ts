import { PromQL, asPromQL, formatNumber } from './PromQL';

/**
 * A single label-less sample with the given value, `vector(0)`.
 *
 * @public
 */
export function vector(value: number): PromQL {
  return asPromQL(`vector(${formatNumber(value, 'vector value')})`);
}
