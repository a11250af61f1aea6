import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Modal,
  Select,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { errorText, get, post, request } from '../api';
import { useAuth } from '../auth';
import { AppLink } from '../components/AppLink';
import { PageTitle } from '../components/PageTitle';
import type { Agent, AgentDepartment, Page } from '../types';
import { PagePagination } from '../components/PagePagination';

const PAGE_SIZE = 25;

export default function AgentsPage() {
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [text] = useDebouncedValue(search.trim(), 300);
  const [page, setPage] = useState(1);
  const [removing, setRemoving] = useState<Agent | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [expanded, setExpanded] = useState<string | null>(null);

  const agents = useQuery({
    queryKey: ['agents', 'list', text, page],
    queryFn: () =>
      get<Page & { users: Agent[] }>('livechat/users/agent', {
        text,
        count: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
        sort: JSON.stringify({ username: 1 }),
      }),
    placeholderData: keepPreviousData,
    enabled: can('manage-livechat-agents'),
  });

  const addForm = useForm<{ username: string }>({ defaultValues: { username: '' } });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['agents'] });

  if (!can('manage-livechat-agents')) {
    return (
      <>
        <PageTitle>Agents</PageTitle>
        <Alert color="yellow">You do not have permission to manage agents.</Alert>
      </>
    );
  }

  const addAgent = addForm.handleSubmit(async ({ username }) => {
    setMessage(null);
    try {
      await post('livechat/users/agent', { username: username.trim() });
      addForm.reset();
      setMessage({ ok: true, text: `${username.trim()} is now an agent.` });
      await refresh();
    } catch (error) {
      addForm.setError('username', { message: errorText(error) }, { shouldFocus: true });
    }
  });

  const setStatus = async (agent: Agent, status: string) => {
    setMessage(null);
    try {
      await post('livechat/agent.status', { status, agentId: agent._id });
      await refresh();
    } catch (error) {
      setMessage({ ok: false, text: errorText(error) });
    }
  };

  const removeAgent = async (agent: Agent) => {
    setMessage(null);
    try {
      await request('DELETE', `livechat/users/agent/${encodeURIComponent(agent._id)}`);
      setMessage({ ok: true, text: `${agent.username} is no longer an agent.` });
      await refresh();
      await queryClient.invalidateQueries({ queryKey: ['departments'] });
    } catch (error) {
      setMessage({ ok: false, text: errorText(error) });
    } finally {
      setRemoving(null);
    }
  };

  const pages = agents.data ? Math.max(1, Math.ceil(agents.data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <PageTitle>Agents</PageTitle>
      <form onSubmit={addAgent} noValidate aria-label="Add an agent">
        <Group align="flex-start" mb="lg">
          <TextInput
            label="Username"
            description="An existing user to make an agent"
            error={addForm.formState.errors.username?.message}
            {...addForm.register('username', {
              validate: (value) => value.trim() !== '' || 'Enter a username',
            })}
            w={{ base: '100%', sm: 280 }}
          />
          <Button type="submit" mt={{ base: 0, sm: 44 }} loading={addForm.formState.isSubmitting}>
            Make agent
          </Button>
        </Group>
      </form>
      {message && (
        <Alert color={message.ok ? 'green' : 'red'} role={message.ok ? 'status' : 'alert'} mb="md">
          {message.text}
        </Alert>
      )}
      <TextInput
        label="Search agents"
        type="search"
        value={search}
        onChange={(event) => {
          setSearch(event.currentTarget.value);
          setPage(1);
        }}
        w={{ base: '100%', sm: 320 }}
        mb="md"
      />
      {agents.isError ? (
        <Alert color="red" role="alert">
          {errorText(agents.error)}
        </Alert>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped verticalSpacing="sm" aria-label="Agents" aria-busy={agents.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Username</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {agents.data?.users.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Text c="gray.7" ta="center" py="md">
                      No agents found.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {agents.data?.users.flatMap((agent) => {
                const rows = [
                  <Table.Tr key={agent._id}>
                    <Table.Td fw={600}>{agent.username}</Table.Td>
                    <Table.Td>{agent.name}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Status of ${agent.username}`}
                        data={[
                          { value: 'available', label: 'Available' },
                          { value: 'not-available', label: 'Not available' },
                        ]}
                        value={agent.statusLivechat === 'available' ? 'available' : 'not-available'}
                        onChange={(value) => value && void setStatus(agent, value)}
                        allowDeselect={false}
                        w={150}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          variant="default"
                          size="xs"
                          aria-expanded={expanded === agent._id}
                          onClick={() => setExpanded(expanded === agent._id ? null : agent._id)}
                        >
                          {expanded === agent._id ? 'Hide departments' : 'Departments'}
                        </Button>
                        <Button
                          variant="subtle"
                          color="red"
                          size="xs"
                          onClick={() => setRemoving(agent)}
                        >
                          Remove
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>,
                ];
                if (expanded === agent._id)
                  rows.push(
                    <Table.Tr key={`${agent._id}-departments`}>
                      <Table.Td colSpan={4}>
                        <AgentDepartments agent={agent} />
                      </Table.Td>
                    </Table.Tr>,
                  );
                return rows;
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && <PagePagination mt="md" total={pages} value={page} onChange={setPage} />}
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
          <Button color="red" onClick={() => removing && void removeAgent(removing)}>
            Remove agent
          </Button>
        </Group>
      </Modal>
    </>
  );
}

function AgentDepartments({ agent }: { agent: Agent }) {
  const departments = useQuery({
    queryKey: ['agents', 'departments', agent._id],
    queryFn: () =>
      get<{ departments: AgentDepartment[] }>(
        `livechat/agents/${encodeURIComponent(agent._id)}/departments`,
      ),
  });
  if (departments.isPending) return <Text size="sm">Loading departments…</Text>;
  if (departments.isError)
    return (
      <Text size="sm" c="red.7">
        {errorText(departments.error)}
      </Text>
    );
  if (departments.data.departments.length === 0)
    return <Text size="sm">{agent.username} is in no department.</Text>;
  return (
    <List size="sm" aria-label={`Departments of ${agent.username}`}>
      {departments.data.departments.map((item) => (
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
