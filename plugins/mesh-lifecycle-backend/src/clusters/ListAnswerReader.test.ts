import { ListAnswerReader } from './ListAnswerReader';

/** Reads `text` cut into pieces of `size` characters. */
function read(text: string, size: number, keep = (item: unknown) => item) {
  const reader = new ListAnswerReader(keep);
  for (let at = 0; at < text.length; at += size) {
    reader.push(text.slice(at, at + size));
  }
  return reader.end();
}

const tricky = {
  apiVersion: 'v1',
  kind: 'PodList',
  metadata: { resourceVersion: '42', continue: 'next-page' },
  items: [
    {
      metadata: {
        name: 'a',
        // Brackets, braces, quotes and backslashes inside strings, and a
        // key named items inside an item: none of them is structure.
        annotations: {
          note: 'a } ] { [ "quoted" \\ back\\slash \\" end',
          items: '[not the list]',
        },
      },
      spec: { items: [{ nested: [1, 2, { deep: '}' }] }] },
    },
    { metadata: { name: 'b ünïcödé ✓' }, status: { phase: 'Running' } },
    { metadata: { name: 'c' } },
  ],
};

describe('ListAnswerReader', () => {
  it.each([1, 2, 3, 7, 64, 100_000])(
    'reads every item and the rest of the answer whatever the pieces (%i characters)',
    size => {
      const text = JSON.stringify(tricky, null, size % 2 ? 2 : undefined);
      expect(read(text, size)).toEqual(tricky);
    },
  );

  it('hands each item on as it is complete, before the answer ends', () => {
    const seen: string[] = [];
    const reader = new ListAnswerReader(item => {
      seen.push((item as { metadata: { name: string } }).metadata.name);
      return item;
    });
    const text = JSON.stringify(tricky);
    const afterFirst = text.indexOf('},{"metadata":{"name":"b') + 1;
    reader.push(text.slice(0, afterFirst));
    expect(seen).toEqual(['a']);
    reader.push(text.slice(afterFirst));
    expect(seen).toEqual(['a', 'b ünïcödé ✓', 'c']);
  });

  it('keeps what onItem returns and drops what it does not', () => {
    const answer = read(JSON.stringify(tricky), 5, item => {
      const name = (item as { metadata: { name: string } }).metadata.name;
      return name === 'b ünïcödé ✓' ? undefined : { name };
    });
    expect(answer.items).toEqual([{ name: 'a' }, { name: 'c' }]);
    expect(answer.metadata).toEqual(tricky.metadata);
  });

  it('reads metadata served after the items, and an empty list', () => {
    const text =
      '{ "items" : [ {"metadata":{"name":"x"}} ] , "metadata" : {"continue":""}, "kind":"List"}';
    expect(read(text, 4)).toEqual({
      items: [{ metadata: { name: 'x' } }],
      metadata: { continue: '' },
      kind: 'List',
    });
    expect(read('{"kind":"PodList","items":[]}', 3)).toEqual({
      kind: 'PodList',
      items: [],
    });
    expect(read('{"kind":"PodList","items":null}', 3)).toEqual({
      kind: 'PodList',
      items: [],
    });
  });

  it('fails on an answer cut short or that is not JSON', () => {
    const text = JSON.stringify(tricky);
    expect(() => read(text.slice(0, text.length - 1), 10)).toThrow(
      'list answer: ended before it was complete',
    );
    expect(() => read(text.slice(0, 60), 10)).toThrow(SyntaxError);
    expect(() => read('{"items":[{"a":1,}]}', 10)).toThrow(SyntaxError);
    expect(() => read('{"items":[]}}', 10)).toThrow('unbalanced');
    expect(() => read('[1,2]', 10)).toThrow('list answer: not an object');
  });
});
