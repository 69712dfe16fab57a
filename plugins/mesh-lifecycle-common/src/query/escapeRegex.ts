import { InputError } from '@backstage/errors';

// The metacharacters Go's regexp.QuoteMeta escapes (RE2 syntax).
const REGEX_META = /[\\.+*?()|[\]{}^$]/g;

/**
 * Escapes every RE2 metacharacter (`\ . + * ? ( ) | [ ] { } ^ $`) in a literal
 * value, the way Go's `regexp.QuoteMeta` does, so that it matches only itself.
 *
 * @public
 */
export function escapeRegex(value: string): string {
  if (typeof value !== 'string') {
    throw new InputError(`Regex literal must be a string, got ${typeof value}`);
  }
  return value.replace(REGEX_META, c => `\\${c}`);
}

/**
 * Turns a non-empty list of literal values into an anchored RE2 alternation,
 * `^(?:a|b)$`, that matches exactly those values and nothing else. Every
 * metacharacter in the values is escaped. Prometheus anchors regex matchers
 * itself; the explicit anchors keep the pattern exact wherever it is used.
 *
 * @public
 */
export function literalAlternation(values: readonly string[]): string {
  if (!Array.isArray(values) || values.length === 0) {
    throw new InputError(
      'A literal alternation needs at least one value (an empty list would match nothing)',
    );
  }
  return `^(?:${values.map(escapeRegex).join('|')})$`;
}
