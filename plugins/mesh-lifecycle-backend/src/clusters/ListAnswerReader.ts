/**
 * Reads a Kubernetes list answer (`{"kind": ..., "metadata": {...},
 * "items": [...]}`) as its text arrives, parsing each element of its
 * top-level `items` on its own and handing it on at once: a list of thousands
 * of objects is never held as one text, one buffer or one parsed array. What
 * is not an item (kind, apiVersion, metadata with `continue`) is parsed at the
 * end.
 */
export class ListAnswerReader<T> {
  /** Text not yet consumed: from the item being read, else from `scan`. */
  private text = '';
  /** Where scanning resumes in `text` (may pass its end after a `\`). */
  private scan = 0;
  private depth = 0;
  private inString = false;
  /** Inside the top-level `items` array. */
  private inItems = false;
  /** Where the item being read starts in `text`, or -1. */
  private itemStart = -1;
  /** Where text still to be copied to `outside` starts in `text`, or -1. */
  private outsideFrom = 0;
  /** The answer's text outside its items, `"items":[]` included. */
  private outside = '';

  constructor(private readonly onItem: (item: unknown) => T | undefined) {}

  /** Items handed on, in the answer's order (what `onItem` returned). */
  readonly items: T[] = [];

  /** The next piece of the answer's text. */
  push(piece: string): void {
    this.text += piece;
    const text = this.text;
    let i = this.scan;
    // The next `\` at or after i (-1: none left), found again only once
    // passed, so that a text without escapes is searched once.
    let escape = text.indexOf('\\', i);
    while (i < text.length) {
      if (this.inString) {
        const quote = text.indexOf('"', i);
        if (escape !== -1 && escape < i) escape = text.indexOf('\\', i);
        if (escape !== -1 && (quote === -1 || escape < quote)) {
          // Skip the escaped character (which may be in the next piece).
          i = escape + 2;
          continue;
        }
        if (quote === -1) {
          i = text.length;
          break;
        }
        this.inString = false;
        i = quote + 1;
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 0x22 /* " */) {
        this.inString = true;
      } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        this.depth += 1;
        if (this.inItems && this.depth === 3) {
          this.itemStart = i;
        } else if (c === 0x5b && this.depth === 2 && this.itemsKeyBefore(i)) {
          this.outside += text.slice(this.outsideFrom, i + 1);
          this.outsideFrom = -1;
          this.inItems = true;
        }
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        this.depth -= 1;
        if (this.depth < 0) throw new SyntaxError('list answer: unbalanced');
        if (this.inItems && this.depth === 2 && this.itemStart !== -1) {
          this.emit(JSON.parse(text.slice(this.itemStart, i + 1)));
          this.itemStart = -1;
        } else if (this.inItems && this.depth === 1) {
          this.inItems = false;
          this.outsideFrom = i;
        }
      }
      i += 1;
    }
    this.scan = i;
    this.compact();
  }

  /** The answer without its items, with `items` as handed on. */
  end(): { [key: string]: unknown; items: T[] } {
    if (this.depth !== 0 || this.inString || this.scan < this.text.length) {
      throw new SyntaxError('list answer: ended before it was complete');
    }
    if (this.outsideFrom !== -1) {
      this.outside += this.text.slice(this.outsideFrom);
    }
    const answer: unknown = JSON.parse(this.outside);
    if (
      typeof answer !== 'object' ||
      answer === null ||
      Array.isArray(answer)
    ) {
      throw new SyntaxError('list answer: not an object');
    }
    return { ...answer, items: this.items };
  }

  private emit(item: unknown) {
    const kept = this.onItem(item);
    if (kept !== undefined) this.items.push(kept);
  }

  /** `"items":` (spaces allowed) right before `[` at position `at`. */
  private itemsKeyBefore(at: number): boolean {
    const before = (this.outside + this.text.slice(this.outsideFrom, at))
      .slice(-40)
      .trimEnd();
    return /"items"\s*:$/.test(before);
  }

  /** Drops consumed text, copying what lies outside the items first. */
  private compact() {
    let keepFrom = this.scan;
    if (this.outsideFrom !== -1) {
      this.outside += this.text.slice(this.outsideFrom, this.scan);
      this.outsideFrom = 0;
    }
    if (this.itemStart !== -1) keepFrom = Math.min(keepFrom, this.itemStart);
    keepFrom = Math.min(keepFrom, this.text.length);
    this.text = this.text.slice(keepFrom);
    this.scan -= keepFrom;
    if (this.itemStart !== -1) this.itemStart -= keepFrom;
  }
}
