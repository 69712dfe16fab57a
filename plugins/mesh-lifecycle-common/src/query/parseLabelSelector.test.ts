import { InputError } from '@backstage/errors';
import { LabelSelector, buildLabelSelector } from './buildLabelSelector';
import { parseLabelSelector } from './parseLabelSelector';

describe('parseLabelSelector', () => {
  it('parses every operator of the Kubernetes selector syntax', () => {
    expect(parseLabelSelector('a=b')).toEqual({ matchLabels: { a: 'b' } });
    expect(parseLabelSelector('a==b')).toEqual({ matchLabels: { a: 'b' } });
    expect(parseLabelSelector('a=')).toEqual({ matchLabels: { a: '' } });
    expect(parseLabelSelector('a!=b')).toEqual({
      matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['b'] }],
    });
    expect(parseLabelSelector('a in (x,y)')).toEqual({
      matchExpressions: [{ key: 'a', operator: 'In', values: ['x', 'y'] }],
    });
    expect(parseLabelSelector('a notin (x)')).toEqual({
      matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }],
    });
    expect(parseLabelSelector('a')).toEqual({
      matchExpressions: [{ key: 'a', operator: 'Exists' }],
    });
    expect(parseLabelSelector('!a')).toEqual({
      matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }],
    });
  });

  it('parses a combination, with whitespace', () => {
    expect(
      parseLabelSelector(
        ' app.kubernetes.io/name = reviews , env in ( prod , staging ),!legacy, canary,tier!=db ',
      ),
    ).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'reviews' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'staging'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'canary', operator: 'Exists' },
        { key: 'tier', operator: 'NotIn', values: ['db'] },
      ],
    });
  });

  it('keeps a repeated equality as an In requirement', () => {
    expect(parseLabelSelector('a=b,a=c')).toEqual({
      matchLabels: { a: 'b' },
      matchExpressions: [{ key: 'a', operator: 'In', values: ['c'] }],
    });
  });

  it('round-trips through buildLabelSelector', () => {
    const texts = [
      'backstage.io/kubernetes-id=reviews',
      'app=reviews,env in (prod,staging),tier notin (db),canary,!legacy',
      'a=,b in (x)',
    ];
    for (const text of texts) {
      expect(buildLabelSelector(parseLabelSelector(text))).toBe(text);
    }
    expect(buildLabelSelector(parseLabelSelector('a==b, c != d'))).toBe(
      'a=b,c notin (d)',
    );
    const structured: LabelSelector = {
      matchLabels: { 'example.com/app': 'reviews', v: 'v1.2_3' },
      matchExpressions: [
        { key: 'env', operator: 'NotIn', values: ['dev', 'test'] },
        { key: 'x', operator: 'Exists' },
        { key: 'y', operator: 'DoesNotExist' },
        { key: 'z', operator: 'In', values: ['1'] },
      ],
    };
    expect(parseLabelSelector(buildLabelSelector(structured))).toEqual(
      structured,
    );
  });

  const rejected: Array<[string, RegExp]> = [
    ['', /it is empty/],
    ['   ', /it is empty/],
    ['a>1', /the > operator is not supported/],
    ['a<1', /the < operator is not supported/],
    ['a in ()', /expected a value, found "\)"/],
    ['a in (x,)', /expected a value, found "\)"/],
    ['a in x', /expected "\(" after in/],
    ['a in (x y)', /expected "," or "\)"/],
    ['a in (x', /expected "," or "\)", found end of text/],
    ['a=b,', /ends with ","/],
    [',a=b', /expected a label key or "!"/],
    ['a=b c', /expected "," found "c"/],
    ['a b', /expected =, ==, !=, in, notin/],
    ['a=(b)', /expected a value after =/],
    ['a!=', /empty value is not supported/],
    ['!a=b', /expected "," found "="/],
    ['!', /expected a label key after "!"/],
    ['a=b;c', /value for key a: "b;c"/],
    ['a="b"', /"\\"b\\""/],
    ['app name=x', /expected =, ==, !=, in, notin/],
    ['-app=x', /invalid key "-app"/],
    ['app=x,__proto__=y', /invalid key "__proto__"/],
    ['app=x,env=prod) or (', /expected/],
    ['a in (x),b in (-y)', /value for key b: "-y"/],
    [`a=${'v'.repeat(64)}`, /value for key a/],
  ];

  it.each(rejected)('rejects %j', (text, message) => {
    expect(() => parseLabelSelector(text)).toThrow(InputError);
    expect(() => parseLabelSelector(text)).toThrow(message);
  });

  it('names where the selector came from', () => {
    expect(() =>
      parseLabelSelector('a>1', {
        context:
          'annotation backstage.io/kubernetes-label-selector of component:default/reviews',
      }),
    ).toThrow(
      'Invalid label selector "a>1" in annotation backstage.io/kubernetes-label-selector of component:default/reviews: the > operator is not supported',
    );
  });
});
