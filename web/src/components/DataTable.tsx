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
import { useDebouncedValue } from '@mantine/hooks';
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
  /** Hidden below this breakpoint (the table reflows at 360 px instead of scrolling). */
  visibleFrom?: 'xs' | 'sm' | 'md' | 'lg';
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

/**
 * Every paged list of the console: sortable headers (aria-sort), loading rows, an empty
 * message, the total, rows per page and pages, all driven by the list state in the URL.
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
  const pages = total === undefined ? 1 : Math.max(1, Math.ceil(total / state.pageSize));
  return (
    <>
      {/* The table scrolls inside its box on a narrow screen, never the page. */}
      <Table.ScrollContainer minWidth={300}>
        <Table
          striped
          highlightOnHover
          aria-label={label}
          aria-busy={fetching}
          verticalSpacing="sm"
        >
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => {
                const active =
                  column.sortField !== undefined && state.sort.field === column.sortField;
                return (
                  <Table.Th
                    key={column.key}
                    visibleFrom={column.visibleFrom}
                    aria-sort={
                      column.sortField === undefined
                        ? undefined
                        : active
                          ? state.sort.direction === 1
                            ? 'ascending'
                            : 'descending'
                          : 'none'
                    }
                  >
                    {column.sortField ? (
                      <UnstyledButton
                        onClick={() => list.setSort(column.sortField!)}
                        fw={700}
                        fz="sm"
                      >
                        {column.label}
                        <span aria-hidden="true">
                          {active ? (state.sort.direction === 1 ? ' ▲' : ' ▼') : ''}
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
          <Table.Tbody>
            {loading &&
              Array.from({ length: 5 }, (_, row) => (
                <Table.Tr key={row}>
                  {columns.map((column) => (
                    <Table.Td key={column.key} visibleFrom={column.visibleFrom}>
                      <Skeleton height={14} />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            {rows?.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={columns.length}>
                  <Text c="gray.7" ta="center" py="md">
                    {empty}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {rows?.map((row) => (
              <Table.Tr key={rowKey(row)}>
                {columns.map((column) => (
                  <Table.Td
                    key={column.key}
                    visibleFrom={column.visibleFrom}
                    style={{ overflowWrap: 'anywhere' }}
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
      {columns.some((column) => column.visibleFrom) && (
        <Text size="xs" c="gray.7" mt="xs" hiddenFrom="sm">
          Some columns are hidden on a narrow screen; open a row to see all its details.
        </Text>
      )}
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
    </>
  );
}
