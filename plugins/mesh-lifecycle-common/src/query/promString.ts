import { InputError } from '@backstage/errors';

const NAMED_ESCAPES: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

// Backslash, double quote, C0 and C1 control characters, DEL, the Unicode
// line and paragraph separators, and lone surrogates (not valid UTF-8).
const NEEDS_ESCAPE =
  // eslint-disable-next-line no-control-regex
  /[\\"\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/**
 * Quotes a value as a PromQL double-quoted string literal, with Go-style
 * escapes for backslash, double quote and every control character, so that
 * any value stays one harmless literal (`"} or vector(1)` included).
 * Lone UTF-16 surrogates, which Prometheus cannot accept, are rejected with an
 * `InputError`.
 *
 * @public
 */
export function promString(value: string): string {
  if (typeof value !== 'string') {
    throw new InputError(
      `PromQL string value must be a string, got ${typeof value}`,
    );
  }
  const escaped = value.replace(NEEDS_ESCAPE, c => {
    const named = NAMED_ESCAPES[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new InputError(
        `PromQL string value ${JSON.stringify(
          value.slice(0, 100),
        )} is not valid Unicode (lone surrogate)`,
      );
    }
    return code < 0x80 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
  return `"${escaped}"`;
}
