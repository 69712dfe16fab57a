import { InputError } from '@backstage/errors';
import {
  EXPECTED_LABEL_KEY,
  EXPECTED_LABEL_VALUE,
  check,
  isLabelKey,
  isLabelValue,
  show,
} from './kubernetesNames';

/**
 * One set-based requirement of a Kubernetes label selector, as in the
 * `LabelSelectorRequirement` of the Kubernetes API.
 *
 * @public
 */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** Non-empty for `In` and `NotIn`; absent or empty otherwise. */
  values?: string[];
}

/**
 * A Kubernetes label selector in structured form, the same shape as the
 * `LabelSelector` of the Kubernetes API. All requirements must hold.
 *
 * @public
 */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * A label selector string produced by `buildLabelSelector`, every key and
 * value in it validated.
 *
 * @public
 */
export type LabelSelectorString = string & {
  readonly __brand: 'LabelSelectorString';
};

function validKey(value: unknown): string {
  check(isLabelKey(value), 'label selector key', value, EXPECTED_LABEL_KEY);
  return value as string;
}

function validValue(k: string, v: unknown): string {
  check(
    isLabelValue(v),
    `label selector value for key ${k}:`,
    v,
    EXPECTED_LABEL_VALUE,
  );
  return v as string;
}

function requirement(r: LabelSelectorRequirement): string {
  if (typeof r !== 'object' || r === null) {
    throw new InputError('A label selector requirement must be an object');
  }
  const k = validKey(r.key);
  const values = r.values ?? [];
  if (!Array.isArray(values)) {
    throw new InputError(`Values of label selector key ${k} must be a list`);
  }
  switch (r.operator) {
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) {
        throw new InputError(
          `Label selector operator ${r.operator} on key ${k} takes no values`,
        );
      }
      return r.operator === 'Exists' ? k : `!${k}`;
    case 'In':
    case 'NotIn': {
      if (values.length === 0) {
        throw new InputError(
          `Label selector operator ${r.operator} on key ${k} needs at least one value`,
        );
      }
      for (const v of values) {
        validValue(k, v);
        if (v === '') {
          throw new InputError(
            `Label selector operator ${r.operator} on key ${k} cannot take an empty value`,
          );
        }
      }
      return `${k} ${r.operator === 'In' ? 'in' : 'notin'} (${values.join(
        ',',
      )})`;
    }
    default:
      throw new InputError(
        `Unsupported label selector operator ${show(
          (r as { operator: unknown }).operator,
        )} on key ${k}: expected In, NotIn, Exists or DoesNotExist`,
      );
  }
}

/**
 * Writes a structured label selector in the Kubernetes selector syntax
 * (`app=reviews,tier in (web,api),!legacy`), `matchLabels` first, then
 * `matchExpressions`, in the given order. Label selectors cannot be escaped,
 * so every key must be a qualified label key and every value a label value;
 * anything else is rejected with an `InputError` naming it. A selector
 * without requirements is rejected too, since it would match every object.
 *
 * @public
 */
export function buildLabelSelector(
  selector: LabelSelector,
): LabelSelectorString {
  if (typeof selector !== 'object' || selector === null) {
    throw new InputError('A label selector must be an object');
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    parts.push(`${validKey(k)}=${validValue(k, v)}`);
  }
  const expressions = selector.matchExpressions ?? [];
  if (!Array.isArray(expressions)) {
    throw new InputError('matchExpressions of a label selector must be a list');
  }
  for (const r of expressions) {
    parts.push(requirement(r));
  }
  if (parts.length === 0) {
    throw new InputError(
      'A label selector needs at least one requirement; an empty selector would match every object',
    );
  }
  return parts.join(',') as LabelSelectorString;
}
