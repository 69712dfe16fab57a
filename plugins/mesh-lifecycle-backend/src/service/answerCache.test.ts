import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { JsonValue } from '@backstage/types';
import { AnswerCache, principalKey } from './answerCache';

describe('AnswerCache', () => {
  it('computes once within its time to live, and shares a computation under way', async () => {
    const cache = new AnswerCache({
      cache: mockServices.cache.mock({
        get: jest.fn().mockResolvedValue(undefined),
      }),
    });
    let runs = 0;
    const compute = async () => {
      runs += 1;
      await new Promise(resolve => setTimeout(resolve, 20));
      return { runs };
    };
    const [a, b] = await Promise.all([
      cache.get('k', compute),
      cache.get('k', compute),
    ]);
    expect(a).toEqual({ runs: 1 });
    expect(b).toBe(a);
    expect(runs).toBe(1);
  });

  it('lets another replica serve the answer stored in the shared cache service', async () => {
    const stored = new Map<string, JsonValue>();
    const shared = mockServices.cache.mock();
    shared.get.mockImplementation(async (key: string) => stored.get(key));
    shared.set.mockImplementation(async (key: string, value: JsonValue) => {
      stored.set(key, value);
    });
    const first = new AnswerCache({ cache: shared, ttlMs: 5_000 });
    const second = new AnswerCache({ cache: shared, ttlMs: 5_000 });
    await first.get('k', async () => ({ answer: 42 }));
    const compute = jest.fn(async () => ({ answer: 0 }));
    expect(await second.get('k', compute)).toEqual({ answer: 42 });
    expect(compute).not.toHaveBeenCalled();
    expect(shared.set).toHaveBeenCalledWith(
      'k',
      { answer: 42 },
      { ttl: 5_000 },
    );
  });

  it('computes every time without a time to live', async () => {
    const cache = new AnswerCache({
      cache: mockServices.cache.mock(),
      ttlMs: 0,
    });
    const compute = jest.fn(async () => 1);
    await cache.get('k', compute);
    await cache.get('k', compute);
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('keys answers by who asked', () => {
    expect(principalKey(mockCredentials.user('user:default/ana'))).toBe(
      'user:default/ana',
    );
    expect(principalKey(mockCredentials.service('plugin:catalog'))).toBe(
      'service:plugin:catalog',
    );
    expect(principalKey(mockCredentials.none())).toBe('none');
  });
});
