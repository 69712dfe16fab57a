import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
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
 * The six phases in order, the given one marked current; compact enough for
 * an info card.
 */
export function PhaseStepper(props: { phase?: LifecyclePhase }) {
  return (
    <Box
      component="ol"
      aria-label="Lifecycle phases"
      display="flex"
      flexWrap="wrap"
      p={0}
      m={0}
      mb={1}
      style={{ listStyle: 'none', gap: 4 }}
    >
      {LIFECYCLE_PHASES.map(phase => {
        const current = phase === props.phase;
        return (
          <li key={phase} aria-current={current ? 'step' : undefined}>
            <Chip
              size="small"
              label={PHASE_TITLES[phase]}
              color={current ? 'primary' : 'default'}
              variant={current ? 'default' : 'outlined'}
            />
          </li>
        );
      })}
    </Box>
  );
}
