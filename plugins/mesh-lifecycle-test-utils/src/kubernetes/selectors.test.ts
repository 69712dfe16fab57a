import {
  labelSelectorToString,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'example.com/team': 'blue' };
  const matches = (selector: string) =>
    matchesLabels(parseLabelSelector(selector), labels);

  it('supports every operator', () => {
    expect(matches('app=web')).toBe(true);
    expect(matches('app==web')).toBe(true);
    expect(matches('app!=web')).toBe(false);
    expect(matches('app!=api')).toBe(true);
    expect(matches('app in (api, web)')).toBe(true);
    expect(matches('app notin (api,web)')).toBe(false);
    expect(matches('missing notin (x)')).toBe(true);
    expect(matches('example.com/team')).toBe(true);
    expect(matches('!example.com/team')).toBe(false);
    expect(matches('!missing,app=web,tier in (front)')).toBe(true);
    expect(matches('')).toBe(true);
  });

  it('rejects malformed selectors with a 400 Status', () => {
    expect(() => parseLabelSelector('app in web')).toThrow(
      expect.objectContaining({ code: 400 }),
    );
    expect(() => parseLabelSelector('a=b=c')).toThrow(
      'unable to parse requirement',
    );
  });

  it('renders LabelSelector objects', () => {
    expect(
      labelSelectorToString({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'x', operator: 'Exists' },
          { key: 'y', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,tier in (a,b),x,!y');
  });
});

describe('field selectors', () => {
  const pod = {
    metadata: { name: 'a', namespace: 'shop' },
    status: { phase: 'Running' },
  };

  it('matches =, == and != on dotted paths', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=a'), pod)).toBe(
      true,
    );
    expect(
      matchesFields(
        parseFieldSelector('metadata.namespace==shop,metadata.name!=a'),
        pod,
      ),
    ).toBe(false);
    expect(matchesFields(parseFieldSelector('status.phase=Running'), pod)).toBe(
      true,
    );
    expect(() => parseFieldSelector('metadata.name')).toThrow(
      expect.objectContaining({ code: 400 }),
    );
  });
});
