import { InputError } from '@backstage/errors';
import { PromQL, PromSelector, asPromQL } from './PromQL';
import { DurationInput, promDuration } from './promDuration';

/**
 * Options of the range-vector functions.
 *
 * @public
 */
export interface RangeOptions {
  /** Evaluates the range this long before the query time (`offset 1h`). */
  offset?: DurationInput;
}

function rangeFunction(
  name: string,
  sel: PromSelector,
  window: DurationInput,
  options: RangeOptions = {},
): PromQL {
  if (typeof sel !== 'string') {
    throw new InputError(`${name} needs a selector built by selector()`);
  }
  const shift =
    options.offset === undefined
      ? ''
      : ` offset ${promDuration(options.offset)}`;
  return asPromQL(`${name}(${sel}[${promDuration(window)}]${shift})`);
}

/**
 * Per-second average rate of increase of a counter over the window,
 * `rate(selector[5m])`.
 *
 * @public
 */
export function rate(
  sel: PromSelector,
  window: DurationInput,
  options?: RangeOptions,
): PromQL {
  return rangeFunction('rate', sel, window, options);
}

/**
 * Increase of a counter over the window, `increase(selector[1h])`.
 *
 * @public
 */
export function increase(
  sel: PromSelector,
  window: DurationInput,
  options?: RangeOptions,
): PromQL {
  return rangeFunction('increase', sel, window, options);
}

/**
 * Per-second rate from the last two samples in the window,
 * `irate(selector[5m])`.
 *
 * @public
 */
export function irate(
  sel: PromSelector,
  window: DurationInput,
  options?: RangeOptions,
): PromQL {
  return rangeFunction('irate', sel, window, options);
}
