import { stringifyKubernetesYaml } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * An object as YAML that `kubectl apply` reads back as the same object
 * (YAML 1.1-safe). Loaded only when a user asks for it.
 */
export default function ManifestYaml(props: {
  manifest: { [key: string]: unknown };
  label: string;
}) {
  return (
    <pre
      aria-label={props.label}
      style={{
        margin: 0,
        padding: 'var(--bui-space-3)',
        // Wrapped, not scrolled: a scrolling box would need to take focus.
        whiteSpace: 'pre-wrap',
        overflowWrap: 'anywhere',
        fontSize: 12,
        background: 'var(--bui-bg-neutral-2)',
        borderRadius: 4,
      }}
    >
      {stringifyKubernetesYaml(props.manifest)}
    </pre>
  );
}
