import { ApiError } from './api-error';

/** Deeper JSON than any request of the contract needs (its deepest is 3 levels). */
export const MAX_BODY_DEPTH = 32;

/** Keys class-transformer drops silently (so the unknown-key check would never see them). */
function isPrototypeKey(key: string): boolean {
  return key in Object.prototype || key === 'prototype';
}

/**
 * Checks a parsed JSON body before validation, iteratively (no recursion to overflow):
 * nesting depth, keys that are never field names (`$…`, dotted, or Object.prototype
 * members such as `constructor`, which class-transformer would silently drop instead of
 * reporting), and strings that are not well-formed UTF-16 (validator.js throws on them).
 */
export function assertSafeBody(body: unknown): void {
  const pending: { value: unknown; path: string; depth: number }[] = [
    { value: body, path: '', depth: 0 },
  ];
  while (pending.length) {
    const { value, path, depth } = pending.pop() as (typeof pending)[number];
    if (typeof value === 'string') {
      if (!value.isWellFormed())
        throw ApiError.invalidParams(`${path || 'body'} must be valid unicode text`);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      throw ApiError.invalidParams(
        `${path || 'body'} is nested deeper than ${MAX_BODY_DEPTH} levels`,
      );
    }
    const isArray = Array.isArray(value);
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (!isArray && (key.startsWith('$') || key.includes('.') || isPrototypeKey(key))) {
        throw ApiError.invalidParams(`${childPath} is not allowed`);
      }
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
}
