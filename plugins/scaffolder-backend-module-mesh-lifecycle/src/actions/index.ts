export { createCatalogAnnotateAction } from './catalogAnnotate';
