import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** Meteor's bcrypt cost factor. */
const BCRYPT_ROUNDS = 10;

/** Meteor hashes the sha256 hex digest of the password, not the password itself. */
export function passwordDigest(plain: string): string {
  return createHash('sha256').update(plain, 'utf8').digest('hex');
}

export function hashPasswordDigest(digest: string): Promise<string> {
  return bcrypt.hash(digest, BCRYPT_ROUNDS);
}

export function verifyPasswordDigest(digest: string, storedBcrypt: string): Promise<boolean> {
  return bcrypt.compare(digest, storedBcrypt);
}

/** A new login token: 256 random bits, URL-safe. Only its hash is ever stored. */
export function newLoginToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Meteor's `Accounts._hashLoginToken`: base64(sha256(token)). */
export function hashLoginToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
