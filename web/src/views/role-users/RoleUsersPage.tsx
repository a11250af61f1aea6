import { Alert, Button, Group, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { UseMutationResult, UseQueryResult } from '@tanstack/react-query';
import { useAuth } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { DataTable, ListSearch, type Column } from '../../components/DataTable';
import { PageTitle, rescueLostFocus } from '../../components/PageTitle';
import { QueryError } from '../../components/QueryState';
import { useListState, type ListControls } from '../../hooks/useListState';
import { notifyError, notifySuccess } from '../../notify';
import type { Page } from '../../types';
import type { ListDefaults } from '../../utils/list-state';
import { AddRoleUserForm } from './AddRoleUserForm';

export interface RoleUser {
  _id: string;
  username: string;
  name?: string;
}

const LIST: ListDefaults = {
  sort: { field: 'username', direction: 1 },
  pageSize: 25,
  sortFields: ['username', 'name'],
};

/** What differs between the screens of users with one role (Agents, Monitors). */
export interface RoleScreen<User extends RoleUser> {
  title: string;
  intro?: ReactNode;
  permission: string;
  /** "agent", "agents". */
  noun: [string, string];
  addLabel: string;
  useList: (list: ListControls) => UseQueryResult<Page & { users: User[] }>;
  useAdd: () => UseMutationResult<'made' | 'already', Error, string>;
  useRemove: () => UseMutationResult<unknown, Error, User>;
  /** What removing the role does to this user. */
  removeText: (user: User) => string;
  /** Columns between Name and the row's Remove (status, departments…). */
  columns?: Column<User>[];
}

/** The one screen of "the users with a role": add by username, search, list, remove after asking. */
export function RoleUsersPage<User extends RoleUser>({ screen }: { screen: RoleScreen<User> }) {
  const { can } = useAuth();
  const list = useListState(LIST);
  const users = screen.useList(list);
  const remove = screen.useRemove();
  const [removing, setRemoving] = useState<User | null>(null);
  const [one, many] = screen.noun;

  if (!can(screen.permission)) {
    return (
      <>
        <PageTitle>{screen.title}</PageTitle>
        <Alert color="yellow">You do not have permission to manage {many}.</Alert>
      </>
    );
  }

  const onRemove = async (user: User) => {
    try {
      await remove.mutateAsync(user);
      notifySuccess(`${user.username} is no longer ${article(one)} ${one}.`);
    } catch (error) {
      notifyError(error, 'Not removed');
    } finally {
      setRemoving(null);
      rescueLostFocus();
    }
  };

  const columns: Column<User>[] = [
    {
      key: 'username',
      label: 'Username',
      sortField: 'username',
      render: (user) => (
        <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
          {user.username}
        </Text>
      ),
    },
    { key: 'name', label: 'Name', sortField: 'name', render: (user) => user.name },
    ...(screen.columns ?? []),
    {
      key: 'remove',
      label: 'Remove',
      render: (user) => (
        <Button
          variant="subtle"
          color="red"
          size="xs"
          onClick={() => setRemoving(user)}
          aria-label={`Remove ${user.username}`}
        >
          Remove
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageTitle>{screen.title}</PageTitle>
      {screen.intro}
      <AddRoleUserForm noun={one} addLabel={screen.addLabel} useAdd={screen.useAdd} />
      <Group mb="md">
        <ListSearch list={list} label={`Search ${many}`} />
      </Group>
      {users.isError ? (
        <QueryError error={users.error} retry={() => void users.refetch()} />
      ) : (
        <DataTable
          label={screen.title}
          columns={columns}
          rows={users.data?.users}
          rowKey={(user) => user._id}
          total={users.data?.total}
          list={list}
          loading={users.isPending}
          fetching={users.isFetching}
          noun={screen.noun}
          empty={list.state.text ? `No ${one} matches “${list.state.text}”.` : `No ${many} yet.`}
        />
      )}
      <ConfirmModal
        opened={removing !== null}
        title={`Remove ${one}?`}
        subject={removing?.username}
        confirmLabel={`Remove ${one}`}
        danger
        busy={remove.isPending}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && void onRemove(removing)}
      >
        {removing ? screen.removeText(removing) : ''}
      </ConfirmModal>
    </>
  );
}

export function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? 'an' : 'a';
}
