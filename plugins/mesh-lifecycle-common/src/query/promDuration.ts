import { InputError } from '@backstage/errors';

/**
 * A validated PromQL duration such as `30s`, `5m` or `1h30m`, produced by
 * `promDuration`.
 *
 * @public
 */
export type PromDuration = string & { readonly __brand: 'PromDuration' };

/**
 * What the builders accept as a duration: a number of seconds, or a duration
 * already validated by `promDuration`.
 *
 * @public
 */
export type DurationInput = number | PromDuration;

// Prometheus' duration syntax: units from largest to smallest, each at most once.
const DURATION =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [
  365 * 24 * 3600_000,
  7 * 24 * 3600_000,
  24 * 3600_000,
  3600_000,
  60_000,
  1000,
  1,
];
const FORMAT_UNITS: Array<[string, number]> = [
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
// A hundred years; Prometheus stores durations as int64 nanoseconds.
const MAX_MS = 100 * 365 * 24 * 3600_000;

function checkRange(ms: number, shown: string): void {
  if (ms <= 0) {
    throw new InputError(`PromQL duration ${shown} must be greater than zero`);
  }
  if (ms > MAX_MS) {
    throw new InputError(`PromQL duration ${shown} is longer than 100 years`);
  }
}

function fromMilliseconds(ms: number): PromDuration {
  let rest = ms;
  let text = '';
  for (const [unit, size] of FORMAT_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text as PromDuration;
}

/**
 * Builds a validated PromQL duration. A number is a count of seconds (whole
 * milliseconds at most) and is written in the largest units, `90` → `1m30s`,
 * `3600` → `1h`, `0.25` → `250ms`. A string must already be a Prometheus
 * duration (`^[0-9]+(ms|s|m|h|d|w|y)$`, units combined from largest to
 * smallest such as `1h30m`). Zero, negative and malformed durations are
 * rejected with an `InputError`.
 *
 * @public
 */
export function promDuration(value: number | string): PromDuration {
  if (typeof value === 'number') {
    const ms = Math.round(value * 1000);
    if (!Number.isFinite(value) || Math.abs(ms - value * 1000) > 1e-6) {
      throw new InputError(
        `PromQL duration must be a finite number of seconds in whole milliseconds, got ${value}`,
      );
    }
    checkRange(ms, `${value}s`);
    return fromMilliseconds(ms);
  }
  const shown = JSON.stringify(
    typeof value === 'string' ? value.slice(0, 100) : value,
  );
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!match || value === '') {
    throw new InputError(
      `Invalid PromQL duration ${shown}: expected a number followed by ms, s, m, h, d, w or y, units combined from largest to smallest (e.g. 30s, 5m, 1h30m)`,
    );
  }
  let ms = 0;
  match.slice(1).forEach((count, i) => {
    if (count !== undefined) ms += Number(count) * UNIT_MS[i];
  });
  checkRange(ms, shown);
  return value as PromDuration;
}
