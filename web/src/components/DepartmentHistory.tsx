import { Alert, Button, Group, List, Skeleton, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText, get } from '../api';
import type { HistoryEntry, Page } from '../types';

const PAGE = 20;
const ACTIONS: Record<HistoryEntry['action'], string> = {
  create: 'Created',
  update: 'Edited',
  agents: 'Agents changed',
  archive: 'Archived',
  unarchive: 'Unarchived',
  delete: 'Deleted',
};

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function Details({ entry, names }: { entry: HistoryEntry; names: Map<string, string> }) {
  const agent = (id: string) => names.get(id) ?? id;
  const lines: string[] = [];
  for (const change of entry.changes ?? [])
    lines.push(`${change.field}: ${show(change.from)} → ${show(change.to)}`);
  if (entry.agents?.added?.length)
    lines.push(`Agents added: ${entry.agents.added.map(agent).join(', ')}`);
  if (entry.agents?.removed?.length)
    lines.push(`Agents removed: ${entry.agents.removed.map(agent).join(', ')}`);
  for (const changed of entry.agents?.changed ?? []) {
    const parts = [
      changed.count !== undefined ? `count ${changed.count}` : '',
      changed.order !== undefined ? `order ${changed.order}` : '',
    ].filter(Boolean);
    lines.push(`${agent(changed.agentId)}: ${parts.join(', ')}`);
  }
  if (lines.length === 0) return null;
  return (
    <List size="sm" spacing={2}>
      {lines.map((line, index) => (
        <List.Item key={index} style={{ overflowWrap: 'anywhere' }}>
          {line}
        </List.Item>
      ))}
    </List>
  );
}

/** The department's change history (GET livechat/department/:_id/history), newest first. */
export function DepartmentHistory({
  departmentId,
  agentNames,
}: {
  departmentId: string;
  agentNames: Map<string, string>;
}) {
  const [offset, setOffset] = useState(0);
  const history = useQuery({
    queryKey: ['department-history', departmentId, offset],
    queryFn: () =>
      get<Page & { history: HistoryEntry[] }>(
        `livechat/department/${encodeURIComponent(departmentId)}/history`,
        {
          offset,
          count: PAGE,
        },
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <section aria-labelledby="history-heading">
      <Title order={2} size="h4" id="history-heading" mt="xl" mb="sm">
        History
      </Title>
      {history.isPending && <Skeleton height={60} />}
      {history.isError && <Alert color="red">{errorText(history.error)}</Alert>}
      {history.data && history.data.total === 0 && <Text c="gray.7">No changes recorded yet.</Text>}
      {history.data && history.data.history.length > 0 && (
        <Table.ScrollContainer minWidth={480}>
          <Table verticalSpacing="xs" aria-label="Change history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>What</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.data.history.map((entry) => (
                <Table.Tr key={entry._id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {new Date(entry.ts).toLocaleString()}
                  </Table.Td>
                  <Table.Td>{entry.user?.username}</Table.Td>
                  <Table.Td>
                    <Text fw={600} size="sm">
                      {ACTIONS[entry.action] ?? entry.action}
                    </Text>
                    <Details entry={entry} names={agentNames} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {history.data && history.data.total > PAGE && (
        <Group mt="sm">
          <Button
            variant="default"
            size="xs"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            Newer changes
          </Button>
          <Button
            variant="default"
            size="xs"
            disabled={offset + PAGE >= history.data.total}
            onClick={() => setOffset(offset + PAGE)}
          >
            Older changes
          </Button>
        </Group>
      )}
    </section>
  );
}
