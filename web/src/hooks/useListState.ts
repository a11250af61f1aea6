import { useLocation, useSearch } from 'wouter';
import {
  listStateToSearch,
  nextSort,
  parseListState,
  type ListDefaults,
  type ListState,
} from '../utils/list-state';

/**
 * A paged list's state kept in the URL (replacing the entry, so typing does not fill the
 * history): Back from a department returns to the same search, tab, sort and page.
 */
export function useListState(defaults: ListDefaults) {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const state = parseListState(search, defaults);
  const update = (change: Partial<ListState>, keepPage = false) => {
    const next = { ...state, ...change, page: keepPage ? (change.page ?? state.page) : 1 };
    const query = listStateToSearch(next, defaults);
    navigate(query ? `${location}?${query}` : location, { replace: true });
  };
  return {
    state,
    setText: (text: string) => update({ text }),
    setFilter: (name: string, value: string | null) => {
      const filters = { ...state.filters };
      if (value) filters[name] = value;
      else delete filters[name];
      update({ filters });
    },
    setSort: (field: string) => update({ sort: nextSort(state.sort, field) }),
    setPage: (page: number) => update({ page }, true),
    setPageSize: (pageSize: number) => update({ pageSize }),
    /** The API's `sort`, `count` and `offset` for this state. */
    query: {
      // Rows equal on the chosen column keep the list's default order (not the storage order).
      sort: JSON.stringify({
        [state.sort.field]: state.sort.direction,
        ...(state.sort.field === defaults.sort.field
          ? {}
          : { [defaults.sort.field]: defaults.sort.direction }),
      }),
      count: state.pageSize,
      offset: (state.page - 1) * state.pageSize,
    },
  };
}

export type ListControls = ReturnType<typeof useListState>;
