import { InputError } from '@backstage/errors';
import {
  isDnsLabel,
  isDnsSubdomain,
  isLabelValue,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * Checks of action inputs shared by the actions: each returns the value when
 * it is valid and throws an `InputError` naming the field otherwise.
 */

const DNS_1035_LABEL = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** A value as shown in an error message. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Throws the `InputError` of a field that is not what it must be. */
export function fail(field: string, expected: string, value: unknown): never {
  throw new InputError(
    `Input ${field} must be ${expected}, got ${show(value)}`,
  );
}

/** An RFC 1035 label: a Service or Deployment name. */
export function dns1035(field: string, value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length > 63 ||
    !DNS_1035_LABEL.test(value)
  ) {
    fail(
      field,
      'a DNS label of at most 63 lowercase alphanumerics or "-", starting with a letter and ending with an alphanumeric (RFC 1035)',
      value,
    );
  }
  return value;
}

/** An RFC 1123 label: a namespace or cluster name. */
export function dnsLabel(field: string, value: unknown): string {
  if (!isDnsLabel(value)) {
    fail(
      field,
      'a DNS label of at most 63 lowercase alphanumerics or "-", starting and ending with an alphanumeric (RFC 1123)',
      value,
    );
  }
  return value;
}

/** An RFC 1123 subdomain: a service account or object name. */
export function dnsSubdomain(field: string, value: unknown): string {
  if (!isDnsSubdomain(value)) {
    fail(
      field,
      'a DNS subdomain of at most 253 lowercase alphanumerics, "-" or "." (RFC 1123)',
      value,
    );
  }
  return value;
}

/** A Kubernetes label value. */
export function labelValue(field: string, value: unknown): string {
  if (!isLabelValue(value) || value === '') {
    fail(
      field,
      'a label value of at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric',
      value,
    );
  }
  return value;
}

/** An integer within bounds. */
export function integer(
  field: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > max
  ) {
    fail(field, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** A number greater than zero. */
export function positive(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(field, 'a number greater than zero', value);
  }
  return value;
}

/** A port number, 1 to 65535. */
export function port(field: string, value: unknown): number {
  return integer(field, value, 1, 65535);
}

/** A Kubernetes quantity, kept as written. */
export function quantity(field: string, value: unknown): string {
  if (typeof value !== 'string' || !QUANTITY.test(value)) {
    fail(field, 'a Kubernetes quantity such as 100m, 0.5 or 128Mi', value);
  }
  return value;
}

const QUANTITY_FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A positive Kubernetes quantity (`500m`, `4`, `8Gi`) as a number. */
export function quantityAmount(field: string, value: unknown): number {
  const match = typeof value === 'string' ? QUANTITY.exec(value) : null;
  const amount = match
    ? Number(match[1]) * QUANTITY_FACTORS[match[2] ?? '']
    : 0;
  if (!match || !(amount > 0)) {
    fail(
      field,
      'a positive Kubernetes quantity such as 500m, 4, 0.5 or 8Gi',
      value,
    );
  }
  return amount;
}
