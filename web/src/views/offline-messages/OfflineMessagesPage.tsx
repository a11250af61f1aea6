import { Alert, Badge, Button, Group, Select, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText, get, post } from '../../api';
import { useAuth } from '../../auth';
import { PagePagination } from '../../components/PagePagination';
import { PageTitle } from '../../components/PageTitle';
import { notifyError, notifySuccess } from '../../notify';
import type { Page } from '../../types';

const PAGE_SIZE = 25;

type Status = 'pending' | 'sent' | 'failed';

interface OfflineMessage {
  _id: string;
  status: Status;
  name: string;
  email: string;
  message: string;
  departmentName?: string;
  to: string;
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
}

const STATUS_LOOK: Record<Status, { label: string; color: string; text: string }> = {
  pending: { label: 'Pending', color: 'yellow', text: 'yellow.9' },
  sent: { label: 'Sent', color: 'green', text: 'green.9' },
  failed: { label: 'Failed', color: 'red', text: 'red.9' },
};

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The outbox of the widget's "Leave a message" form: what was sent, what waits, what failed. */
export default function OfflineMessagesPage() {
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const allowed = can('view-livechat-manager');

  const messages = useQuery({
    queryKey: ['offline-messages', status, page],
    queryFn: () =>
      get<Page & { messages: OfflineMessage[] }>('livechat/offline.messages', {
        status: status ?? undefined,
        count: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      }),
    placeholderData: keepPreviousData,
    // Pending messages change on their own: keep the list current while it is open.
    refetchInterval: 5_000,
    enabled: allowed,
  });

  if (!allowed) {
    return (
      <>
        <PageTitle>Offline messages</PageTitle>
        <Alert color="yellow">You do not have permission to see offline messages.</Alert>
      </>
    );
  }

  const retry = async (item: OfflineMessage) => {
    try {
      await post(`livechat/offline.messages/${encodeURIComponent(item._id)}/retry`, {});
      notifySuccess(`The message from ${item.name} will be sent again now.`);
      await queryClient.invalidateQueries({ queryKey: ['offline-messages'] });
    } catch (error) {
      notifyError(error);
    }
  };

  const pages = messages.data ? Math.max(1, Math.ceil(messages.data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <PageTitle>Offline messages</PageTitle>
      <Text mb="md" c="gray.7">
        Messages left through the widget&apos;s offline form, e-mailed to the department (or the
        offline e-mail address). Failed ones can be sent again.
      </Text>
      <Select
        label="Status"
        placeholder="All"
        data={(Object.keys(STATUS_LOOK) as Status[]).map((value) => ({
          value,
          label: STATUS_LOOK[value].label,
        }))}
        value={status}
        onChange={(value) => {
          setStatus(value);
          setPage(1);
        }}
        clearable
        w={{ base: '100%', sm: 200 }}
        mb="md"
      />
      {messages.isError ? (
        <Alert color="red" role="alert">
          {errorText(messages.error)}
        </Alert>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table
            striped
            verticalSpacing="sm"
            aria-label="Offline messages"
            aria-busy={messages.isFetching}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Received</Table.Th>
                <Table.Th>From</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Message</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {messages.data?.messages.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>No offline messages.</Table.Td>
                </Table.Tr>
              )}
              {messages.data?.messages.map((item) => {
                const look = STATUS_LOOK[item.status];
                return (
                  <Table.Tr key={item._id}>
                    <Table.Td>{when(item.createdAt)}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.name}</Text>
                      <Text size="xs" c="gray.7">
                        {item.email}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.departmentName ?? 'No department'}</Text>
                      <Text size="xs" c="gray.7">
                        {item.to}
                      </Text>
                    </Table.Td>
                    <Table.Td maw={280}>
                      <Text size="sm" lineClamp={2}>
                        {item.message}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={look.color} c={look.text} variant="light">
                        {look.label}
                      </Badge>
                      <Text size="xs" c="gray.7">
                        {item.attempts === 1 ? '1 attempt' : `${item.attempts} attempts`}
                      </Text>
                      {item.status !== 'sent' && item.lastError && (
                        <Text size="xs" c="red.9">
                          {item.lastError}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {item.status !== 'sent' && (
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => void retry(item)}
                          aria-label={`Retry the message from ${item.name}`}
                        >
                          Retry
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && (
        <Group justify="center" mt="md">
          <PagePagination total={pages} value={page} onChange={setPage} />
        </Group>
      )}
    </>
  );
}
