/**
 * Test kit for Mesh Lifecycle and its adopters.
 *
 * @packageDocumentation
 */

export { createServiceEntity } from './createServiceEntity';
export type { ServiceEntityOptions } from './createServiceEntity';
