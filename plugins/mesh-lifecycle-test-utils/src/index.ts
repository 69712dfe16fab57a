/**
 * Test kit for Mesh Lifecycle and its adopters: catalog fixtures, a harness
 * for the real Prometheus, and an Istio telemetry generator.
 *
 * @packageDocumentation
 */

export { createServiceEntity } from './createServiceEntity';
export type { ServiceEntityOptions } from './createServiceEntity';
export * from './prometheus';
export * from './postgres';
export * from './telemetry';
export * from './kubernetes';
export * from './scaffolder';
export * from './docs';
