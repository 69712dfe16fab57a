/**
 * One request the emulator received.
 *
 * @public
 */
export interface RecordedCall {
  method: string;
  /** URL path without the query. */
  path: string;
  /** Query parameters (the last value of repeated ones). */
  query: Record<string, string>;
  /** Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection), or the lower-cased method for non-resource URLs. */
  verb: string;
  /** Resource plural, for resource URLs. */
  resource?: string;
  /** Subresource, e.g. `scale` or `status`. */
  subresource?: string;
  /** API group (`''` for core), for resource URLs. */
  group?: string;
  /** API version, for resource URLs. */
  version?: string;
  namespace?: string;
  name?: string;
}

/**
 * A predicate, or the fields a call must have: each listed field must be
 * equal, except `query`, whose listed parameters must be present with those values.
 *
 * @public
 */
export type CallFilter =
  | Partial<RecordedCall>
  | ((call: RecordedCall) => boolean);

/**
 * Records every request an emulator receives.
 *
 * @public
 */
export class CallRecorder {
  private calls: RecordedCall[] = [];

  /** Adds a call (used by the server). */
  record(call: RecordedCall): void {
    this.calls.push(call);
  }

  /** The recorded calls matching the filter, oldest first. */
  list(filter?: CallFilter): RecordedCall[] {
    if (!filter) return [...this.calls];
    if (typeof filter === 'function') return this.calls.filter(filter);
    const { query, ...fields } = filter;
    return this.calls.filter(call => {
      const values: Record<string, unknown> = { ...call };
      return (
        Object.entries(fields).every(([key, value]) => values[key] === value) &&
        Object.entries(query ?? {}).every(
          ([key, value]) => call.query[key] === value,
        )
      );
    });
  }

  /** How many recorded calls match the filter. */
  count(filter?: CallFilter): number {
    return this.list(filter).length;
  }

  /** Forgets every recorded call. */
  reset(): void {
    this.calls = [];
  }
}
