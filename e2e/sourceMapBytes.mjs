// Attributes the bytes of a built (minified) script to the source files its
// source map names: how much of what a page loads is whose code.

const BASE64 =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** The numbers of one Base64 VLQ segment, e.g. `AAgBC` → [0, 0, 16, 1]. */
export function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`not Base64 VLQ: ${segment}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/**
 * Bytes (UTF-8) of `code` per source file of its source map `map` (version
 * 3, not indexed): each generated segment counts from its column to the
 * next segment's; code before a line's first segment, or in segments
 * without a source, counts as `null` (the bundler's own glue).
 */
export function bytesPerSource(code, map) {
  if (map.sections) throw new Error('indexed source maps are not read');
  const totals = new Map();
  const add = (source, text) =>
    totals.set(
      source,
      (totals.get(source) ?? 0) + Buffer.byteLength(text, 'utf8'),
    );
  const lines = code.split('\n');
  let sourceIndex = 0;
  map.mappings.split(';').forEach((mapped, lineNumber) => {
    const line = lines[lineNumber] ?? '';
    let column = 0;
    const starts = [];
    for (const segment of mapped ? mapped.split(',') : []) {
      const [columnDelta, sourceDelta] = decodeVlq(segment);
      column += columnDelta;
      let source = null;
      if (sourceDelta !== undefined) {
        sourceIndex += sourceDelta;
        source = map.sources[sourceIndex];
      }
      starts.push({ column, source });
    }
    if (starts.length === 0) {
      add(null, line);
      return;
    }
    add(null, line.slice(0, starts[0].column));
    starts.forEach((start, i) => {
      const end = i + 1 < starts.length ? starts[i + 1].column : line.length;
      add(start.source, line.slice(start.column, end));
    });
  });
  // Lines past the mappings.
  for (const line of lines.slice(map.mappings.split(';').length)) {
    add(null, line);
  }
  return totals;
}
