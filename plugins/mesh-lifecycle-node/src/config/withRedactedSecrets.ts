const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/** What secret values are replaced with. */
export const REDACTED = '<redacted>';

/**
 * Makes `JSON.stringify`, `util.inspect` (so `console.log`) and `String()` of
 * `value` show `redacted(value)` instead of the value itself, so secrets held
 * by `value` do not end up in logs. The added methods are not enumerable:
 * spreading and deep equality see only the data. Returns `value`.
 */
export function withRedactedSecrets<T extends object>(
  value: T,
  redacted: (value: T) => object,
): T {
  const show = () => redacted(value);
  Object.defineProperties(value, {
    toJSON: { value: show, enumerable: false },
    toString: { value: () => JSON.stringify(show()), enumerable: false },
    [inspectCustom]: { value: show, enumerable: false },
  });
  return value;
}
