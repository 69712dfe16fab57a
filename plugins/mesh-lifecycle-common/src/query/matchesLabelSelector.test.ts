import { matchesLabelSelector } from './matchesLabelSelector';
import { parseLabelSelector } from './parseLabelSelector';

const pod = { app: 'reviews', version: 'v2', tier: 'api' };

describe('matchesLabelSelector', () => {
  it.each([
    ['app=reviews', true],
    ['app=ratings', false],
    ['app=reviews,version=v2', true],
    ['app=reviews,version=v1', false],
    ['version in (v1,v2)', true],
    ['version in (v1,v3)', false],
    ['version notin (v1)', true],
    ['version notin (v2)', false],
    ['missing notin (x)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['app!=reviews', false],
    ['app!=ratings', true],
  ])('%s on app=reviews,version=v2,tier=api → %s', (text, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(text), pod)).toBe(expected);
  });

  it('treats a missing label as absent, not as an empty value', () => {
    expect(
      matchesLabelSelector(
        { matchExpressions: [{ key: 'app', operator: 'In', values: [''] }] },
        {},
      ),
    ).toBe(false);
    expect(
      matchesLabelSelector(parseLabelSelector('app=reviews'), undefined),
    ).toBe(false);
  });

  it('does not read labels from the prototype chain', () => {
    expect(matchesLabelSelector(parseLabelSelector('constructor'), {})).toBe(
      false,
    );
  });

  it('matches nothing with an empty selector', () => {
    expect(matchesLabelSelector({}, pod)).toBe(false);
    expect(matchesLabelSelector({ matchLabels: {} }, pod)).toBe(false);
  });
});
