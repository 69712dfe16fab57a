/** An outcome as the answers carry them, for one source. */
type Outcome =
  | { source: string; status: 'ok' }
  | {
      source: string;
      status: 'error';
      error: { name: string; message: string; since?: string };
    };

/**
 * Remembers since when each source has been failing, per kind of answer:
 * from the first answer of this backend that found it failing, until an
 * answer finds it answering again. Users see "failing since" beside the
 * reason; a replica that started later knows a later time.
 */
export class FailureClock {
  private readonly failingSince = new Map<string, string>();
  private readonly now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The outcomes with each failure stamped with `error.since`; successes
   * end the failure period of their source. New objects: cached answers
   * are not changed.
   */
  stamp<T extends Outcome>(kind: string, outcomes: readonly T[]): T[] {
    return outcomes.map(outcome => {
      const key = `${kind}\u0000${outcome.source}`;
      if (outcome.status !== 'error') {
        this.failingSince.delete(key);
        return outcome;
      }
      let since = this.failingSince.get(key);
      if (since === undefined) {
        since = this.now().toISOString();
        this.failingSince.set(key, since);
      }
      return { ...outcome, error: { ...outcome.error, since } };
    });
  }
}
