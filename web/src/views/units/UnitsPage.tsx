import { Alert, Button, Group, Text, VisuallyHidden } from '@mantine/core';
import { RowMenu } from '../../components/RowMenu';
import { useState } from 'react';
import { useAuth } from '../../auth';
import { AppLink, useGuardedNavigate } from '../../components/AppLink';
import { DataTable, ListSearch, type Column } from '../../components/DataTable';
import { PageTitle } from '../../components/PageTitle';
import { useListState } from '../../hooks/useListState';
import type { Unit } from '../../types';
import type { ListDefaults } from '../../utils/list-state';
import { DeleteUnitModal } from './DeleteUnitModal';
import { useMayListUnits, useUnitsList } from './useUnits';
import { VISIBILITY_LABELS } from './utils/unitForm';
import { QueryError } from '../../components/QueryState';

const LIST: ListDefaults = {
  sort: { field: 'name', direction: 1 },
  pageSize: 25,
  sortFields: ['name', 'visibility', 'numMonitors', 'numDepartments'],
};

/**
 * Units: groups of departments, each with its monitors. Managers create, edit and delete them;
 * a monitor sees its own units, read only.
 */
export function UnitsPage() {
  const { can } = useAuth();
  const mayList = useMayListUnits();
  const mayManage = can('manage-livechat-units');
  const navigate = useGuardedNavigate();
  const list = useListState(LIST);
  const query = useUnitsList(list);
  const [deleting, setDeleting] = useState<Unit | null>(null);

  if (!mayList) {
    return (
      <>
        <PageTitle>Units</PageTitle>
        <Alert color="yellow">You do not have permission to view units.</Alert>
      </>
    );
  }

  const columns: Column<Unit>[] = [
    {
      key: 'name',
      label: 'Name',
      sortField: 'name',
      render: (unit) =>
        mayManage ? (
          <AppLink to={`/units/${unit._id}`} fw={600}>
            {unit.name}
          </AppLink>
        ) : (
          <Text fw={600} size="sm">
            {unit.name}
          </Text>
        ),
    },
    {
      key: 'visibility',
      label: 'Visibility',
      sortField: 'visibility',

      render: (unit) => VISIBILITY_LABELS[unit.visibility] ?? unit.visibility,
    },
    {
      key: 'numMonitors',
      label: 'Monitors',
      sortField: 'numMonitors',
      render: (unit) => unit.numMonitors,
    },
    {
      key: 'numDepartments',
      label: 'Departments',
      sortField: 'numDepartments',
      render: (unit) => unit.numDepartments,
    },
  ];
  if (mayManage) {
    columns.push({
      key: 'actions',
      label: <VisuallyHidden>Actions</VisuallyHidden>,
      title: 'Actions',
      render: (unit) => (
        <RowMenu
          label={`Actions for ${unit.name}`}
          items={[
            { label: 'Edit', onClick: () => navigate(`/units/${unit._id}`) },
            { label: 'Delete', color: 'red', onClick: () => setDeleting(unit) },
          ]}
        />
      ),
    });
  }

  return (
    <>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Units</PageTitle>
        {mayManage && (
          <Button component={AppLink} to="/units/new" underline="never" c="white">
            New unit
          </Button>
        )}
      </Group>
      <Text c="gray.7" mb="md" maw={720}>
        {mayManage
          ? 'A unit groups departments under its monitors, who see and manage those departments only. A department is in one unit at most.'
          : 'The units you monitor: you see and manage their departments.'}
      </Text>
      <Group mb="md">
        <ListSearch list={list} label="Search units" />
      </Group>
      {query.isError ? (
        <QueryError error={query.error} retry={() => void query.refetch()} />
      ) : (
        <DataTable
          label="Units"
          columns={columns}
          rows={query.data?.units}
          rowKey={(unit) => unit._id}
          total={query.data?.total}
          list={list}
          loading={query.isPending}
          fetching={query.isFetching}
          noun={['unit', 'units']}
          empty={
            list.state.text
              ? `No unit matches “${list.state.text}”.`
              : mayManage
                ? 'No units yet.'
                : 'You monitor no unit yet.'
          }
        />
      )}
      <DeleteUnitModal unit={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
