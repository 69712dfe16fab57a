import { Text } from '@backstage/ui';
import {
  LIFECYCLE_PHASES,
  LifecyclePhase,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

const PHASE_TITLES: Record<LifecyclePhase, string> = {
  design: 'Design',
  develop: 'Develop',
  test: 'Test',
  deploy: 'Deploy',
  operate: 'Operate',
  retire: 'Retire',
};

/** Human title of a lifecycle phase. */
export function phaseTitle(phase: LifecyclePhase): string {
  return PHASE_TITLES[phase];
}

/**
 * The six phases in order as a progression, the given one marked current
 * (and named for screen readers); compact enough for an info card.
 */
export function PhaseStepper(props: { phase?: LifecyclePhase }) {
  const current = props.phase ? LIFECYCLE_PHASES.indexOf(props.phase) : -1;
  return (
    <ol
      aria-label="Lifecycle phases"
      style={{
        display: 'flex',
        flexWrap: 'wrap',
        gap: 'var(--bui-space-1)',
        listStyle: 'none',
        padding: 0,
        margin: 0,
      }}
    >
      {LIFECYCLE_PHASES.map((phase, index) => {
        const isCurrent = index === current;
        return (
          <li
            key={phase}
            aria-current={isCurrent ? 'step' : undefined}
            style={{
              padding: '2px var(--bui-space-2)',
              borderRadius: 12,
              border: `1px solid ${
                isCurrent ? 'var(--bui-fg-primary)' : 'var(--bui-border-1)'
              }`,
              background: isCurrent ? 'var(--bui-bg-neutral-2)' : undefined,
            }}
          >
            <Text
              variant="body-small"
              weight={isCurrent ? 'bold' : 'regular'}
              color={index <= current ? 'primary' : 'secondary'}
            >
              {PHASE_TITLES[phase]}
            </Text>
          </li>
        );
      })}
    </ol>
  );
}
