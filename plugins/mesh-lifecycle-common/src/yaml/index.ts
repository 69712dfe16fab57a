export { stringifyKubernetesYaml } from './stringifyKubernetesYaml';
