/** A label matcher of a PromQL selector, its value unquoted. */
export interface PromqlMatcher {
  name: string;
  operator: '=' | '!=' | '=~' | '!~';
  value: string;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

const LABEL_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const WHITESPACE = /\s*/y;

/** Reads PromQL text one token at a time; see {@link promqlSelectors}. */
class Scanner {
  position = 0;

  constructor(private readonly text: string) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string {
    return this.text[this.position];
  }

  skipSpace(): void {
    for (;;) {
      WHITESPACE.lastIndex = this.position;
      WHITESPACE.exec(this.text);
      this.position = WHITESPACE.lastIndex;
      if (this.peek() !== '#') return;
      const end = this.text.indexOf('\n', this.position);
      this.position = end < 0 ? this.text.length : end + 1;
    }
  }

  /** A string literal at the position (`"…"`, `'…'` or a raw `` `…` ``), unescaped. */
  string(): string | undefined {
    const quote = this.peek();
    if (quote === '`') {
      const end = this.text.indexOf('`', this.position + 1);
      if (end < 0) return undefined;
      const value = this.text.slice(this.position + 1, end);
      this.position = end + 1;
      return value;
    }
    if (quote !== '"' && quote !== "'") return undefined;
    let value = '';
    let i = this.position + 1;
    while (i < this.text.length) {
      const c = this.text[i];
      if (c === quote) {
        this.position = i + 1;
        return value;
      }
      if (c !== '\\') {
        value += c;
        i += 1;
        continue;
      }
      const next = this.text[i + 1];
      if (next === undefined) return undefined;
      if (next in SIMPLE_ESCAPES) {
        value += SIMPLE_ESCAPES[next];
        i += 2;
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const width = { x: 2, u: 4, U: 8 }[next];
        const hex = this.text.slice(i + 2, i + 2 + width);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== width) {
          return undefined;
        }
        value +=
          next === 'x'
            ? String.fromCharCode(parseInt(hex, 16))
            : String.fromCodePoint(parseInt(hex, 16));
        i += 2 + width;
      } else if (/[0-7]/.test(next)) {
        const octal = this.text.slice(i + 1, i + 4);
        if (!/^[0-7]{3}$/.test(octal)) return undefined;
        value += String.fromCharCode(parseInt(octal, 8));
        i += 4;
      } else {
        return undefined;
      }
    }
    return undefined;
  }

  labelName(): string | undefined {
    if (this.peek() === '"' || this.peek() === "'" || this.peek() === '`') {
      return this.string();
    }
    LABEL_NAME.lastIndex = this.position;
    const match = LABEL_NAME.exec(this.text);
    if (!match) return undefined;
    this.position = LABEL_NAME.lastIndex;
    return match[0];
  }

  operator(): PromqlMatcher['operator'] | undefined {
    for (const operator of ['=~', '!=', '!~', '='] as const) {
      if (this.text.startsWith(operator, this.position)) {
        this.position += operator.length;
        return operator;
      }
    }
    return undefined;
  }
}

/** Reads the matchers of one `{…}` whose `{` was just consumed. */
function selectorBody(scanner: Scanner): PromqlMatcher[] | undefined {
  const matchers: PromqlMatcher[] = [];
  for (;;) {
    scanner.skipSpace();
    if (scanner.peek() === '}') {
      scanner.position += 1;
      return matchers;
    }
    const name = scanner.labelName();
    if (name === undefined) return undefined;
    scanner.skipSpace();
    const operator = scanner.operator();
    if (operator) {
      scanner.skipSpace();
      const value = scanner.string();
      if (value === undefined) return undefined;
      matchers.push({ name, operator, value });
      scanner.skipSpace();
    } else {
      // A quoted metric name inside the braces (Prometheus 3): no matcher.
    }
    if (scanner.peek() === ',') {
      scanner.position += 1;
    } else if (scanner.peek() !== '}') {
      return undefined;
    }
  }
}

/**
 * The label matchers of every selector (`{…}`) in a PromQL expression, one
 * list per selector, with string values unescaped as PromQL does (Go escapes
 * in `"…"` and `'…'`, none in `` `…` ``). Braces inside string literals and
 * comments are not selectors. Reading stops at text that is not valid
 * PromQL; the selectors before it are returned.
 */
export function promqlSelectors(expression: string): PromqlMatcher[][] {
  const scanner = new Scanner(expression);
  const selectors: PromqlMatcher[][] = [];
  while (!scanner.done) {
    scanner.skipSpace();
    const c = scanner.peek();
    if (c === undefined) break;
    if (c === '"' || c === "'" || c === '`') {
      if (scanner.string() === undefined) break;
    } else if (c === '{') {
      scanner.position += 1;
      const matchers = selectorBody(scanner);
      if (!matchers) break;
      selectors.push(matchers);
    } else {
      scanner.position += 1;
    }
  }
  return selectors;
}
