import { isLifecyclePhase, nextLifecyclePhase } from './phases';

describe('phases', () => {
  it('orders the six phases of the seed', () => {
    expect(nextLifecyclePhase('design')).toBe('develop');
    expect(nextLifecyclePhase('develop')).toBe('test');
    expect(nextLifecyclePhase('test')).toBe('deploy');
    expect(nextLifecyclePhase('deploy')).toBe('operate');
    expect(nextLifecyclePhase('operate')).toBe('retire');
    expect(nextLifecyclePhase('retire')).toBeUndefined();
  });

  it('recognises phase names only', () => {
    expect(isLifecyclePhase('operate')).toBe(true);
    expect(isLifecyclePhase('production')).toBe(false);
    expect(isLifecyclePhase(undefined)).toBe(false);
  });
});
