import { InputError } from '@backstage/errors';
import { show } from './kubernetesNames';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Returns the name when it is a valid Prometheus label name
 * (`[a-zA-Z_][a-zA-Z0-9_]*`); throws an `InputError` otherwise.
 *
 * @public
 */
export function validateLabelName(name: string): string {
  if (typeof name !== 'string' || !LABEL_NAME.test(name)) {
    throw new InputError(
      `Invalid Prometheus label name ${show(
        name,
      )}: it must match [a-zA-Z_][a-zA-Z0-9_]*`,
    );
  }
  return name;
}

/**
 * Returns the name when it is a valid Prometheus metric name
 * (`[a-zA-Z_:][a-zA-Z0-9_:]*`); throws an `InputError` otherwise.
 *
 * @public
 */
export function validateMetricName(name: string): string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new InputError(
      `Invalid Prometheus metric name ${show(
        name,
      )}: it must match [a-zA-Z_:][a-zA-Z0-9_:]*`,
    );
  }
  return name;
}
