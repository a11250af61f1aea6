import { Alert, Button, Group, List, Skeleton, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { errorText } from '../../../api';
import { useAuth } from '../../../auth';
import { ConfirmModal } from '../../../components/ConfirmModal';
import { notifyError, notifySuccess } from '../../../notify';
import type { HistoryEntry } from '../../../types';
import { useDepartmentHistory, useKnownNames, useRestoreVersion } from '../useDepartmentHistory';
import { historyLines } from '../utils/formatHistory';

const PAGE = 20;
const ACTIONS: Record<HistoryEntry['action'], string> = {
  create: 'Created',
  update: 'Edited',
  agents: 'Agents changed',
  archive: 'Archived',
  unarchive: 'Unarchived',
  delete: 'Deleted',
};

/** A clean-up's title: what was deleted, and by whom (the entry's user is the system outside their units). */
function cleanupTitle(cause: NonNullable<HistoryEntry['cleanupOf']>): string {
  const deleted = cause.departmentName ? `“${cause.departmentName}”` : 'a department';
  return `Cleaned up after ${cause.deletedBy.username} deleted ${deleted}`;
}

/** The department's change history (GET livechat/department/:_id/history), newest first, in names. */
export function HistorySection({
  departmentId,
  agentNames,
}: {
  departmentId: string;
  agentNames: Map<string, string>;
}) {
  const [offset, setOffset] = useState(0);
  const history = useDepartmentHistory(departmentId, offset, PAGE);
  const names = useKnownNames(history.data?.history ?? [], agentNames);
  const { can } = useAuth();
  const restore = useRestoreVersion(departmentId);
  const [restoring, setRestoring] = useState<HistoryEntry | null>(null);
  const when = (entry: HistoryEntry) => new Date(entry.ts).toLocaleString();
  // The newest entry is the version shown; a delete is undone from Recently deleted.
  const restorable = (entry: HistoryEntry, index: number) =>
    can('manage-livechat-departments') && entry.action !== 'delete' && offset + index > 0;

  const onRestore = async () => {
    if (!restoring) return;
    try {
      await restore.mutateAsync(restoring._id);
      notifySuccess(`Restored the version of ${when(restoring)}.`);
      setOffset(0);
    } catch (error) {
      notifyError(error, 'Not restored');
    }
    setRestoring(null);
  };

  return (
    <section aria-labelledby="history-heading">
      <Title order={2} size="h4" id="history-heading" mt="xl" mb="sm">
        History
      </Title>
      {history.isPending && <Skeleton height={60} />}
      {history.isError && <Alert color="red">{errorText(history.error)}</Alert>}
      {history.data && history.data.total === 0 && <Text c="gray.7">No changes recorded yet.</Text>}
      {history.data && history.data.history.length > 0 && (
        <Table verticalSpacing="xs" aria-label="Change history" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="30%">When</Table.Th>
              <Table.Th w="20%">Who</Table.Th>
              <Table.Th>What</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {history.data.history.map((entry, index) => {
              const lines = historyLines(entry, names);
              return (
                <Table.Tr key={entry._id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    {new Date(entry.ts).toLocaleString()}
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{entry.user?.username}</Table.Td>
                  <Table.Td>
                    <Text fw={600} size="sm">
                      {entry.cleanupOf
                        ? cleanupTitle(entry.cleanupOf)
                        : (ACTIONS[entry.action] ?? entry.action)}
                    </Text>
                    {lines.length > 0 && (
                      <List size="sm" spacing={2}>
                        {lines.map((line, index) => (
                          <List.Item key={index} style={{ overflowWrap: 'anywhere' }}>
                            {line}
                          </List.Item>
                        ))}
                      </List>
                    )}
                    {restorable(entry, index) && (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        mt={4}
                        onClick={() => setRestoring(entry)}
                        aria-label={`Restore this version (${when(entry)})`}
                      >
                        Restore this version
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
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
      <ConfirmModal
        opened={restoring !== null}
        title="Restore this version?"
        subject={restoring ? `The version of ${when(restoring)}` : undefined}
        confirmLabel="Restore"
        busy={restore.isPending}
        onCancel={() => setRestoring(null)}
        onConfirm={() => void onRestore()}
      >
        <Text size="sm">
          The department goes back to its fields, unit, schedule and agents as they were then
          (agents who are no longer agents stay out). The restore is recorded as a new change.
        </Text>
      </ConfirmModal>
    </section>
  );
}
