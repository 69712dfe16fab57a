import { relativeTime } from './RelativeTime';

describe('relativeTime', () => {
  const now = Date.parse('2026-12-05T12:00:00Z');
  const ago = (seconds: number) =>
    relativeTime(new Date(now - seconds * 1000).toISOString(), now);

  it('says how long ago in the unit that fits, and "just now" rather than 0 s', () => {
    expect(ago(0)).toBe('just now');
    expect(ago(3)).toBe('just now');
    expect(ago(42)).toBe('42 s ago');
    expect(ago(5 * 60)).toBe('5 min ago');
    expect(ago(3 * 3600)).toBe('3 h ago');
    expect(ago(2 * 86_400)).toBe('2 d ago');
    expect(ago(-120)).toBe('in 2 min');
  });
});
