/**
 * YAML as a block of text: wrapped, not scrolled (a scrolling box would
 * need to take focus), in the theme's colours (no syntax colours that fail
 * contrast).
 */
export function YamlBlock(props: { text: string; label: string }) {
  return (
    <pre
      aria-label={props.label}
      style={{
        margin: 0,
        padding: 'var(--bui-space-3)',
        whiteSpace: 'pre-wrap',
        overflowWrap: 'anywhere',
        fontSize: 12,
        background: 'var(--bui-bg-neutral-2)',
        borderRadius: 4,
      }}
    >
      {props.text}
    </pre>
  );
}
