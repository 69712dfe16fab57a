import { JsonObject } from './json';
import { recordUpdate, serverSideApply } from './serverSideApply';

const target = { resource: 'configmaps', group: '', name: 'cm' };
const apply = (
  existing: JsonObject | undefined,
  applied: JsonObject,
  manager: string,
  force = false,
) =>
  serverSideApply({
    existing,
    applied,
    manager,
    force,
    apiVersion: 'v1',
    target,
  });

describe('serverSideApply', () => {
  const base = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm' },
  };

  it('removes fields its manager stopped applying, unless another manager owns them', () => {
    const first = apply(
      undefined,
      { ...base, data: { a: '1', b: '2' } },
      'tool',
    );
    const second = apply(first, { ...base, data: { a: '1' } }, 'tool');
    expect(second.data).toEqual({ a: '1' });

    const shared = apply(first, { ...base, data: { b: '2' } }, 'other');
    const third = apply(shared, { ...base, data: { a: '1' } }, 'tool');
    expect(third.data).toEqual({ a: '1', b: '2' });
  });

  it('conflicts with fields taken over by updates, and forcing takes them back', () => {
    const applied = apply(undefined, { ...base, data: { a: '1' } }, 'tool');
    const updated: JsonObject = { ...applied, data: { a: 'edited' } };
    recordUpdate(applied, updated, 'kubectl-edit', 'v1');
    expect(() => apply(updated, { ...base, data: { a: '1' } }, 'tool')).toThrow(
      'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.a',
    );
    const forced = apply(updated, { ...base, data: { a: '1' } }, 'tool', true);
    expect(forced.data).toEqual({ a: '1' });
    expect(forced.metadata).toMatchObject({
      managedFields: [{ manager: 'tool', operation: 'Apply' }],
    });
  });
});
