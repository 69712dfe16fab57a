import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { compressedAnswers } from './compressedAnswers';

/** As a Backstage backend serves a plugin: the root router compresses too. */
function app() {
  const middleware = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  const served = express();
  served.use(middleware.compression());
  const router = express.Router();
  router.use(compressedAnswers());
  router.get('/large', (_req, res) => {
    res.json({
      clusters: Array.from({ length: 100 }, (_, i) => ({ name: `c-${i}` })),
    });
  });
  router.get('/huge', (_req, res) => {
    res.json({ text: 'x'.repeat(300 * 1024) });
  });
  router.get('/small', (_req, res) => {
    res.status(201).json({ status: 'ok' });
  });
  served.use(router);
  return served;
}

const large = {
  clusters: Array.from({ length: 100 }, (_, i) => ({ name: `c-${i}` })),
};

describe('compressedAnswers', () => {
  it('gzips an answer of 1 KB or more once, the root router leaving it as it is', async () => {
    const response = await request(app())
      .get('/large')
      .set('accept-encoding', 'gzip, deflate, br');
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect(response.headers.vary).toMatch(/Accept-Encoding/);
    // One layer of gzip (the client takes off one): the JSON right under it.
    expect(response.body).toEqual(large);
  });

  it('sends it as it is to a caller that does not take gzip', async () => {
    const plain = await request(app())
      .get('/large')
      .set('accept-encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toEqual(large);
    // Brotli only: left to the root router.
    const brotli = await request(app())
      .get('/large')
      .set('accept-encoding', 'br');
    expect(brotli.headers['content-encoding']).toBe('br');
  });

  it('leaves an answer over 256 KB to the root router', async () => {
    const response = await request(app())
      .get('/huge')
      .set('accept-encoding', 'gzip, br');
    // The root router prefers Brotli: the plugin did not gzip it.
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.body.text).toHaveLength(300 * 1024);
  });

  it('sends a small answer as it is, with its status', async () => {
    const response = await request(app())
      .get('/small')
      .set('accept-encoding', 'gzip');
    expect(response.status).toBe(201);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body).toEqual({ status: 'ok' });
  });
});
