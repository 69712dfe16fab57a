import { InputError } from '@backstage/errors';

/**
 * A PromQL expression produced by the query builder of this package. The brand
 * keeps hand-written strings from being passed where a built query is
 * expected: every value inside it has been escaped or validated.
 *
 * @public
 */
export type PromQL = string & { readonly __brand: 'PromQL' };

/**
 * A bare instant-vector selector (`metric{label="value"}`) produced by
 * `selector`. Only selectors can be given a range (`[5m]`), so range functions
 * such as `rate` accept nothing else.
 *
 * @public
 */
export type PromSelector = PromQL & { readonly __selector: true };

/**
 * Marks builder output as PromQL. Only the builders of this folder call it.
 *
 * @internal
 */
export function asPromQL(expression: string): PromQL {
  return expression as PromQL;
}

/**
 * Marks builder output as a selector. Only `selector` calls it.
 *
 * @internal
 */
export function asPromSelector(expression: string): PromSelector {
  return expression as PromSelector;
}

const BINARY_OPERATORS = new Set([
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '==',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'and',
  'or',
  'unless',
  'atan2',
]);

/**
 * Whether a built expression has a binary operator at its top level, so that
 * it needs parentheses when it becomes the operand of another operator. The
 * builders always surround binary operators with spaces, and string literals
 * and brackets are skipped.
 *
 * @internal
 */
export function hasTopLevelOperator(expression: PromQL): boolean {
  let depth = 0;
  let token = '';
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '"') {
      for (i++; i < expression.length && expression[i] !== '"'; i++) {
        if (expression[i] === '\\') i++;
      }
      token += '"';
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (depth === 0 && c === ' ') {
      if (BINARY_OPERATORS.has(token)) return true;
      token = '';
    } else if (depth === 0) {
      token += c;
    }
  }
  return false;
}

/**
 * The expression as an operand of a binary operator.
 *
 * @internal
 */
export function operand(expression: PromQL | number): string {
  if (typeof expression === 'number') {
    const text = formatNumber(expression, 'operand');
    return expression < 0 ? `(${text})` : text;
  }
  return hasTopLevelOperator(expression) ? `(${expression})` : expression;
}

/**
 * A finite number as a PromQL number literal.
 *
 * @internal
 */
export function formatNumber(value: number, what: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InputError(
      `PromQL ${what} must be a finite number, got ${value}`,
    );
  }
  return String(value);
}
