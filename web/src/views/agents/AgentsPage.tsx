import { Badge, Button, List, Select, Text } from '@mantine/core';
import { useState } from 'react';
import { errorText } from '../../api';
import { AppLink } from '../../components/AppLink';
import type { Column } from '../../components/DataTable';
import { notifyError, notifySuccess } from '../../notify';
import type { Agent } from '../../types';
import { RoleUsersPage, type RoleScreen } from '../role-users/RoleUsersPage';
import {
  useAgentDepartments,
  useAgentsList,
  useMakeAgent,
  useRemoveAgent,
  useSetAgentStatus,
} from './useAgents';

const STATUSES = [
  { value: 'available', label: 'Available' },
  { value: 'not-available', label: 'Not available' },
];

function AgentStatus({ agent }: { agent: Agent }) {
  const setStatus = useSetAgentStatus();
  const onStatus = async (status: string) => {
    try {
      await setStatus.mutateAsync({ agentId: agent._id, status });
      notifySuccess(
        `${agent.username} is now ${status === 'available' ? 'available' : 'not available'}.`,
      );
    } catch (error) {
      notifyError(error, 'Status not changed');
    }
  };
  return (
    <Select
      aria-label={`Status of ${agent.username}`}
      data={STATUSES}
      value={agent.statusLivechat === 'available' ? 'available' : 'not-available'}
      onChange={(value) => value && void onStatus(value)}
      allowDeselect={false}
      w={140}
    />
  );
}

/** The Departments button of a row, and the agent's departments under it once opened. */
function AgentDepartmentsToggle({ agent }: { agent: Agent }) {
  const [open, setOpen] = useState(false);
  return (
    <div>
      <Button variant="default" size="xs" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide departments' : 'Departments'}
      </Button>
      {open && <AgentDepartments agent={agent} />}
    </div>
  );
}

const AGENTS: RoleScreen<Agent> = {
  title: 'Agents',
  permission: 'manage-livechat-agents',
  noun: ['agent', 'agents'],
  addLabel: 'Make agent',
  useList: useAgentsList,
  useAdd: useMakeAgent,
  useRemove: useRemoveAgent,
  removeText: (agent) =>
    `${agent.username} loses the agent role and leaves every department. Their chats are no longer routed to them.`,
  columns: [
    { key: 'status', label: 'Status', render: (agent) => <AgentStatus agent={agent} /> },
    {
      key: 'departments',
      label: 'Departments',
      render: (agent) => <AgentDepartmentsToggle agent={agent} />,
    },
  ] satisfies Column<Agent>[],
};

export default function AgentsPage() {
  return <RoleUsersPage screen={AGENTS} />;
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
