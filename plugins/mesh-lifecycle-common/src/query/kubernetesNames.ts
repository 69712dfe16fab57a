import { InputError } from '@backstage/errors';

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const NAME_PART = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const CLUSTER_NAME = /^[A-Za-z0-9](?:[-_.A-Za-z0-9]{0,251}[A-Za-z0-9])?$/;

/**
 * A value for an error message: quoted, control characters visible, cut.
 *
 * @internal
 */
export function show(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/**
 * RFC 1123 label: namespaces, service names.
 *
 * @public
 */
export function isDnsLabel(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length <= 63 && DNS_LABEL.test(value)
  );
}

/**
 * RFC 1123 subdomain: most object names.
 *
 * @public
 */
export function isDnsSubdomain(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= 253 &&
    DNS_SUBDOMAIN.test(value)
  );
}

/**
 * Kubernetes qualified name: label keys.
 *
 * @internal
 */
export function isLabelKey(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const slash = value.indexOf('/');
  const name = slash < 0 ? value : value.slice(slash + 1);
  if (slash >= 0 && !isDnsSubdomain(value.slice(0, slash))) return false;
  return name.length <= 63 && NAME_PART.test(name);
}

/**
 * Kubernetes label value: empty, or a name part of at most 63 characters.
 *
 * @public
 */
export function isLabelValue(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    (value === '' || (value.length <= 63 && NAME_PART.test(value)))
  );
}

/**
 * Whether a value can name a cluster: a cluster name as configured in
 * app-config, or an Istio cluster ID.
 *
 * @public
 */
export function isClusterName(value: unknown): value is string {
  return typeof value === 'string' && CLUSTER_NAME.test(value);
}

/**
 * Throws an `InputError` naming what is invalid and what was expected.
 *
 * @internal
 */
export function check(
  valid: boolean,
  what: string,
  value: unknown,
  expected: string,
): void {
  if (!valid) {
    throw new InputError(`Invalid ${what} ${show(value)}: ${expected}`);
  }
}

/**
 * What an RFC 1123 label looks like, for error messages.
 *
 * @internal
 */
export const EXPECTED_DNS_LABEL =
  'expected at most 63 lowercase alphanumerics or "-", starting and ending with an alphanumeric (RFC 1123 label)';
/**
 * What an RFC 1123 subdomain looks like, for error messages.
 *
 * @internal
 */
export const EXPECTED_DNS_SUBDOMAIN =
  'expected at most 253 characters of lowercase alphanumerics, "-" or ".", each dot-separated part starting and ending with an alphanumeric (RFC 1123 subdomain)';
/**
 * What a label key looks like, for error messages.
 *
 * @internal
 */
export const EXPECTED_LABEL_KEY =
  'expected an optional DNS subdomain prefix (at most 253 characters) and "/", then a name of at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
/**
 * What a label value looks like, for error messages.
 *
 * @internal
 */
export const EXPECTED_LABEL_VALUE =
  'expected at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric (or empty)';
/**
 * What a cluster name looks like, for error messages.
 *
 * @internal
 */
export const EXPECTED_CLUSTER_NAME =
  'expected at most 253 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
