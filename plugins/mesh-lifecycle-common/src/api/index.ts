export * from './mesh';
export * from './traffic';
