export * from './thresholds';
export * from './health';
export * from './inferPhase';
export * from './gates';
