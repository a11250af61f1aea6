import {
  Alert,
  Autocomplete,
  Badge,
  Button,
  Group,
  List,
  Modal,
  Select,
  Text,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { errorText } from '../../api';
import { useAuth } from '../../auth';
import { AppLink } from '../../components/AppLink';
import { DataTable, ListSearch, type Column } from '../../components/DataTable';
import { PageTitle } from '../../components/PageTitle';
import { useListState } from '../../hooks/useListState';
import { useUserSuggestions } from '../../hooks/useUserSuggestions';
import { notifyError, notifySuccess } from '../../notify';
import type { Agent } from '../../types';
import type { ListDefaults } from '../../utils/list-state';
import {
  useAgentDepartments,
  useAgentsList,
  useMakeAgent,
  useRemoveAgent,
  useSetAgentStatus,
} from './useAgents';

const LIST: ListDefaults = {
  sort: { field: 'username', direction: 1 },
  pageSize: 25,
  sortFields: ['username', 'name'],
};
const STATUSES = [
  { value: 'available', label: 'Available' },
  { value: 'not-available', label: 'Not available' },
];

export default function AgentsPage() {
  const { can } = useAuth();
  const list = useListState(LIST);
  const agents = useAgentsList(list);
  const makeAgent = useMakeAgent();
  const setStatus = useSetAgentStatus();
  const removeAgent = useRemoveAgent();
  const [removing, setRemoving] = useState<Agent | null>(null);
  const [expanded, setExpanded] = useState<string | null>(null);
  const addForm = useForm<{ username: string }>({ defaultValues: { username: '' } });
  const [typed] = useDebouncedValue(addForm.watch('username').trim(), 250);
  const suggestions = useUserSuggestions(typed);

  if (!can('manage-livechat-agents')) {
    return (
      <>
        <PageTitle>Agents</PageTitle>
        <Alert color="yellow">You do not have permission to manage agents.</Alert>
      </>
    );
  }

  const onAdd = addForm.handleSubmit(async ({ username }) => {
    const name = username.trim();
    try {
      const outcome = await makeAgent.mutateAsync(name);
      addForm.reset();
      notifySuccess(
        outcome === 'already' ? `${name} is already an agent.` : `${name} is now an agent.`,
      );
    } catch (error) {
      addForm.setError('username', { message: errorText(error) }, { shouldFocus: true });
    }
  });

  const onStatus = async (agent: Agent, status: string) => {
    try {
      await setStatus.mutateAsync({ agentId: agent._id, status });
      notifySuccess(
        `${agent.username} is now ${status === 'available' ? 'available' : 'not available'}.`,
      );
    } catch (error) {
      notifyError(error, 'Status not changed');
    }
  };

  const onRemove = async (agent: Agent) => {
    try {
      await removeAgent.mutateAsync(agent._id);
      notifySuccess(`${agent.username} is no longer an agent.`);
    } catch (error) {
      notifyError(error, 'Not removed');
    } finally {
      setRemoving(null);
    }
  };

  const columns: Column<Agent>[] = [
    {
      key: 'username',
      label: 'Username',
      sortField: 'username',
      render: (agent) => (
        <>
          <Text fw={600} size="sm">
            {agent.username}
          </Text>
          {expanded === agent._id && <AgentDepartments agent={agent} />}
        </>
      ),
    },
    {
      key: 'name',
      label: 'Name',
      sortField: 'name',
      visibleFrom: 'sm',
      render: (agent) => agent.name,
    },
    {
      key: 'status',
      label: 'Status',
      render: (agent) => (
        <Select
          aria-label={`Status of ${agent.username}`}
          data={STATUSES}
          value={agent.statusLivechat === 'available' ? 'available' : 'not-available'}
          onChange={(value) => value && void onStatus(agent, value)}
          allowDeselect={false}
          w={140}
        />
      ),
    },
    {
      key: 'actions',
      label: 'Actions',
      render: (agent) => (
        <Group gap={4} wrap="wrap">
          <Button
            variant="default"
            size="xs"
            aria-expanded={expanded === agent._id}
            onClick={() => setExpanded(expanded === agent._id ? null : agent._id)}
          >
            {expanded === agent._id ? 'Hide departments' : 'Departments'}
          </Button>
          <Button variant="subtle" color="red" size="xs" onClick={() => setRemoving(agent)}>
            Remove
          </Button>
        </Group>
      ),
    },
  ];

  return (
    <>
      <PageTitle>Agents</PageTitle>
      <form onSubmit={onAdd} noValidate aria-label="Add an agent">
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
            Make agent
          </Button>
        </Group>
      </form>
      <Group mb="md">
        <ListSearch list={list} label="Search agents" />
      </Group>
      {agents.isError ? (
        <Alert color="red" role="alert">
          {errorText(agents.error)}
        </Alert>
      ) : (
        <DataTable
          label="Agents"
          columns={columns}
          rows={agents.data?.users}
          rowKey={(agent) => agent._id}
          total={agents.data?.total}
          list={list}
          loading={agents.isPending}
          fetching={agents.isFetching}
          noun={['agent', 'agents']}
          empty="No agents found."
        />
      )}
      <Modal
        opened={removing !== null}
        onClose={() => setRemoving(null)}
        title="Remove agent?"
        centered
      >
        <Text mb="lg">
          {removing?.username} loses the agent role and leaves every department. Their chats are no
          longer routed to them.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setRemoving(null)}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={removeAgent.isPending}
            onClick={() => removing && void onRemove(removing)}
          >
            Remove agent
          </Button>
        </Group>
      </Modal>
    </>
  );
}

function AgentDepartments({ agent }: { agent: Agent }) {
  const departments = useAgentDepartments(agent._id);
  if (departments.isPending) return <Text size="sm">Loading departments…</Text>;
  if (departments.isError)
    return (
      <Text size="sm" c="red.7">
        {errorText(departments.error)}
      </Text>
    );
  if (departments.data.length === 0)
    return <Text size="sm">{agent.username} is in no department.</Text>;
  return (
    <List size="sm" aria-label={`Departments of ${agent.username}`}>
      {departments.data.map((item) => (
        <List.Item key={item._id}>
          <AppLink to={`/departments/${item.departmentId}`}>
            {item.departmentName ?? item.departmentId}
          </AppLink>
          {!item.departmentEnabled && (
            <Badge ml="xs" size="sm" color="gray" variant="light" c="gray.8">
              Disabled
            </Badge>
          )}
        </List.Item>
      ))}
    </List>
  );
}
