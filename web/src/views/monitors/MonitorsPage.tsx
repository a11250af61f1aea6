import { Alert, Autocomplete, Button, Group, Modal, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { errorText } from '../../api';
import { useAuth } from '../../auth';
import { DataTable, ListSearch, type Column } from '../../components/DataTable';
import { PageTitle } from '../../components/PageTitle';
import { useListState } from '../../hooks/useListState';
import { useUserSuggestions } from '../../hooks/useUserSuggestions';
import { notifyError, notifySuccess } from '../../notify';
import type { Monitor } from '../../types';
import type { ListDefaults } from '../../utils/list-state';
import { useAddMonitor, useMonitorsList, useRemoveMonitor } from './useMonitors';

const LIST: ListDefaults = {
  sort: { field: 'username', direction: 1 },
  pageSize: 25,
  sortFields: ['username', 'name'],
};

/** Monitors: supervisors of units, who see and manage only their units' departments. */
export default function MonitorsPage() {
  const { can } = useAuth();
  const list = useListState(LIST);
  const monitors = useMonitorsList(list);
  const addMonitor = useAddMonitor();
  const removeMonitor = useRemoveMonitor();
  const [removing, setRemoving] = useState<Monitor | null>(null);
  const addForm = useForm<{ username: string }>({ defaultValues: { username: '' } });
  const [typed] = useDebouncedValue(addForm.watch('username').trim(), 250);
  const suggestions = useUserSuggestions(typed);

  if (!can('manage-livechat-monitors')) {
    return (
      <>
        <PageTitle>Monitors</PageTitle>
        <Alert color="yellow">You do not have permission to manage monitors.</Alert>
      </>
    );
  }

  const onAdd = addForm.handleSubmit(async ({ username }) => {
    const name = username.trim();
    try {
      const outcome = await addMonitor.mutateAsync(name);
      addForm.reset();
      notifySuccess(
        outcome === 'already' ? `${name} is already a monitor.` : `${name} is now a monitor.`,
      );
    } catch (error) {
      addForm.setError('username', { message: errorText(error) }, { shouldFocus: true });
    }
  });

  const onRemove = async (monitor: Monitor) => {
    try {
      await removeMonitor.mutateAsync(monitor.username);
      notifySuccess(`${monitor.username} is no longer a monitor.`);
    } catch (error) {
      notifyError(error, 'Not removed');
    } finally {
      setRemoving(null);
    }
  };

  const columns: Column<Monitor>[] = [
    {
      key: 'username',
      label: 'Username',
      sortField: 'username',
      render: (monitor) => (
        <Text fw={600} size="sm">
          {monitor.username}
        </Text>
      ),
    },
    {
      key: 'name',
      label: 'Name',
      sortField: 'name',
      visibleFrom: 'sm',
      render: (monitor) => monitor.name,
    },
    {
      key: 'email',
      label: 'Email',
      visibleFrom: 'md',
      render: (monitor) => monitor.emails?.[0]?.address,
    },
    {
      key: 'actions',
      label: 'Actions',
      render: (monitor) => (
        <Button
          variant="subtle"
          color="red"
          size="xs"
          onClick={() => setRemoving(monitor)}
          aria-label={`Remove ${monitor.username}`}
        >
          Remove
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageTitle>Monitors</PageTitle>
      <Text c="gray.7" mb="md" maw={720}>
        A monitor supervises the departments of its units: it sees and manages those departments
        only. Give it units on the Units screen.
      </Text>
      <form onSubmit={onAdd} noValidate aria-label="Add a monitor">
        <Group align="flex-start" mb="lg">
          <Controller
            control={addForm.control}
            name="username"
            rules={{ validate: (value) => value.trim() !== '' || 'Enter a username' }}
            render={({ field }) => (
              <Autocomplete
                label="Username"
                description="Type a username or name, then pick a user"
                error={addForm.formState.errors.username?.message}
                data={(suggestions.data ?? []).map((user) => user.username)}
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                ref={field.ref}
                w={{ base: '100%', sm: 280 }}
              />
            )}
          />
          <Button type="submit" mt={{ base: 0, sm: 44 }} loading={addForm.formState.isSubmitting}>
            Add monitor
          </Button>
        </Group>
      </form>
      <Group mb="md">
        <ListSearch list={list} label="Search monitors" />
      </Group>
      {monitors.isError ? (
        <Alert color="red" role="alert">
          {errorText(monitors.error)}
        </Alert>
      ) : (
        <DataTable
          label="Monitors"
          columns={columns}
          rows={monitors.data?.monitors}
          rowKey={(monitor) => monitor._id}
          total={monitors.data?.total}
          list={list}
          loading={monitors.isPending}
          fetching={monitors.isFetching}
          noun={['monitor', 'monitors']}
          empty={list.state.text ? `No monitor matches “${list.state.text}”.` : 'No monitors yet.'}
        />
      )}
      <Modal
        opened={removing !== null}
        onClose={() => setRemoving(null)}
        title="Remove monitor?"
        centered
      >
        <Text mb="lg">
          {removing?.username} loses the monitor role and leaves every unit it monitors. Its units
          and their departments stay.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setRemoving(null)}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={removeMonitor.isPending}
            onClick={() => removing && void onRemove(removing)}
          >
            Remove monitor
          </Button>
        </Group>
      </Modal>
    </>
  );
}
