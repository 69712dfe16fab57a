import { stringifyKubernetesYaml } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { YamlBlock } from '../common/YamlBlock';

/**
 * An object as YAML that `kubectl apply` reads back as the same object
 * (YAML 1.1-safe). Loaded only when a user asks for it.
 */
export default function ManifestYaml(props: {
  manifest: { [key: string]: unknown };
  label: string;
}) {
  return (
    <YamlBlock
      text={stringifyKubernetesYaml(props.manifest)}
      label={props.label}
    />
  );
}
