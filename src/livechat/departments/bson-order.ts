/**
 * MongoDB's sort order for the values a department holds, so a list sorted in memory comes
 * out as the database would sort it: missing and null first, then numbers, strings, objects,
 * arrays, booleans, dates (BSON's order of types), and within a type by value. Strings compare
 * by code point (the database compares their UTF-8 bytes, which is the same order), not by
 * UTF-16 unit as JavaScript's `<` does.
 */
export function compareBson(a: unknown, b: unknown): number {
  const typeOrder = rankOf(a) - rankOf(b);
  if (typeOrder !== 0) return Math.sign(typeOrder);
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  return 0; // objects and arrays: no department field sorted on holds one
}

function rankOf(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  if (value instanceof Date) return 6;
  if (typeof value === 'boolean') return 5;
  if (Array.isArray(value)) return 4;
  return 3;
}

function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y) < 0 ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}

/** Surrogates (code points above U+FFFF) sort after U+E000–U+FFFF by code point. */
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
