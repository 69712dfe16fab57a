export { stringifyKubernetesYaml } from './stringifyKubernetesYaml';
export { withoutBookkeeping } from './withoutBookkeeping';
