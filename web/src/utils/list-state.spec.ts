import { listStateToSearch, nextSort, parseListState, type ListDefaults } from './list-state';

const defaults: ListDefaults = {
  sort: { field: 'name', direction: 1 },
  pageSize: 25,
  sortFields: ['name', 'numAgents'],
  filters: { tab: ['archived'], enabled: ['1'] },
};

describe('list state in the URL', () => {
  it('round-trips search, filters, sort, page size and page', () => {
    const state = parseListState('q=sales&tab=archived&sort=-numAgents&count=50&page=3', defaults);
    expect(state).toEqual({
      text: 'sales',
      page: 3,
      pageSize: 50,
      sort: { field: 'numAgents', direction: -1 },
      filters: { tab: 'archived' },
    });
    expect(listStateToSearch(state, defaults)).toBe(
      'q=sales&tab=archived&sort=-numAgents&count=50&page=3',
    );
  });

  it('keeps defaults out of the URL and ignores what the list does not offer', () => {
    const state = parseListState('sort=password&page=-2&count=7&tab=deleted&other=1', defaults);
    expect(state).toEqual({ text: '', page: 1, pageSize: 25, sort: defaults.sort, filters: {} });
    expect(listStateToSearch(state, defaults)).toBe('');
  });

  it('flips the direction on the same column and starts ascending on another', () => {
    expect(nextSort({ field: 'name', direction: 1 }, 'name')).toEqual({
      field: 'name',
      direction: -1,
    });
    expect(nextSort({ field: 'name', direction: -1 }, 'name')).toEqual({
      field: 'name',
      direction: 1,
    });
    expect(nextSort({ field: 'name', direction: -1 }, 'numAgents')).toEqual({
      field: 'numAgents',
      direction: 1,
    });
  });
});
