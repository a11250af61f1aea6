// A paged list's state (search, filters, sort, page, page size) read from and written to the
// URL's query string, so Back and a shared link restore the list as it was. Defaults stay out
// of the URL.

export interface ListState {
  text: string;
  page: number;
  pageSize: number;
  sort: { field: string; direction: 1 | -1 };
  /** Named on/off or one-of filters (e.g. `tab=archived`, `enabled=1`). */
  filters: Record<string, string>;
}

export interface ListDefaults {
  sort: { field: string; direction: 1 | -1 };
  pageSize: number;
  /** The sort fields the list offers; anything else in the URL falls back to the default. */
  sortFields: readonly string[];
  /** The filter names the list reads, with their allowed values. */
  filters?: Record<string, readonly string[]>;
}

export const PAGE_SIZES = [10, 25, 50, 100] as const;

export function parseListState(search: string, defaults: ListDefaults): ListState {
  const params = new URLSearchParams(search);
  const page = Number(params.get('page'));
  const pageSize = Number(params.get('count'));
  const sortParam = params.get('sort') ?? '';
  const descending = sortParam.startsWith('-');
  const sortField = descending ? sortParam.slice(1) : sortParam;
  const filters: Record<string, string> = {};
  for (const [name, allowed] of Object.entries(defaults.filters ?? {})) {
    const value = params.get(name);
    if (value !== null && allowed.includes(value)) filters[name] = value;
  }
  return {
    text: params.get('q') ?? '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : defaults.pageSize,
    sort: defaults.sortFields.includes(sortField)
      ? { field: sortField, direction: descending ? -1 : 1 }
      : defaults.sort,
    filters,
  };
}

export function listStateToSearch(state: ListState, defaults: ListDefaults): string {
  const params = new URLSearchParams();
  if (state.text !== '') params.set('q', state.text);
  for (const [name, value] of Object.entries(state.filters)) if (value) params.set(name, value);
  if (state.sort.field !== defaults.sort.field || state.sort.direction !== defaults.sort.direction)
    params.set('sort', `${state.sort.direction === -1 ? '-' : ''}${state.sort.field}`);
  if (state.pageSize !== defaults.pageSize) params.set('count', String(state.pageSize));
  if (state.page > 1) params.set('page', String(state.page));
  return params.toString();
}

/** The next sort after a click on a column header: the same column flips, another starts ascending. */
export function nextSort(
  current: ListState['sort'],
  field: string,
): { field: string; direction: 1 | -1 } {
  return { field, direction: current.field === field && current.direction === 1 ? -1 : 1 };
}
