import { Alert, Button, Text } from '@mantine/core';
import { useAuth } from '../../auth';
import { AppLink } from '../../components/AppLink';
import { DataTable, type Column } from '../../components/DataTable';
import { PageTitle } from '../../components/PageTitle';
import { QueryError } from '../../components/QueryState';
import { useListState } from '../../hooks/useListState';
import { useSetting } from '../../hooks/useSetting';
import { notifyError, notifySuccess } from '../../notify';
import type { ListDefaults } from '../../utils/list-state';
import {
  useDeletedDepartments,
  useRestoreDeleted,
  type DeletedDepartment,
} from './useRecentlyDeleted';

const LIST: ListDefaults = {
  sort: { field: 'deletedAt', direction: -1 },
  pageSize: 25,
  sortFields: ['deletedAt'],
};

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Deleted departments, restorable (with their agents, unit and references) for a number of days. */
export default function RecentlyDeletedPage() {
  const { can } = useAuth();
  const list = useListState(LIST);
  const deleted = useDeletedDepartments(list);
  const restore = useRestoreDeleted();
  const days = useSetting<number>('Omnichannel_department_restore_days', [
    'view-livechat-departments',
  ]);

  if (!can('view-livechat-departments')) {
    return (
      <>
        <PageTitle>Recently deleted</PageTitle>
        <Alert color="yellow">You do not have permission to see departments.</Alert>
      </>
    );
  }

  const onRestore = async (item: DeletedDepartment) => {
    try {
      const { department } = await restore.mutateAsync(item._id);
      notifySuccess(`${department.name} is restored.`);
    } catch (error) {
      notifyError(error, 'Not restored');
    }
  };

  const columns: Column<DeletedDepartment>[] = [
    { key: 'name', label: 'Department', render: (item) => item.name },
    {
      key: 'deleted',
      label: 'Deleted',
      render: (item) => (
        <div>
          <Text size="sm">{when(item.deletedAt)}</Text>
          <Text size="xs" c="gray.7">
            by {item.deletedBy.username}
          </Text>
        </div>
      ),
    },
    {
      key: 'restore',
      label: 'Restore',
      render: (item) =>
        can('manage-livechat-departments') && (
          <Button
            size="xs"
            variant="default"
            onClick={() => void onRestore(item)}
            aria-label={`Restore ${item.name}`}
            loading={restore.isPending && restore.variables === item._id}
          >
            Restore
          </Button>
        ),
    },
  ];

  return (
    <>
      <PageTitle>Recently deleted</PageTitle>
      <Text mb="md" c="gray.7">
        Deleted departments can be restored for{' '}
        {typeof days.data?.value === 'number' ? `${days.data.value} days` : 'a number of days'},
        with their agents (those still agents), unit and forwarding where these still exist. Then
        they are gone for good. Restored departments are back in{' '}
        <AppLink to="/" underline="always">
          Departments
        </AppLink>
        .
      </Text>
      {deleted.isError ? (
        <QueryError error={deleted.error} retry={() => void deleted.refetch()} />
      ) : (
        <DataTable
          label="Recently deleted departments"
          columns={columns}
          rows={deleted.data?.departments}
          rowKey={(item) => item._id}
          total={deleted.data?.total}
          list={list}
          loading={deleted.isPending}
          fetching={deleted.isFetching}
          noun={['department', 'departments']}
          empty="No recently deleted departments."
        />
      )}
    </>
  );
}
