/**
 * The six lifecycle phases of a service, in order.
 *
 * @public
 */
export const LIFECYCLE_PHASES = [
  'design',
  'develop',
  'test',
  'deploy',
  'operate',
  'retire',
] as const;

/**
 * One lifecycle phase of a service.
 *
 * @public
 */
export type LifecyclePhase = (typeof LIFECYCLE_PHASES)[number];

/**
 * Tells whether a value names a lifecycle phase.
 *
 * @public
 */
export function isLifecyclePhase(value: unknown): value is LifecyclePhase {
  return (
    typeof value === 'string' &&
    (LIFECYCLE_PHASES as readonly string[]).includes(value)
  );
}

/**
 * The phase that follows the given one; `undefined` after `retire`.
 *
 * @public
 */
export function nextLifecyclePhase(
  phase: LifecyclePhase,
): LifecyclePhase | undefined {
  return LIFECYCLE_PHASES[LIFECYCLE_PHASES.indexOf(phase) + 1];
}
