import { InputError } from '@backstage/errors';
import {
  EXPECTED_DNS_LABEL,
  EXPECTED_DNS_SUBDOMAIN,
  check,
  isDnsLabel,
  isDnsSubdomain,
  show,
} from './kubernetesNames';

/**
 * One requirement of a Kubernetes field selector: `metadata.name` (an RFC 1123
 * subdomain) or `metadata.namespace` (an RFC 1123 label) equal or not equal to
 * a value.
 *
 * @public
 */
export interface FieldSelectorRequirement {
  field: 'metadata.name' | 'metadata.namespace';
  operator: '=' | '!=';
  value: string;
}

/**
 * A field selector string produced by `buildFieldSelector`, every value in it
 * validated.
 *
 * @public
 */
export type FieldSelectorString = string & {
  readonly __brand: 'FieldSelectorString';
};

/**
 * Writes a Kubernetes field selector (such as
 * `metadata.name=reviews,metadata.namespace!=kube-system`) from its
 * requirements.
 * Names must be RFC 1123 subdomains and namespaces RFC 1123 labels; anything
 * else, an unknown field or operator, or an empty list (which would match
 * every object) is rejected with an `InputError`.
 *
 * @public
 */
export function buildFieldSelector(
  requirements: readonly FieldSelectorRequirement[],
): FieldSelectorString {
  if (!Array.isArray(requirements) || requirements.length === 0) {
    throw new InputError(
      'A field selector needs at least one requirement; an empty selector would match every object',
    );
  }
  return requirements
    .map(({ field, operator, value }) => {
      if (operator !== '=' && operator !== '!=') {
        throw new InputError(
          `Unsupported field selector operator ${show(
            operator,
          )} on ${field}: expected = or !=`,
        );
      }
      if (field === 'metadata.name') {
        check(
          isDnsSubdomain(value),
          'metadata.name in field selector:',
          value,
          EXPECTED_DNS_SUBDOMAIN,
        );
      } else if (field === 'metadata.namespace') {
        check(
          isDnsLabel(value),
          'metadata.namespace in field selector:',
          value,
          EXPECTED_DNS_LABEL,
        );
      } else {
        throw new InputError(
          `Unsupported field selector field ${show(
            field,
          )}: expected metadata.name or metadata.namespace`,
        );
      }
      return `${field}${operator}${value}`;
    })
    .join(',') as FieldSelectorString;
}
