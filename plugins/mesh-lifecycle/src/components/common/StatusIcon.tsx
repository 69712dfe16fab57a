import {
  RiCheckboxCircleFill,
  RiCloseCircleFill,
  RiErrorWarningFill,
  RiQuestionFill,
} from '@remixicon/react';

/** How good something is, as the cards show it. */
export type Tone = 'success' | 'danger' | 'warning' | 'unknown';

const ICONS = {
  success: RiCheckboxCircleFill,
  danger: RiCloseCircleFill,
  warning: RiErrorWarningFill,
  unknown: RiQuestionFill,
};

const COLORS: Record<Tone, string> = {
  success: 'var(--bui-fg-positive)',
  danger: 'var(--bui-fg-negative)',
  warning: 'var(--bui-fg-warning)',
  unknown: 'var(--bui-fg-secondary)',
};

/**
 * A status icon with its meaning as the accessible name, so that colour is
 * never the only carrier of the status.
 */
export function StatusIcon(props: { tone: Tone; label: string }) {
  const Icon = ICONS[props.tone];
  return (
    <Icon
      role="img"
      aria-label={props.label}
      size={16}
      style={{ color: COLORS[props.tone], flexShrink: 0, marginTop: 2 }}
    />
  );
}
