export { runScaffolderTask } from './runScaffolderTask';
export type {
  RunScaffolderTaskOptions,
  ScaffolderTaskResult,
} from './runScaffolderTask';
