import { InputError } from '@backstage/errors';
import { literalAlternation } from './escapeRegex';
import { PromSelector, asPromSelector } from './PromQL';
import { promString } from './promString';
import { validateLabelName, validateMetricName } from './validateLabelName';

/**
 * A label matcher other than plain equality, made by `equals`, `not`, `oneOf`,
 * `noneOf`, `matchRegex` or `notMatchRegex`.
 *
 * @public
 */
export interface LabelMatcher {
  readonly operator: '=' | '!=' | '=~' | '!~';
  readonly value: string;
  readonly __brand: 'LabelMatcher';
}

/**
 * The matchers of a selector by label name: a string for equality, a
 * `LabelMatcher`, several matchers for the same label, or `undefined` to leave
 * the label out.
 *
 * @public
 */
export type LabelMatchers = Record<
  string,
  string | LabelMatcher | readonly LabelMatcher[] | undefined
>;

function matcher(operator: LabelMatcher['operator'], value: string) {
  if (typeof value !== 'string') {
    throw new InputError(
      `Label matcher value must be a string, got ${typeof value}`,
    );
  }
  return Object.freeze({ operator, value }) as LabelMatcher;
}

/**
 * Label equals the literal value (`label="value"`); the same as giving the
 * string directly.
 *
 * @public
 */
export function equals(value: string): LabelMatcher {
  return matcher('=', value);
}

/**
 * Label differs from the literal value (`label!="value"`).
 *
 * @public
 */
export function not(value: string): LabelMatcher {
  return matcher('!=', value);
}

/**
 * Label is one of the literal values (`label=~"^(?:a|b)$"`), every regex
 * metacharacter in them escaped. Safe for user input.
 *
 * @public
 */
export function oneOf(values: readonly string[]): LabelMatcher {
  return matcher('=~', literalAlternation(values));
}

/**
 * Label is none of the literal values (`label!~"^(?:a|b)$"`), every regex
 * metacharacter in them escaped. Safe for user input.
 *
 * @public
 */
export function noneOf(values: readonly string[]): LabelMatcher {
  return matcher('!~', literalAlternation(values));
}

/**
 * Label matches an RE2 pattern (`label=~"5.."`). Only for patterns written in
 * this code base: user input, entity names and annotation values must never
 * be passed here; use `oneOf` for those.
 *
 * @public
 */
export function matchRegex(pattern: string): LabelMatcher {
  return matcher('=~', pattern);
}

/**
 * Label does not match an RE2 pattern (`label!~"5.."`). Only for patterns
 * written in this code base: user input, entity names and annotation values
 * must never be passed here; use `noneOf` for those.
 *
 * @public
 */
export function notMatchRegex(pattern: string): LabelMatcher {
  return matcher('!~', pattern);
}

const OPERATORS = new Set(['=', '!=', '=~', '!~']);

// Words the PromQL lexer reads as keywords or numbers rather than as a metric
// name; such metrics are selected through `__name__`.
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'atan2',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'start',
  'end',
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
  'limitk',
  'limit_ratio',
  'inf',
  'nan',
]);

function render(label: string, m: LabelMatcher): string {
  if (
    typeof m !== 'object' ||
    m === null ||
    !OPERATORS.has(m.operator) ||
    typeof m.value !== 'string'
  ) {
    throw new InputError(`Invalid matcher for label ${label}`);
  }
  return `${label}${m.operator}${promString(m.value)}`;
}

/**
 * Builds an instant-vector selector, `metric{label="value", ...}`, with every
 * label and metric name validated and every value escaped. Matchers appear in
 * the order of the object's keys; `undefined` entries are left out.
 *
 * @example
 * ```ts
 * selector('istio_requests_total', {
 *   reporter: 'destination',
 *   destination_service_name: name,
 *   response_code: matchRegex('5..'),
 * });
 * ```
 *
 * @public
 */
export function selector(
  metric: string,
  matchers: LabelMatchers = {},
): PromSelector {
  validateMetricName(metric);
  const parts: string[] = [];
  if (KEYWORDS.has(metric.toLowerCase())) {
    parts.push(`__name__=${promString(metric)}`);
  }
  for (const [label, value] of Object.entries(matchers)) {
    validateLabelName(label);
    if (value === undefined) continue;
    if (typeof value === 'string') {
      parts.push(`${label}=${promString(value)}`);
    } else if (Array.isArray(value)) {
      for (const m of value as readonly LabelMatcher[]) {
        parts.push(render(label, m));
      }
    } else {
      parts.push(render(label, value as LabelMatcher));
    }
  }
  if (KEYWORDS.has(metric.toLowerCase())) {
    return asPromSelector(`{${parts.join(', ')}}`);
  }
  return asPromSelector(
    parts.length ? `${metric}{${parts.join(', ')}}` : metric,
  );
}
