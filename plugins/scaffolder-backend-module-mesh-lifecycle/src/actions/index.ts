export { createCatalogAnnotateAction } from './catalogAnnotate';
export { createManifestsGenerateAction } from './manifestsGenerate';
