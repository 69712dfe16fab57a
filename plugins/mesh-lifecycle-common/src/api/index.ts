export * from './mesh';
export * from './traffic';
export * from './dependencies';
export * from './fleet';
export * from './alerts';
export * from './history';
export * from './lifecycle';
export * from './clusters';
