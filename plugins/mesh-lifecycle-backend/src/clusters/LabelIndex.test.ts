import { LabelIndex } from './LabelIndex';

const ID = 'backstage.io/kubernetes-id';

function object(name: string, namespace: string, id?: string) {
  return {
    metadata: { name, namespace, ...(id ? { labels: { [ID]: id } } : {}) },
  };
}

describe('LabelIndex', () => {
  it('finds objects by label value, in one namespace or all', () => {
    const index = new LabelIndex(ID);
    index.put(object('cart', 'shop', 'cart'));
    index.put(object('cart', 'staging', 'cart'));
    index.put(object('audit', 'ops', 'audit'));
    index.put(object('unlabelled', 'shop'));
    expect(index.get('cart').map(o => o.metadata?.namespace)).toEqual([
      'shop',
      'staging',
    ]);
    expect(index.get('cart', 'staging')).toEqual([
      object('cart', 'staging', 'cart'),
    ]);
    expect(index.get('audit', 'shop')).toEqual([]);
    expect(index.get('nothing')).toEqual([]);
  });

  it('moves an object whose label changed, told the version it replaces', () => {
    const index = new LabelIndex(ID);
    const first = object('cart', 'shop', 'cart');
    index.put(first);
    const relabelled = object('cart', 'shop', 'basket');
    index.replacing(first, relabelled);
    index.put(relabelled);
    expect(index.get('cart')).toEqual([]);
    expect(index.get('basket')).toEqual([relabelled]);
    // The label removed: the object leaves the index.
    const unlabelled = object('cart', 'shop');
    index.replacing(relabelled, unlabelled);
    index.put(unlabelled);
    expect(index.get('basket')).toEqual([]);
    // The same value: replaced in place, nothing dropped first.
    const labelled = object('cart', 'shop', 'cart');
    index.replacing(unlabelled, labelled);
    index.put(labelled);
    const again = object('cart', 'shop', 'cart');
    index.replacing(labelled, again);
    expect(index.get('cart')).toEqual([labelled]);
    index.put(again);
    expect(index.get('cart')[0]).toBe(again);
    index.remove(again);
    expect(index.get('cart')).toEqual([]);
  });

  it('keeps the newest version of an object', () => {
    const index = new LabelIndex(ID);
    const first = object('cart', 'shop', 'cart');
    const second = object('cart', 'shop', 'cart');
    index.put(first);
    index.put(second);
    const [found] = index.get('cart');
    expect(found).toBe(second);
    expect(index.get('cart')).toHaveLength(1);
  });

  it("changes one of a value's objects without touching the others", () => {
    const index = new LabelIndex(ID);
    index.put(object('cart-a', 'shop', 'cart'));
    index.put(object('cart-b', 'shop', 'cart'));
    index.put(object('cart-a', 'staging', 'cart'));
    const names = () =>
      index
        .get('cart')
        .map(o => `${o.metadata?.namespace}/${o.metadata?.name}`);
    index.put(object('cart-a', 'shop', 'cart'));
    // Replaced where it was.
    expect(names()).toEqual(['shop/cart-a', 'shop/cart-b', 'staging/cart-a']);
    index.remove(object('cart-b', 'shop', 'cart'));
    expect(names()).toEqual(['shop/cart-a', 'staging/cart-a']);
    index.remove(object('cart-a', 'shop', 'cart'));
    expect(names()).toEqual(['staging/cart-a']);
    // What get() answers is a copy: changing it changes nothing indexed.
    index.get('cart').pop();
    expect(names()).toEqual(['staging/cart-a']);
  });
});
