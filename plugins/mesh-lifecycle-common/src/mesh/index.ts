export * from './istioTypes';
export * from './serviceHosts';
export * from './attachIstioObjects';
export * from './summarizeMeshObject';
export * from './belongsToService';
export * from './workloadVersion';
