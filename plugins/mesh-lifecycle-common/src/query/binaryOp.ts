import { InputError } from '@backstage/errors';
import { labelList } from './aggregate';
import { PromQL, asPromQL, operand } from './PromQL';

/**
 * Vector matching of a binary operation: match on (or ignoring) labels, and
 * allow many-to-one (`groupLeft`) or one-to-many (`groupRight`) matches,
 * copying the listed labels from the "one" side.
 *
 * @public
 */
export interface VectorMatching {
  on?: readonly string[];
  ignoring?: readonly string[];
  groupLeft?: readonly string[];
  groupRight?: readonly string[];
}

/**
 * The comparison operators of `compare`.
 *
 * @public
 */
export type ComparisonOperator = '==' | '!=' | '>' | '<' | '>=' | '<=';

/**
 * The binary operators the builder supports.
 *
 * @public
 */
export type BinaryOperator =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | ComparisonOperator
  | 'and'
  | 'or'
  | 'unless';

// Every member of the types above, checked by the compiler both ways.
const COMPARISON_OPERATORS = {
  '==': true,
  '!=': true,
  '>': true,
  '<': true,
  '>=': true,
  '<=': true,
} satisfies Record<ComparisonOperator, true>;
const BINARY_OPERATORS = {
  '+': true,
  '-': true,
  '*': true,
  '/': true,
  '%': true,
  ...COMPARISON_OPERATORS,
  and: true,
  or: true,
  unless: true,
} satisfies Record<BinaryOperator, true>;

// The types above and the run-time checks below come from the same lists.
const OPERATORS = new Set<string>(Object.keys(BINARY_OPERATORS));
const COMPARISONS = new Set<string>(Object.keys(COMPARISON_OPERATORS));

function modifiers(matching: VectorMatching, bool: boolean): string {
  const { on, ignoring, groupLeft, groupRight } = matching;
  if (on && ignoring) {
    throw new InputError('Vector matching is either on or ignoring, not both');
  }
  if (groupLeft && groupRight) {
    throw new InputError(
      'Vector matching is either group_left or group_right, not both',
    );
  }
  if ((groupLeft || groupRight) && !on && !ignoring) {
    throw new InputError('group_left and group_right need on or ignoring');
  }
  let text = bool ? ' bool' : '';
  if (on) text += ` on ${labelList(on)}`;
  if (ignoring) text += ` ignoring ${labelList(ignoring)}`;
  const group = groupLeft ?? groupRight;
  if (group) {
    text += groupLeft ? ' group_left' : ' group_right';
    if (group.length > 0) text += ` ${labelList(group)}`;
  }
  return text;
}

/**
 * Joins two expressions (or numbers) with a binary operator, parenthesising
 * operands that are themselves binary operations, `a / on (x) group_left b`.
 *
 * @public
 */
export function binaryOp(
  left: PromQL | number,
  operator: BinaryOperator,
  right: PromQL | number,
  matching: VectorMatching & { bool?: boolean } = {},
): PromQL {
  if (!OPERATORS.has(operator)) {
    throw new InputError(`Unsupported PromQL operator ${String(operator)}`);
  }
  if (matching.bool && !COMPARISONS.has(operator)) {
    throw new InputError('The bool modifier applies to comparisons only');
  }
  return asPromQL(
    `${operand(left)} ${operator}${modifiers(
      matching,
      matching.bool === true,
    )} ${operand(right)}`,
  );
}

/**
 * `a + b`.
 *
 * @public
 */
export function add(
  left: PromQL | number,
  right: PromQL | number,
  matching?: VectorMatching,
): PromQL {
  return binaryOp(left, '+', right, matching);
}

/**
 * `a - b`.
 *
 * @public
 */
export function subtract(
  left: PromQL | number,
  right: PromQL | number,
  matching?: VectorMatching,
): PromQL {
  return binaryOp(left, '-', right, matching);
}

/**
 * `a * b`.
 *
 * @public
 */
export function multiply(
  left: PromQL | number,
  right: PromQL | number,
  matching?: VectorMatching,
): PromQL {
  return binaryOp(left, '*', right, matching);
}

/**
 * `a / b`.
 *
 * @public
 */
export function divide(
  left: PromQL | number,
  right: PromQL | number,
  matching?: VectorMatching,
): PromQL {
  return binaryOp(left, '/', right, matching);
}

/**
 * `a or b`: the series of `a`, completed by those of `b` whose labels are not
 * in `a` (e.g. `or vector(0)` for a default).
 *
 * @public
 */
export function or(
  left: PromQL,
  right: PromQL,
  matching?: VectorMatching,
): PromQL {
  return binaryOp(left, 'or', right, matching);
}

/**
 * Compares an expression with a number or another expression, `expr > 0.05`;
 * with `bool`, yields 0 or 1 instead of filtering.
 *
 * @public
 */
export function compare(
  left: PromQL,
  operator: ComparisonOperator,
  right: PromQL | number,
  options: VectorMatching & { bool?: boolean } = {},
): PromQL {
  if (!COMPARISONS.has(operator)) {
    throw new InputError(`Unsupported PromQL comparison ${String(operator)}`);
  }
  return binaryOp(left, operator, right, options);
}
