import { Alert } from '@backstage/ui';
import { SourceOutcome } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { RelativeTime } from './RelativeTime';

/** One source that did not answer: why, and since when if known. */
export interface UnansweredSource {
  text: string;
  /** ISO date-time since which it has been failing. */
  since?: string;
}

/** The sources of outcomes that failed, as `source: why` with since when. */
export function unansweredSources(
  outcomes: Array<SourceOutcome<object>>,
): UnansweredSource[] {
  return outcomes.flatMap(o =>
    o.status === 'error'
      ? [
          {
            text: `${o.source}: ${o.error.message}`,
            ...(o.error.since ? { since: o.error.since } : {}),
          },
        ]
      : [],
  );
}

/**
 * A warning with one line per source that did not answer (`source: why`,
 * failing since when): what the section could not show, said inside it.
 * Nothing without lines.
 */
export function SourcesAlert(props: {
  title: string;
  lines: Array<string | UnansweredSource>;
}) {
  if (props.lines.length === 0) return null;
  const lines = props.lines.map(l => (typeof l === 'string' ? { text: l } : l));
  return (
    <Alert
      status="warning"
      icon
      title={props.title}
      description={
        <ul style={{ margin: 0, paddingLeft: 'var(--bui-space-4)' }}>
          {lines.map(line => (
            <li key={line.text}>
              {line.text}
              {line.since && (
                <>
                  {' '}
                  (failing since <RelativeTime iso={line.since} />)
                </>
              )}
            </li>
          ))}
        </ul>
      }
    />
  );
}
