import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import {
  hashLoginToken,
  hashPasswordDigest,
  newLoginToken,
  passwordDigest,
  sameHash,
  verifyPasswordDigest,
} from './credentials';

describe('credentials (Meteor scheme)', () => {
  it('hashes login tokens as base64(sha256(token))', () => {
    expect(hashLoginToken('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });

  it('issues distinct, unguessable tokens', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newLoginToken()));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stores bcrypt(sha256_hex(password)), so Meteor-created users can log in', async () => {
    const digest = passwordDigest('s3cret!');
    expect(digest).toBe(createHash('sha256').update('s3cret!').digest('hex'));
    const stored = await hashPasswordDigest(digest);
    expect(stored).toMatch(/^\$2[aby]\$10\$/);
    // The stored hash is of the digest, never of the plain password.
    expect(await bcrypt.compare('s3cret!', stored)).toBe(false);
    expect(await verifyPasswordDigest(digest, stored)).toBe(true);
    expect(await verifyPasswordDigest(passwordDigest('wrong'), stored)).toBe(false);
  });

  it('compares hashes exactly, including length', () => {
    expect(sameHash('abc', 'abc')).toBe(true);
    expect(sameHash('abc', 'abd')).toBe(false);
    expect(sameHash('abc', 'abcd')).toBe(false);
  });
});
