import { Text } from '@mantine/core';
import type { Monitor } from '../../types';
import { RoleUsersPage, type RoleScreen } from '../role-users/RoleUsersPage';
import { useAddMonitor, useMonitorsList, useRemoveMonitor } from './useMonitors';

const MONITORS: RoleScreen<Monitor> = {
  title: 'Monitors',
  intro: (
    <Text c="gray.7" mb="md" maw={720}>
      A monitor supervises the departments of its units: it sees and manages those departments only.
      Give it units on the Units screen.
    </Text>
  ),
  permission: 'manage-livechat-monitors',
  noun: ['monitor', 'monitors'],
  addLabel: 'Add monitor',
  useList: useMonitorsList,
  useAdd: useAddMonitor,
  useRemove: useRemoveMonitor,
  removeText: (monitor) =>
    `${monitor.username} loses the monitor role and leaves every unit it monitors. Its units and their departments stay.`,
  columns: [
    {
      key: 'email',
      label: 'Email',
      visibleFrom: 'md',
      render: (monitor) => monitor.emails?.[0]?.address,
    },
  ],
};

/** Monitors: supervisors of units, who see and manage only their units' departments. */
export default function MonitorsPage() {
  return <RoleUsersPage screen={MONITORS} />;
}
