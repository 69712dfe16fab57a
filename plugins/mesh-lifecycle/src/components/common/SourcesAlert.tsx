import { Alert } from '@backstage/ui';

/**
 * A warning with one line per source that did not answer (`source: why`):
 * what the section could not show, said inside it. Nothing without lines.
 */
export function SourcesAlert(props: { title: string; lines: string[] }) {
  if (props.lines.length === 0) return null;
  return (
    <Alert
      status="warning"
      icon
      title={props.title}
      description={
        <ul style={{ margin: 0, paddingLeft: 'var(--bui-space-4)' }}>
          {props.lines.map(line => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      }
    />
  );
}
