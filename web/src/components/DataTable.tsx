import {
  Group,
  Select,
  Skeleton,
  Table,
  Text,
  TextInput,
  UnstyledButton,
  type TableTdProps,
} from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { useEffect, useState, type ReactNode } from 'react';
import type { ListControls } from '../hooks/useListState';
import { PAGE_SIZES } from '../utils/list-state';
import { PagePagination } from './PagePagination';

export interface Column<Row> {
  key: string;
  label: ReactNode;
  /** The API sort field, when the column sorts. */
  sortField?: string;
  render: (row: Row) => ReactNode;
  /** Hidden in the table below this width; a narrow screen's stacked rows show every column. */
  visibleFrom?: 'md' | 'lg';
  /** The column's name beside its value in a stacked row, when `label` is not plain text. */
  title?: string;
  cellProps?: TableTdProps;
}

/** The search box of a paged list: typed text reaches the URL (and the API) after a pause. */
export function ListSearch({ list, label }: { list: ListControls; label: string }) {
  const [value, setValue] = useState(list.state.text);
  const [settled] = useDebouncedValue(value.trim(), 300);
  // Back/forward changes the URL: the box follows it.
  useEffect(
    () => setValue((typed) => (typed.trim() === list.state.text ? typed : list.state.text)),
    [list.state.text],
  );
  useEffect(() => {
    if (settled !== list.state.text) list.setText(settled);
  }, [settled]);
  return (
    <TextInput
      label={label}
      type="search"
      value={value}
      onChange={(event) => setValue(event.currentTarget.value)}
      w={{ base: '100%', sm: 320 }}
    />
  );
}

/** Below Mantine's `sm` (stacked-table.css): each row is a block of labelled cells. */
export function useNarrowScreen(): boolean {
  return useMediaQuery('(max-width: 47.99em)') ?? false;
}

/**
 * Every paged list of the console: sortable headers (aria-sort), loading rows, an empty
 * message, the total, rows per page and pages, all driven by the list state in the URL. On a
 * narrow screen each row stacks its cells, each with its column's name, actions included.
 */
export function DataTable<Row>({
  label,
  columns,
  rows,
  rowKey,
  total,
  list,
  loading,
  fetching,
  empty,
  noun,
}: {
  label: string;
  columns: Column<Row>[];
  rows: Row[] | undefined;
  rowKey: (row: Row) => string;
  total: number | undefined;
  list: ListControls;
  loading: boolean;
  fetching: boolean;
  empty: ReactNode;
  /** Singular and plural for the total ("department", "departments"). */
  noun: [string, string];
}) {
  const { state } = list;
  const narrow = useNarrowScreen();
  const pages = total === undefined ? 1 : Math.max(1, Math.ceil(total / state.pageSize));
  const pastTheEnd = total !== undefined && state.page > pages;
  // A page past the end (an old link, a list that shrank) shows the last page instead.
  useEffect(() => {
    if (pastTheEnd) list.setPage(pages);
  }, [pastTheEnd, pages]);
  const shown = columns.map((column) => ({
    ...column,
    visibleFrom: narrow ? undefined : column.visibleFrom,
  }));
  return (
    <>
      <Table.ScrollContainer minWidth={narrow ? 0 : 300}>
        <Table
          className="stacked-table"
          // Explicit roles: a stacked row is display:block, which must not cost it its semantics.
          role="table"
          striped
          highlightOnHover
          aria-label={label}
          aria-busy={fetching}
          verticalSpacing="sm"
        >
          <DataTableHead columns={shown} list={list} />
          <Table.Tbody>
            {loading &&
              Array.from({ length: 5 }, (_, row) => (
                <Table.Tr key={row}>
                  {shown.map((column) => (
                    <Table.Td key={column.key} visibleFrom={column.visibleFrom}>
                      <Skeleton height={14} />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            {rows?.length === 0 && !pastTheEnd && (
              <Table.Tr>
                <Table.Td colSpan={columns.length}>
                  <Text c="gray.7" ta="center" py="md">
                    {empty}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {rows?.map((row) => (
              <Table.Tr key={rowKey(row)} role="row">
                {shown.map((column) => (
                  <Table.Td
                    key={column.key}
                    role="cell"
                    visibleFrom={column.visibleFrom}
                    style={{ overflowWrap: narrow ? undefined : 'anywhere' }}
                    data-label={
                      column.title ?? (typeof column.label === 'string' ? column.label : undefined)
                    }
                    {...column.cellProps}
                  >
                    {column.render(row)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <DataTableFooter list={list} total={total} pages={pages} noun={noun} />
    </>
  );
}

/** The header row: a sortable column's name is a button, its state in aria-sort. */
function DataTableHead<Row>({ columns, list }: { columns: Column<Row>[]; list: ListControls }) {
  const { sort } = list.state;
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((column) => {
          const active = column.sortField !== undefined && sort.field === column.sortField;
          const direction = sort.direction === 1 ? 'ascending' : 'descending';
          return (
            <Table.Th
              key={column.key}
              visibleFrom={column.visibleFrom}
              aria-sort={column.sortField === undefined ? undefined : active ? direction : 'none'}
            >
              {column.sortField ? (
                <UnstyledButton onClick={() => list.setSort(column.sortField!)} fw={700} fz="sm">
                  {column.label}
                  <span aria-hidden="true">
                    {active ? (sort.direction === 1 ? ' ▲' : ' ▼') : ''}
                  </span>
                </UnstyledButton>
              ) : (
                column.label
              )}
            </Table.Th>
          );
        })}
      </Table.Tr>
    </Table.Thead>
  );
}

/** The total, rows per page and the pages. */
function DataTableFooter({
  list,
  total,
  pages,
  noun,
}: {
  list: ListControls;
  total: number | undefined;
  pages: number;
  noun: [string, string];
}) {
  const { state } = list;
  return (
    <Group justify="space-between" mt="md" gap="md">
      <Text size="sm" c="gray.7" aria-live="polite">
        {total === undefined ? 'Loading…' : `${total} ${total === 1 ? noun[0] : noun[1]}`}
      </Text>
      <Group gap="md">
        <Select
          label="Rows per page"
          data={PAGE_SIZES.map(String)}
          value={String(state.pageSize)}
          onChange={(value) => list.setPageSize(Number(value ?? state.pageSize))}
          allowDeselect={false}
          w={120}
        />
        <PagePagination
          total={pages}
          value={state.page}
          onChange={list.setPage}
          aria-label="Pages"
        />
      </Group>
    </Group>
  );
}
