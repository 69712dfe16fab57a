export * from './mesh';
export * from './traffic';
export * from './dependencies';
export * from './fleet';
export * from './alerts';
