import { InputError } from '@backstage/errors';
import {
  FieldSelectorRequirement,
  buildFieldSelector,
} from './buildFieldSelector';

describe('buildFieldSelector', () => {
  it('writes name and namespace requirements', () => {
    expect(
      buildFieldSelector([
        { field: 'metadata.name', operator: '=', value: 'reviews-v1.api' },
        { field: 'metadata.namespace', operator: '!=', value: 'kube-system' },
      ]),
    ).toBe('metadata.name=reviews-v1.api,metadata.namespace!=kube-system');
    expect(
      buildFieldSelector([
        { field: 'metadata.namespace', operator: '=', value: 'bookinfo' },
      ]),
    ).toBe('metadata.namespace=bookinfo');
  });

  const rejected: Array<[string, FieldSelectorRequirement[], RegExp]> = [
    ['no requirement', [], /at least one requirement/],
    [
      'uppercase name',
      [{ field: 'metadata.name', operator: '=', value: 'Reviews' }],
      /Invalid metadata.name in field selector: "Reviews"/,
    ],
    [
      'name with comma',
      [{ field: 'metadata.name', operator: '=', value: 'a,metadata.name!=b' }],
      /metadata.name/,
    ],
    [
      'empty name',
      [{ field: 'metadata.name', operator: '=', value: '' }],
      /metadata.name/,
    ],
    [
      'name too long',
      [{ field: 'metadata.name', operator: '=', value: 'a'.repeat(254) }],
      /metadata.name/,
    ],
    [
      'namespace with a dot',
      [{ field: 'metadata.namespace', operator: '=', value: 'a.b' }],
      /Invalid metadata.namespace in field selector: "a.b"/,
    ],
    [
      'namespace too long',
      [{ field: 'metadata.namespace', operator: '=', value: 'a'.repeat(64) }],
      /metadata.namespace/,
    ],
    [
      'other field',
      [
        {
          field: 'status.phase' as unknown as 'metadata.name',
          operator: '=',
          value: 'Running',
        },
      ],
      /Unsupported field selector field "status.phase"/,
    ],
    [
      'other operator',
      [
        {
          field: 'metadata.name',
          operator: '==' as unknown as '=',
          value: 'a',
        },
      ],
      /Unsupported field selector operator "=="/,
    ],
  ];

  it.each(rejected)('rejects %s', (_, requirements, message) => {
    expect(() => buildFieldSelector(requirements)).toThrow(InputError);
    expect(() => buildFieldSelector(requirements)).toThrow(message);
  });
});
