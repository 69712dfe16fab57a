import { PromQL, PromSelector, asPromQL } from './PromQL';
import { DurationInput, promDuration } from './promDuration';

/**
 * The selector evaluated this long before the query time,
 * `selector offset 1h`. For range functions use their `offset` option instead.
 *
 * @public
 */
export function offset(sel: PromSelector, duration: DurationInput): PromQL {
  return asPromQL(`${sel} offset ${promDuration(duration)}`);
}
