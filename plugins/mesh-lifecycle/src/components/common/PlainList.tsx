import { ReactNode } from 'react';

/**
 * A list without bullets, its items stacked with a gap: the cards' lists of
 * gates, findings, alert rules and history records. `ordered` for lists
 * whose order means something (newest first).
 */
export function PlainList(props: {
  label: string;
  gap?: '2' | '3';
  ordered?: boolean;
  children: ReactNode;
}) {
  const List = props.ordered ? 'ol' : 'ul';
  return (
    <List
      aria-label={props.label}
      style={{
        listStyle: 'none',
        padding: 0,
        margin: 0,
        display: 'flex',
        flexDirection: 'column',
        gap: `var(--bui-space-${props.gap ?? '3'})`,
      }}
    >
      {props.children}
    </List>
  );
}
