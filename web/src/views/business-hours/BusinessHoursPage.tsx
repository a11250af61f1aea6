import { Alert, Badge, Button, Group, Text } from '@mantine/core';
import { useAuth } from '../../auth';
import { isOpenAt } from '../../business-hours';
import { AppLink, useGuardedNavigate } from '../../components/AppLink';
import { DataTable, ListSearch, type Column } from '../../components/DataTable';
import { PageTitle } from '../../components/PageTitle';
import { useListState } from '../../hooks/useListState';
import type { BusinessHour } from '../../types';
import type { ListDefaults } from '../../utils/list-state';
import { useBusinessHourSettings, useBusinessHoursList } from './useBusinessHours';
import { QueryError } from '../../components/QueryState';

const LIST: ListDefaults = {
  sort: { field: 'name', direction: 1 },
  pageSize: 25,
  sortFields: ['name'],
};

/** The business-hours schedules: the default one and the custom ones tied to departments. */
export default function BusinessHoursPage() {
  const { can } = useAuth();
  const navigate = useGuardedNavigate();
  const list = useListState(LIST);
  const query = useBusinessHoursList(list);
  const settings = useBusinessHourSettings();

  if (!can('view-livechat-business-hours')) {
    return (
      <>
        <PageTitle>Business hours</PageTitle>
        <Alert color="yellow">You do not have permission to view business hours.</Alert>
      </>
    );
  }
  const columns: Column<BusinessHour>[] = [
    {
      key: 'name',
      label: 'Name',
      render: (schedule) => (
        <AppLink to={`/business-hours/${schedule._id}`} fw={600}>
          {schedule.type === 'default' ? `${schedule.name || 'Default'} (default)` : schedule.name}
        </AppLink>
      ),
    },
    { key: 'timezone', label: 'Time zone', render: (schedule) => schedule.timezone?.name },
    { key: 'active', label: 'Active', render: (s) => (s.active ? 'Yes' : 'No') },
    {
      key: 'now',
      label: 'Now',
      render: (schedule) => {
        const open = isOpenAt(schedule);
        return (
          <Badge color={open ? 'green' : 'gray'} variant="light" c={open ? 'green.9' : 'gray.8'}>
            {open ? 'Open' : 'Closed'}
          </Badge>
        );
      },
    },
  ];
  return (
    <>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Business hours</PageTitle>
        {can('manage-livechat-business-hours') && (
          <Button onClick={() => navigate('/business-hours/new')}>New schedule</Button>
        )}
      </Group>
      <Alert color={settings.enabled === false ? 'yellow' : 'blue'} mb="md" title="In effect">
        {settings.enabled === false
          ? 'Business hours are turned off in Settings: every department is open whenever an agent is available. These schedules apply once they are turned on.'
          : settings.mode === 'Single'
            ? 'Business hours are on, in Single mode: every department follows the default schedule; custom schedules are ignored until Settings switch to Multiple.'
            : settings.mode === 'Multiple'
              ? 'Business hours are on, in Multiple mode: a department follows its active custom schedule, else the default one.'
              : 'A department follows its active custom schedule, else the default one. Whether business hours are in use, and in which mode, is set in Settings by an administrator.'}
      </Alert>
      <Group mb="md">
        <ListSearch list={list} label="Search schedules" />
      </Group>
      {query.isError ? (
        <QueryError error={query.error} retry={() => void query.refetch()} />
      ) : (
        <DataTable
          label="Schedules"
          columns={columns}
          rows={query.data?.businessHours}
          rowKey={(schedule) => schedule._id}
          total={query.data?.total}
          list={list}
          loading={query.isPending}
          fetching={query.isFetching}
          noun={['schedule', 'schedules']}
          empty={list.state.text ? `No schedule matches “${list.state.text}”.` : 'No schedules.'}
        />
      )}
      <Text size="sm" c="gray.7" mt="md">
        Open and Closed are read in each schedule's own time zone.
      </Text>
    </>
  );
}
