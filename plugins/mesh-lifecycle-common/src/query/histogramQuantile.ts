import { InputError } from '@backstage/errors';
import { PromQL, asPromQL, formatNumber } from './PromQL';

/**
 * The φ-quantile (0 ≤ φ ≤ 1) of a histogram,
 * `histogram_quantile(0.95, expr)`; the expression must keep the `le` label.
 *
 * @public
 */
export function histogramQuantile(quantile: number, expr: PromQL): PromQL {
  const text = formatNumber(quantile, 'quantile');
  if (quantile < 0 || quantile > 1) {
    throw new InputError(
      `PromQL quantile must be between 0 and 1, got ${quantile}`,
    );
  }
  return asPromQL(`histogram_quantile(${text}, ${expr})`);
}
