/**
 * Shared types, annotations and pure logic of the Mesh Lifecycle plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './phases';
export * from './permissions';
export * from './lifecycle';
export * from './readServiceDeclaration';
export * from './mesh';
export * from './validation';
export * from './api';
export * from './query';
export * from './client';
export * from './yaml';
export * from './traffic';
