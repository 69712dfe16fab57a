import { InputError } from '@backstage/errors';
import { escapeRegex, literalAlternation } from './escapeRegex';

describe('escapeRegex', () => {
  it('escapes every RE2 metacharacter', () => {
    expect(escapeRegex('a.b*c|d(e)\\f')).toBe('a\\.b\\*c\\|d\\(e\\)\\\\f');
    expect(escapeRegex('+?[]{}^$')).toBe('\\+\\?\\[\\]\\{\\}\\^\\$');
    expect(escapeRegex('reviews-v2_x')).toBe('reviews-v2_x');
  });
});

describe('literalAlternation', () => {
  it('builds an anchored alternation of escaped literals', () => {
    expect(literalAlternation(['reviews'])).toBe('^(?:reviews)$');
    expect(literalAlternation(['a.b', 'c|d', '(e)', 'f*', 'g\\h'])).toBe(
      '^(?:a\\.b|c\\|d|\\(e\\)|f\\*|g\\\\h)$',
    );
  });

  it('matches exactly the listed values', () => {
    const values = ['a.b', 'c|d', '(e)', 'f*', 'g\\h', '.*'];
    const re = new RegExp(literalAlternation(values));
    for (const v of values) expect(re.test(v)).toBe(true);
    for (const v of [
      'axb',
      'c',
      'd',
      'e',
      '',
      'ff',
      'a.bc',
      'xa.b',
      'anything',
    ]) {
      expect(re.test(v)).toBe(false);
    }
  });

  it('rejects an empty list', () => {
    expect(() => literalAlternation([])).toThrow(InputError);
  });
});
