import { Alert, Badge, Button, Group, Switch, Tabs, Text, VisuallyHidden } from '@mantine/core';
import { useAuth } from '../../auth';
import { AppLink } from '../../components/AppLink';
import { DataTable, ListSearch, type Column } from '../../components/DataTable';
import { PageTitle } from '../../components/PageTitle';
import { useListState } from '../../hooks/useListState';
import type { Department } from '../../types';
import type { ListDefaults } from '../../utils/list-state';
import { DepartmentRowMenu } from './DepartmentRowMenu';
import { useDepartmentActionFlow } from './useDepartmentActionFlow';
import { useDepartmentsList, useRemovalAllowed, type DepartmentAction } from './useDepartments';
import { QueryError } from '../../components/QueryState';

const LIST: ListDefaults = {
  sort: { field: 'name', direction: 1 },
  pageSize: 25,
  sortFields: ['name', 'email', 'enabled', 'numAgents'],
  filters: { tab: ['archived'], enabled: ['1'] },
};

/** The list's columns; the last holds each row's menu. */
function departmentColumns(
  removalAllowed: boolean | undefined,
  onAction: (department: Department, action: DepartmentAction) => void,
): Column<Department>[] {
  const yesNo = (value: boolean) => (value ? 'Yes' : 'No');
  return [
    {
      key: 'name',
      label: 'Name',
      sortField: 'name',
      render: (department) => (
        <AppLink to={`/departments/${department._id}`} fw={600}>
          {department.name}
        </AppLink>
      ),
    },
    {
      key: 'description',
      label: 'Description',
      visibleFrom: 'md',
      render: (department) => (
        <Text size="sm" lineClamp={2}>
          {department.description}
        </Text>
      ),
    },
    { key: 'email', label: 'Email', sortField: 'email', render: (d) => d.email },
    {
      key: 'numAgents',
      label: 'Agents',
      sortField: 'numAgents',
      render: (department) => department.numAgents,
    },
    {
      key: 'enabled',
      label: 'Enabled',
      sortField: 'enabled',
      render: (department) =>
        department.archived ? (
          <Badge color="gray" variant="light" c="gray.8">
            Archived
          </Badge>
        ) : (
          yesNo(department.enabled)
        ),
    },
    {
      key: 'showOnRegistration',
      label: 'Show on registration',
      visibleFrom: 'md',
      render: (department) => yesNo(department.showOnRegistration),
    },
    {
      key: 'actions',
      label: <VisuallyHidden>Actions</VisuallyHidden>,
      title: 'Actions',
      render: (department) => (
        <DepartmentRowMenu
          department={department}
          removalAllowed={removalAllowed}
          onAction={onAction}
        />
      ),
    },
  ];
}

/** The departments list: All and Archived tabs, search, sort, pages and row actions, all in the URL. */
export function DepartmentsPage() {
  const { can, unitScoped } = useAuth();
  const list = useListState(LIST);
  const query = useDepartmentsList(list);
  const removalAllowed = useRemovalAllowed();
  const actions = useDepartmentActionFlow();
  const archivedTab = list.state.filters.tab === 'archived';

  if (!can('view-livechat-departments', 'view-l-room')) {
    return (
      <>
        <PageTitle>Departments</PageTitle>
        <Alert color="yellow">You do not have permission to view departments.</Alert>
      </>
    );
  }

  const columns = departmentColumns(removalAllowed, actions.ask);

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
      <Tabs
        value={archivedTab ? 'archived' : 'all'}
        onChange={(tab) => list.setFilter('tab', tab === 'archived' ? 'archived' : null)}
        mb="md"
      >
        <Tabs.List>
          <Tabs.Tab value="all">All</Tabs.Tab>
          <Tabs.Tab value="archived">Archived</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Group align="flex-end" mb="md" gap="md">
        <ListSearch list={list} label="Search departments" />
        {!archivedTab && (
          <Switch
            label="Enabled only"
            checked={list.state.filters.enabled === '1'}
            onChange={(event) =>
              list.setFilter('enabled', event.currentTarget.checked ? '1' : null)
            }
            mb={8}
          />
        )}
      </Group>
      {query.isError ? (
        <QueryError error={query.error} retry={() => void query.refetch()} />
      ) : (
        <DataTable
          label={archivedTab ? 'Archived departments' : 'Departments'}
          columns={columns}
          rows={query.data?.departments}
          rowKey={(department) => department._id}
          total={query.data?.total}
          list={list}
          loading={query.isPending}
          fetching={query.isFetching}
          noun={['department', 'departments']}
          empty={
            list.state.text
              ? `No department matches “${list.state.text}”.`
              : archivedTab
                ? 'No archived departments.'
                : unitScoped
                  ? 'No departments in the units you monitor.'
                  : 'No departments yet.'
          }
        />
      )}
      {actions.modal}
    </>
  );
}
