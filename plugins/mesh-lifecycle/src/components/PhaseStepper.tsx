import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
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

/** The six phases, with the given one marked current. */
export function PhaseStepper(props: { phase?: LifecyclePhase }) {
  const active = props.phase ? LIFECYCLE_PHASES.indexOf(props.phase) : -1;
  return (
    <Stepper activeStep={active} alternativeLabel aria-label="Lifecycle phases">
      {LIFECYCLE_PHASES.map(phase => (
        <Step
          key={phase}
          aria-current={phase === props.phase ? 'step' : undefined}
        >
          <StepLabel>{PHASE_TITLES[phase]}</StepLabel>
        </Step>
      ))}
    </Stepper>
  );
}
