import { randomBytes } from 'node:crypto';

/** Meteor's id alphabet (no 0, 1, I, O, U, V, l, ...), as in Rocket.Chat ids. */
export const ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
const ID_LENGTH = 17;
// Largest multiple of the alphabet size below 256: bytes at or above it are
// discarded so every character is equally likely (no modulo bias).
const UNBIASED_LIMIT = 256 - (256 % ID_ALPHABET.length);

/** A random 17-character Meteor-style id from a cryptographically secure source. */
export function randomId(length = ID_LENGTH): string {
  let id = '';
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < UNBIASED_LIMIT) {
        id += ID_ALPHABET[byte % ID_ALPHABET.length];
        if (id.length === length) break;
      }
    }
  }
  return id;
}
