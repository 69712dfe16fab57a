import { InputError } from '@backstage/errors';
import { promString } from './promString';

/**
 * Reads a PromQL double-quoted string literal the way the Prometheus lexer
 * and Go's strconv.Unquote do, and checks that it spans the whole text.
 */
function unquote(literal: string): string {
  expect(literal[0]).toBe('"');
  let out = '';
  let i = 1;
  for (;;) {
    if (i >= literal.length) throw new Error('unterminated literal');
    const c = literal[i];
    if (c === '"') break;
    expect(c).not.toBe('\n');
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = literal[i + 1];
    const simple: Record<string, string> = {
      a: '\u0007',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
    };
    if (e in simple) {
      out += simple[e];
      i += 2;
    } else if (e === 'x') {
      out += String.fromCharCode(parseInt(literal.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (e === 'u') {
      out += String.fromCharCode(parseInt(literal.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      throw new Error(`unknown escape \\${e}`);
    }
  }
  // The literal must end exactly at its closing quote: nothing leaks out.
  expect(i).toBe(literal.length - 1);
  return out;
}

describe('promString', () => {
  it('quotes plain values unchanged', () => {
    expect(promString('reviews')).toBe('"reviews"');
    expect(promString('')).toBe('""');
    expect(promString("it's `fine`")).toBe('"it\'s `fine`"');
    expect(promString('åß😀')).toBe('"åß😀"');
  });

  it('escapes quotes, backslashes and newlines Go-style', () => {
    expect(promString('a"b')).toBe('"a\\"b"');
    expect(promString('a\\b')).toBe('"a\\\\b"');
    expect(promString('a\nb\r\tc')).toBe('"a\\nb\\r\\tc"');
    expect(promString('\\"')).toBe('"\\\\\\""');
  });

  it('escapes every other control character', () => {
    expect(promString('\u0000\u0007\b\f\v\u001b\u007f')).toBe(
      '"\\x00\\a\\b\\f\\v\\x1b\\x7f"',
    );
    expect(promString('\u0085\u009f\u2028\u2029')).toBe(
      '"\\u0085\\u009f\\u2028\\u2029"',
    );
  });

  it('keeps injection attempts inside one harmless literal', () => {
    const attacks = [
      '"} or vector(1)',
      'x"} or vector(1) or up{a="',
      'x\\"} or vector(1)',
      'x\\',
      '"\n} or vector(1) #',
      '`} or vector(1)',
    ];
    for (const attack of attacks) {
      const literal = promString(attack);
      expect(unquote(literal)).toBe(attack);
    }
    expect(promString('"} or vector(1)')).toBe('"\\"} or vector(1)"');
  });

  it('round-trips every BMP character and astral characters', () => {
    let all = '';
    for (let c = 0; c < 0x10000; c++) {
      if (c < 0xd800 || c > 0xdfff) all += String.fromCharCode(c);
    }
    all += '😀𝄞';
    expect(unquote(promString(all))).toBe(all);
  }, 30_000);

  it('rejects lone surrogates, which are not valid UTF-8', () => {
    expect(() => promString('a\ud800b')).toThrow(InputError);
    expect(() => promString('\udc00')).toThrow(/lone surrogate/);
  });
});
