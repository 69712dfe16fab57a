import { InputError } from '@backstage/errors';
import { LabelSelector, buildLabelSelector } from './buildLabelSelector';

describe('buildLabelSelector', () => {
  it('writes matchLabels and every operator', () => {
    expect(
      buildLabelSelector({
        matchLabels: { 'backstage.io/kubernetes-id': 'reviews', tier: '' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'staging'] },
          { key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['x'] },
          { key: 'canary', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist', values: [] },
        ],
      }),
    ).toBe(
      'backstage.io/kubernetes-id=reviews,tier=,env in (prod,staging),app.kubernetes.io/name notin (x),canary,!legacy',
    );
  });

  it('accepts the longest valid keys and values', () => {
    const prefix = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(
      63,
    )}.${'d'.repeat(61)}`;
    expect(prefix.length).toBe(253);
    const name = `A${'-_.'.repeat(20)}z9`;
    expect(name.length).toBe(63);
    expect(
      buildLabelSelector({ matchLabels: { [`${prefix}/${name}`]: name } }),
    ).toBe(`${prefix}/${name}=${name}`);
  });

  const rejected: Array<[string, LabelSelector, RegExp]> = [
    ['empty selector', {}, /at least one requirement/],
    ['empty lists', { matchLabels: {}, matchExpressions: [] }, /at least one/],
    ['space in key', { matchLabels: { 'app name': 'x' } }, /key "app name"/],
    ['key starting with -', { matchLabels: { '-app': 'x' } }, /key "-app"/],
    ['two slashes', { matchLabels: { 'a/b/c': 'x' } }, /key "a\/b\/c"/],
    ['uppercase prefix', { matchLabels: { 'Example.com/app': 'x' } }, /key/],
    ['empty prefix', { matchLabels: { '/app': 'x' } }, /key "\/app"/],
    ['long name', { matchLabels: { ['a'.repeat(64)]: 'x' } }, /key/],
    [
      'long prefix',
      { matchLabels: { [`${'a'.repeat(254)}/app`]: 'x' } },
      /key/,
    ],
    [
      'value with comma',
      { matchLabels: { app: 'x,env=prod' } },
      /value for key app: "x,env=prod"/,
    ],
    ['value with space', { matchLabels: { app: 'a b' } }, /"a b"/],
    ['value ending with -', { matchLabels: { app: 'x-' } }, /"x-"/],
    ['long value', { matchLabels: { app: 'v'.repeat(64) } }, /value/],
    [
      'In value with paren',
      { matchExpressions: [{ key: 'a', operator: 'In', values: ['x)'] }] },
      /value for key a: "x\)"/,
    ],
    [
      'In without values',
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      /In on key a needs at least one value/,
    ],
    [
      'NotIn without values',
      { matchExpressions: [{ key: 'a', operator: 'NotIn' }] },
      /NotIn on key a needs at least one value/,
    ],
    [
      'In with an empty value',
      { matchExpressions: [{ key: 'a', operator: 'In', values: [''] }] },
      /cannot take an empty value/,
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      /Exists on key a takes no values/,
    ],
    [
      'unknown operator',
      {
        matchExpressions: [
          { key: 'a', operator: 'Gt' as unknown as 'In', values: ['1'] },
        ],
      },
      /Unsupported label selector operator "Gt" on key a/,
    ],
  ];

  it.each(rejected)('rejects %s', (_, selector, message) => {
    expect(() => buildLabelSelector(selector)).toThrow(InputError);
    expect(() => buildLabelSelector(selector)).toThrow(message);
  });
});
