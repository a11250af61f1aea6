import {
  Alert,
  Badge,
  Button,
  Group,
  Select,
  Skeleton,
  Switch,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText, get } from '../api';
import { useAuth } from '../auth';
import { AppLink } from '../components/AppLink';
import { PageTitle } from '../components/PageTitle';
import type { Department, Page } from '../types';
import { PagePagination } from '../components/PagePagination';

type SortField = 'name' | 'email' | 'enabled' | 'numAgents';
const COLUMNS: { field: SortField; label: string }[] = [
  { field: 'name', label: 'Name' },
  { field: 'email', label: 'Email' },
  { field: 'enabled', label: 'Enabled' },
  { field: 'numAgents', label: 'Agents' },
];
const PAGE_SIZES = ['10', '25', '50', '100'];

export function DepartmentsPage() {
  const { can } = useAuth();
  const [search, setSearch] = useState('');
  const [text] = useDebouncedValue(search.trim(), 300);
  const [enabledOnly, setEnabledOnly] = useState(false);
  const [showArchived, setShowArchived] = useState(false);
  const [sort, setSort] = useState<{ field: SortField; direction: 1 | -1 }>({
    field: 'name',
    direction: 1,
  });
  const [pageSize, setPageSize] = useState(25);
  const [page, setPage] = useState(1);

  const query = useQuery({
    queryKey: ['departments', { text, enabledOnly, showArchived, sort, pageSize, page }],
    queryFn: () =>
      get<Page & { departments: Department[] }>('livechat/department', {
        text,
        enabled: enabledOnly ? true : undefined,
        showArchived: showArchived ? true : undefined,
        sort: JSON.stringify({ [sort.field]: sort.direction }),
        count: pageSize,
        offset: (page - 1) * pageSize,
      }),
    placeholderData: keepPreviousData,
    enabled: can('view-livechat-departments', 'view-l-room'),
  });

  if (!can('view-livechat-departments', 'view-l-room')) {
    return (
      <>
        <PageTitle>Departments</PageTitle>
        <Alert color="yellow">You do not have permission to view departments.</Alert>
      </>
    );
  }

  const toggleSort = (field: SortField) => {
    setSort((current) => ({
      field,
      direction: current.field === field ? (current.direction === 1 ? -1 : 1) : 1,
    }));
    setPage(1);
  };
  const pages = query.data ? Math.max(1, Math.ceil(query.data.total / pageSize)) : 1;

  return (
    <>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Departments</PageTitle>
        {can('manage-livechat-departments') && (
          <Button component={AppLink} to="/departments/new" underline="never" c="white">
            New department
          </Button>
        )}
      </Group>
      <Group align="flex-end" mb="md" gap="md">
        <TextInput
          label="Search departments"
          type="search"
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            setPage(1);
          }}
          w={{ base: '100%', sm: 320 }}
        />
        <Switch
          label="Enabled only"
          checked={enabledOnly}
          onChange={(event) => {
            setEnabledOnly(event.currentTarget.checked);
            setPage(1);
          }}
          mb={8}
        />
        <Switch
          label="Show archived"
          checked={showArchived}
          onChange={(event) => {
            setShowArchived(event.currentTarget.checked);
            setPage(1);
          }}
          mb={8}
        />
      </Group>

      {query.isError ? (
        <Alert color="red" title="The departments could not be loaded" role="alert">
          <Text mb="sm">{errorText(query.error)}</Text>
          <Button variant="default" size="xs" onClick={() => void query.refetch()}>
            Try again
          </Button>
        </Alert>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped highlightOnHover aria-busy={query.isFetching} verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                {COLUMNS.map((column) => {
                  const active = sort.field === column.field;
                  return (
                    <Table.Th
                      key={column.field}
                      aria-sort={
                        active ? (sort.direction === 1 ? 'ascending' : 'descending') : 'none'
                      }
                    >
                      <UnstyledButton onClick={() => toggleSort(column.field)} fw={700} fz="sm">
                        {column.label}
                        <span aria-hidden="true">
                          {active ? (sort.direction === 1 ? ' ▲' : ' ▼') : ''}
                        </span>
                      </UnstyledButton>
                    </Table.Th>
                  );
                })}
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.isPending &&
                Array.from({ length: 5 }, (_, row) => (
                  <Table.Tr key={row}>
                    {Array.from({ length: 5 }, (_, cell) => (
                      <Table.Td key={cell}>
                        <Skeleton height={14} />
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              {query.data?.departments.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text c="gray.7" ta="center" py="md">
                      {text ? `No department matches “${text}”.` : 'No departments yet.'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {query.data?.departments.map((department) => (
                <Table.Tr key={department._id}>
                  <Table.Td>
                    <AppLink to={`/departments/${department._id}`} fw={600}>
                      {department.name}
                    </AppLink>
                  </Table.Td>
                  <Table.Td>{department.email}</Table.Td>
                  <Table.Td>{department.enabled ? 'Yes' : 'No'}</Table.Td>
                  <Table.Td>{department.numAgents}</Table.Td>
                  <Table.Td>
                    {department.archived && (
                      <Badge color="gray" variant="light" c="gray.8">
                        Archived
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Group justify="space-between" mt="md" gap="md">
        <Text size="sm" c="gray.7" aria-live="polite">
          {query.data
            ? `${query.data.total} department${query.data.total === 1 ? '' : 's'}`
            : 'Loading departments…'}
        </Text>
        <Group gap="md">
          <Select
            label="Rows per page"
            data={PAGE_SIZES}
            value={String(pageSize)}
            onChange={(value) => {
              setPageSize(Number(value ?? 25));
              setPage(1);
            }}
            allowDeselect={false}
            w={120}
          />
          <PagePagination total={pages} value={page} onChange={setPage} aria-label="Pages" />
        </Group>
      </Group>
    </>
  );
}
