import { Alert, Badge, Button, Select, Text } from '@mantine/core';
import { useAuth } from '../../auth';
import { AppLink } from '../../components/AppLink';
import { DataTable, type Column } from '../../components/DataTable';
import { PageTitle } from '../../components/PageTitle';
import { QueryError } from '../../components/QueryState';
import { useListState } from '../../hooks/useListState';
import { notifyError, notifySuccess } from '../../notify';
import type { ListDefaults } from '../../utils/list-state';
import {
  useMailServerConfigured,
  useOfflineMessages,
  useRetryOfflineMessage,
  type OfflineMessage,
  type OfflineMessageStatus,
} from './useOfflineMessages';

const STATUS_LOOK: Record<OfflineMessageStatus, { label: string; color: string; text: string }> = {
  pending: { label: 'Pending', color: 'yellow', text: 'yellow.9' },
  sent: { label: 'Sent', color: 'green', text: 'green.9' },
  failed: { label: 'Failed', color: 'red', text: 'red.9' },
};

const LIST: ListDefaults = {
  sort: { field: 'createdAt', direction: -1 },
  pageSize: 25,
  sortFields: ['createdAt'],
  filters: { status: ['pending', 'sent', 'failed'] },
};

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function StatusCell({ item }: { item: OfflineMessage }) {
  const look = STATUS_LOOK[item.status];
  return (
    <div>
      <Badge color={look.color} c={look.text} variant="light" style={{ overflow: 'visible' }}>
        {look.label}
      </Badge>
      <Text size="xs" c="gray.7">
        {item.attempts === 1 ? '1 attempt' : `${item.attempts} attempts`}
        {item.status === 'pending' && item.nextAttemptAt
          ? `; next ${when(item.nextAttemptAt)}`
          : ''}
      </Text>
      {item.status !== 'sent' && item.lastError && (
        <Text size="xs" c="red.9">
          {item.lastError}
        </Text>
      )}
    </div>
  );
}

/** The outbox's columns; `retry` sends a message again. */
function offlineMessageColumns(retry: (item: OfflineMessage) => void): Column<OfflineMessage>[] {
  return [
    { key: 'received', label: 'Received', render: (item) => when(item.createdAt) },
    {
      key: 'from',
      label: 'From',
      render: (item) => (
        <div>
          <Text size="sm">{item.name}</Text>
          <Text size="xs" c="gray.7">
            {item.email}
          </Text>
        </div>
      ),
    },
    {
      key: 'to',
      label: 'To',
      render: (item) => (
        <div>
          <Text size="sm">{item.departmentName ?? 'No department'}</Text>
          <Text size="xs" c="gray.7">
            {item.to}
          </Text>
        </div>
      ),
    },
    {
      key: 'message',
      label: 'Message',
      render: (item) => (
        <Text size="sm" lineClamp={3} maw={320}>
          {item.message}
        </Text>
      ),
    },
    { key: 'status', label: 'Status', render: (item) => <StatusCell item={item} /> },
    {
      key: 'retry',
      label: 'Retry',
      render: (item) =>
        item.status !== 'sent' && (
          <Button
            size="xs"
            variant="default"
            onClick={() => retry(item)}
            aria-label={`Retry the message from ${item.name}`}
          >
            Retry
          </Button>
        ),
    },
  ];
}

/** The outbox of the widget's "Leave a message" form: what was sent, what waits, what failed. */
export default function OfflineMessagesPage() {
  const { can } = useAuth();
  const list = useListState(LIST);
  const messages = useOfflineMessages(list);
  const mailServer = useMailServerConfigured();
  const retry = useRetryOfflineMessage();

  if (!can('view-livechat-manager')) {
    return (
      <>
        <PageTitle>Offline messages</PageTitle>
        <Alert color="yellow">You do not have permission to see offline messages.</Alert>
      </>
    );
  }

  const onRetry = async (item: OfflineMessage) => {
    try {
      await retry.mutateAsync(item._id);
      notifySuccess(
        mailServer === false
          ? `The message from ${item.name} waits: no mail server is configured.`
          : mailServer
            ? `The message from ${item.name} will be sent again now.`
            : `The message from ${item.name} is queued to be sent again.`,
      );
    } catch (error) {
      notifyError(error, 'Not retried');
    }
  };

  const columns = offlineMessageColumns((item) => void onRetry(item));

  return (
    <>
      <PageTitle>Offline messages</PageTitle>
      <Text mb="md" c="gray.7">
        Messages left through the widget&apos;s offline form, e-mailed to the department (or the
        offline e-mail address). Failed ones can be sent again.
      </Text>
      {mailServer === false && (
        <Alert color="yellow" mb="md" title="No mail server is configured">
          Messages are kept as Pending and no e-mail goes out until an SMTP host is set in{' '}
          <AppLink to="/settings" underline="always">
            Settings
          </AppLink>
          . Retry cannot send them before then.
        </Alert>
      )}
      <Select
        label="Status"
        placeholder="All"
        data={(Object.keys(STATUS_LOOK) as OfflineMessageStatus[]).map((value) => ({
          value,
          label: STATUS_LOOK[value].label,
        }))}
        value={list.state.filters.status ?? null}
        onChange={(value) => list.setFilter('status', value)}
        clearable
        w={{ base: '100%', sm: 200 }}
        mb="md"
      />
      {messages.isError ? (
        <QueryError error={messages.error} retry={() => void messages.refetch()} />
      ) : (
        <DataTable
          label="Offline messages"
          columns={columns}
          rows={messages.data?.messages}
          rowKey={(item) => item._id}
          total={messages.data?.total}
          list={list}
          loading={messages.isPending}
          fetching={messages.isFetching}
          noun={['message', 'messages']}
          empty="No offline messages."
        />
      )}
    </>
  );
}
