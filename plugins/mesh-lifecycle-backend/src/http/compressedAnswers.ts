import express from 'express';
import { gzipSync } from 'node:zlib';

/** Answers smaller than this are sent as they are (the host's threshold too). */
const THRESHOLD_BYTES = 1024;
/**
 * Answers larger than this are left to the root router, which compresses
 * off the event loop: gzipping 256 KB at once takes 3–7 ms of it.
 */
const MOST_BYTES = 256 * 1024;

/**
 * Sends the router's JSON answers of 1 to 256 KB gzipped in one piece, when
 * the caller accepts gzip. Backstage's root router compresses responses as
 * streams: every response being sent holds a compressor of its own (~256 KB
 * of native memory for gzip, megabytes for Brotli), and the C allocator
 * keeps what 20 viewers' answers at once took (~12 MB of RSS at 20 clusters
 * × 1,000 objects). Compressed here, one answer at a time, the compressor's
 * memory is taken and given back at once (1–2 ms for a 70 KB answer); the
 * root router leaves an answer already encoded as it is.
 */
export function compressedAnswers(): express.RequestHandler {
  return (req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const text = JSON.stringify(body);
      if (text === undefined || res.get('Content-Encoding')) return json(body);
      res.vary('Accept-Encoding');
      if (!res.get('Content-Type')) res.type('json');
      const bytes = Buffer.from(text);
      if (
        bytes.length < THRESHOLD_BYTES ||
        bytes.length > MOST_BYTES ||
        req.method === 'HEAD' ||
        req.acceptsEncodings('gzip', 'identity') !== 'gzip'
      ) {
        return res.send(bytes);
      }
      res.set('Content-Encoding', 'gzip');
      return res.send(gzipSync(bytes));
    };
    next();
  };
}
