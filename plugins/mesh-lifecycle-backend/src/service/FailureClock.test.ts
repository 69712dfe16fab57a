import { FailureClock } from './FailureClock';

const failed = (source: string) => ({
  source,
  status: 'error' as const,
  error: { name: 'Error', message: `${source} is down` },
});
const ok = (source: string) => ({ source, status: 'ok' as const });

describe('FailureClock', () => {
  let now = new Date('2026-12-05T10:00:00Z');
  const clock = () => new FailureClock({ now: () => now });

  it('keeps the time a source was first found failing, until it answers again', () => {
    const failures = clock();
    expect(failures.stamp('mesh', [failed('prod'), ok('dev')])).toEqual([
      {
        ...failed('prod'),
        error: { ...failed('prod').error, since: '2026-12-05T10:00:00.000Z' },
      },
      ok('dev'),
    ]);
    now = new Date('2026-12-05T10:05:00Z');
    expect(failures.stamp('mesh', [failed('prod')])[0]).toMatchObject({
      error: { since: '2026-12-05T10:00:00.000Z' },
    });
    // It answered: the next failure is a new one.
    failures.stamp('mesh', [ok('prod')]);
    now = new Date('2026-12-05T10:09:00Z');
    expect(failures.stamp('mesh', [failed('prod')])[0]).toMatchObject({
      error: { since: '2026-12-05T10:09:00.000Z' },
    });
  });

  it('counts each kind of answer on its own, and never changes what it is given', () => {
    const failures = clock();
    now = new Date('2026-12-05T11:00:00Z');
    const given = [failed('prometheus')];
    failures.stamp('traffic', given);
    expect(given[0].error).not.toHaveProperty('since');
    // The alerts of the same Prometheus answered: the traffic is still failing.
    failures.stamp('alerts', [ok('prometheus')]);
    now = new Date('2026-12-05T11:01:00Z');
    expect(failures.stamp('traffic', given)[0]).toMatchObject({
      error: { since: '2026-12-05T11:00:00.000Z' },
    });
    expect(failures.stamp('alerts', given)[0]).toMatchObject({
      error: { since: '2026-12-05T11:01:00.000Z' },
    });
  });
});
