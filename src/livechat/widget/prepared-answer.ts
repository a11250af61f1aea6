import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** One encoding of an answer: the bytes sent and their strong ETag. */
export interface EncodedAnswer {
  readonly bytes: Buffer;
  readonly etag: string;
}

/** A ready-to-send answer in every content coding the service offers. */
export type PreparedAnswer = Readonly<Record<ContentCoding, EncodedAnswer>>;

/** Preferred first when a client accepts several equally. */
const PREFERENCE: readonly ContentCoding[] = ['br', 'gzip', 'identity'];

/**
 * Brotli quality 5: on the 110 KB answer of 1,000 departments it is about 2 ms and 4 % larger
 * than quality 11, which takes over half a second (measured with node:zlib); gzip at 9 costs
 * about as much as at 6 and is a little smaller.
 */
const BROTLI_QUALITY = 5;
const GZIP_LEVEL = 9;

/**
 * The JSON text of `payload` and its gzip and brotli encodings, each with its own strong ETag
 * (a content coding is a different representation: RFC 9110 §8.8.3). Compressed on libuv's
 * thread pool, so a rebuild does not hold the event loop.
 */
export async function prepareAnswer(payload: unknown): Promise<PreparedAnswer> {
  const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
  const tag = createHash('sha1').update(bytes).digest('base64url');
  const [gzipped, brotli] = await Promise.all([
    gzipAsync(bytes, { level: GZIP_LEVEL }),
    brotliAsync(bytes, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  ]);
  return {
    identity: { bytes, etag: `"${tag}"` },
    gzip: { bytes: gzipped, etag: `"${tag}-gzip"` },
    br: { bytes: brotli, etag: `"${tag}-br"` },
  };
}

/**
 * The content coding to answer with for `Accept-Encoding` (RFC 9110 §12.5.3): the acceptable
 * one with the highest q, br before gzip before identity on a tie. `q=0` refuses a coding;
 * `*` stands for every coding not named. Identity is acceptable unless refused (`identity;q=0`
 * or `*;q=0`); when nothing is acceptable the answer is sent as identity anyway (a 406 would
 * leave the widget empty).
 */
export function chooseCoding(acceptEncoding: string | undefined): ContentCoding {
  if (!acceptEncoding) return 'identity';
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (!coding) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key.trim().toLowerCase() === 'q') {
        const parsed = Number(value?.trim());
        q = Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 0;
      }
    }
    weights.set(coding, q);
  }
  // An identity the header does not name ranks with its least wanted coding (as the
  // `negotiator` package does), so `br;q=0.5, gzip;q=0.8` gets gzip, not identity.
  const unnamedIdentity = weights.size ? Math.min(...weights.values()) : 1;
  const weightOf = (coding: ContentCoding): number =>
    weights.get(coding) ??
    weights.get('*') ??
    (coding === 'identity' ? Math.max(unnamedIdentity, Number.MIN_VALUE) : 0);
  let best: ContentCoding = 'identity';
  let bestWeight = 0;
  for (const coding of PREFERENCE) {
    const weight = weightOf(coding);
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

/** `If-None-Match` names `etag` (weak comparison, as RFC 9110 §13.1.2 asks), or is `*`. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === '*' || candidate === etag || candidate === `W/${etag}`;
  });
}
