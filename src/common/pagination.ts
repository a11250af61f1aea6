import type { Model, ProjectionType, QueryFilter } from 'mongoose';
import { ApiError } from './api-error';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

export type SortSpec = Record<string, 1 | -1>;

export interface Page {
  offset: number;
  count: number;
  sort: SortSpec;
}

export interface PageQuery {
  count?: unknown;
  offset?: unknown;
  sort?: unknown;
}

/**
 * Rocket.Chat pagination: `count` (default 50, `0` or more than 100 clamped to 100),
 * `offset` (default 0), `sort` as a JSON object of allowed fields. `_id` is always the
 * last sort key so pages are stable.
 */
export function parsePage(
  query: PageQuery,
  allowedSortFields: readonly string[],
  defaultSort: SortSpec,
): Page {
  const count = parseNonNegativeInt(query.count, 'count') ?? DEFAULT_PAGE_SIZE;
  const offset = parseNonNegativeInt(query.offset, 'offset') ?? 0;
  const sort =
    query.sort === undefined ? { ...defaultSort } : parseSort(query.sort, allowedSortFields);
  return {
    count: count === 0 || count > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : count,
    offset,
    sort: { ...sort, _id: 1 },
  };
}

function parseNonNegativeInt(raw: unknown, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) {
    throw ApiError.invalidParams(`${name} must be a non-negative integer`);
  }
  return Math.min(Number(raw), Number.MAX_SAFE_INTEGER);
}

function parseSort(raw: unknown, allowed: readonly string[]): SortSpec {
  const invalid = () =>
    ApiError.badRequest(
      'error-invalid-sort',
      `Invalid sort parameter provided: "${typeof raw === 'string' ? raw : JSON.stringify(raw)}"`,
    );
  if (typeof raw !== 'string') throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed);
  if (entries.length === 0) throw invalid();
  const sort: SortSpec = {};
  for (const [field, direction] of entries) {
    if (!allowed.includes(field) || (direction !== 1 && direction !== -1)) throw invalid();
    sort[field] = direction;
  }
  return sort;
}

/** The paginated envelope: `{ <items>, count, offset, total }`. */
export function pageEnvelope<K extends string, T>(
  key: K,
  items: T[],
  page: Page,
  total: number,
): Record<K, T[]> & { count: number; offset: number; total: number } {
  return { [key]: items, count: items.length, offset: page.offset, total } as Record<K, T[]> & {
    count: number;
    offset: number;
    total: number;
  };
}

/** Escapes a user string so it matches literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One page of `model` matching `filter`, and the total count, read in parallel. */
export async function findPage<T, Item = T>(
  model: Model<T>,
  filter: QueryFilter<T>,
  page: Page,
  projection?: ProjectionType<T>,
): Promise<{ items: Item[]; total: number }> {
  const [items, total] = await Promise.all([
    model
      .find(filter, projection)
      .sort(page.sort)
      .skip(page.offset)
      .limit(page.count)
      .lean<Item[]>(),
    model.countDocuments(filter),
  ]);
  return { items, total };
}
