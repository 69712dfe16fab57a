import {
  BackstageCredentials,
  CacheService,
} from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';

/** Who an answer was computed for: answers depend on what they may read. */
export function principalKey(credentials: BackstageCredentials): string {
  const { principal } = credentials;
  if (typeof principal === 'object' && principal !== null) {
    if ('userEntityRef' in principal) return String(principal.userEntityRef);
    if ('subject' in principal) return `service:${String(principal.subject)}`;
  }
  return 'none';
}

/**
 * Answers kept briefly in Backstage's cache service (shared by all backend
 * replicas when it is Redis or memcache), with concurrent identical requests
 * sharing one computation. Keys must name whatever the answer depends on,
 * the caller included.
 */
export class AnswerCache {
  private readonly cache?: CacheService;
  private readonly ttlMs: number;
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(options: { cache?: CacheService; ttlMs?: number }) {
    this.cache = options.cache;
    this.ttlMs = options.ttlMs ?? 10_000;
  }

  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.cache || this.ttlMs <= 0) return compute();
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const promise = (async () => {
      const cached = await this.cache!.get(key);
      // Written below from the same computation's JSON answer.
      if (cached !== undefined) return cached as T;
      const answer = await compute();
      await this.cache!.set(key, answer as JsonValue, { ttl: this.ttlMs });
      return answer;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }
}
