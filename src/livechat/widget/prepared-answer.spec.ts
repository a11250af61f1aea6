import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { chooseCoding, notModified, prepareAnswer } from './prepared-answer';

describe('chooseCoding (Accept-Encoding)', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, br', 'br'],
    ['gzip, deflate', 'gzip'],
    ['GZIP', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['*;q=0', 'identity'],
    ['br;q=0, *', 'gzip'],
    ['deflate, identity', 'identity'],
    ['br;q=abc, gzip', 'gzip'],
  ])('%p → %s', (header, expected) => {
    expect(chooseCoding(header)).toBe(expected);
  });
});

describe('notModified (If-None-Match)', () => {
  it('matches the tag itself, its weak form, one of a list, or *', () => {
    expect(notModified('"a-br"', '"a-br"')).toBe(true);
    expect(notModified('W/"a-br"', '"a-br"')).toBe(true);
    expect(notModified('"x", "a-br"', '"a-br"')).toBe(true);
    expect(notModified('*', '"a-br"')).toBe(true);
    expect(notModified('"a"', '"a-br"')).toBe(false);
    expect(notModified(undefined, '"a"')).toBe(false);
  });
});

describe('prepareAnswer', () => {
  it('encodes the same JSON three ways, each with its own strong ETag', async () => {
    const payload = { config: { departments: [{ _id: 'x', name: 'é' }] }, success: true };
    const answer = await prepareAnswer(payload);
    const text = JSON.stringify(payload);
    expect(answer.identity.bytes.toString('utf8')).toBe(text);
    expect(gunzipSync(answer.gzip.bytes).toString('utf8')).toBe(text);
    expect(brotliDecompressSync(answer.br.bytes).toString('utf8')).toBe(text);
    const tags = [answer.identity.etag, answer.gzip.etag, answer.br.etag];
    expect(new Set(tags).size).toBe(3);
    for (const tag of tags) expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect((await prepareAnswer(payload)).br.etag).toBe(answer.br.etag);
  });
});
