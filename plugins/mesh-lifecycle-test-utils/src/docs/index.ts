export { generatedSection } from './generatedSection';
export type { GeneratedSection } from './generatedSection';
