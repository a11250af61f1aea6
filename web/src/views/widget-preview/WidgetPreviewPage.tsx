import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  Select,
  SimpleGrid,
  Skeleton,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { errorText } from '../../api';
import { PageTitle } from '../../components/PageTitle';
import { useOfflineReason, useWidgetConfig, type WidgetDepartment } from './useWidgetPreview';

/** What the Live Chat widget sees (public GET livechat/config), read as the widget reads it. */
export default function WidgetPreviewPage() {
  const [department, setDepartment] = useState<string | null>(null);
  const config = useWidgetConfig(department);
  const all = useWidgetConfig(null);
  const reason = useOfflineReason(department, config.data?.online);
  const [live, setLive] = useState(false);

  const departments = config.data?.departments ?? [];
  const registrationOn = config.data?.settings?.registrationForm !== false;
  const offlineFormOn = config.data?.settings?.displayOfflineForm !== false;
  return (
    <>
      <PageTitle>Widget preview</PageTitle>
      <Text mb="md" c="gray.7">
        What the Live Chat widget on your website shows right now, from the public widget
        configuration.
      </Text>
      <Select
        label="Widget opened for department"
        placeholder="Any department"
        data={(all.data?.departments ?? []).map((item) => ({ value: item._id, label: item.name }))}
        value={department}
        onChange={setDepartment}
        clearable
        w={{ base: '100%', sm: 320 }}
        mb="lg"
      />
      {config.isPending && <Skeleton height={120} />}
      {config.isError && (
        <Alert color="red" role="alert" title="The widget configuration could not be loaded">
          {errorText(config.error)}
        </Alert>
      )}
      {config.data && !config.data.enabled && (
        <Alert color="gray">The Live Chat widget is turned off (setting Livechat_enabled).</Alert>
      )}
      {config.data?.enabled && (
        <>
          <Group mb={reason ? 'xs' : 'lg'}>
            <Text fw={600}>The widget shows as</Text>
            <Badge
              size="lg"
              color={config.data.online ? 'green' : 'gray'}
              variant="light"
              c={config.data.online ? 'green.9' : 'gray.8'}
            >
              {config.data.online ? 'Online' : 'Offline'}
            </Badge>
          </Group>
          {reason && (
            <Text mb="lg" size="sm">
              Why: {reason}
            </Text>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <PreviewCard
              title="Registration form"
              note="Departments with “Show on registration page”"
              off={
                registrationOn
                  ? null
                  : 'The registration form is turned off: visitors start chatting without choosing a department.'
              }
              items={departments.filter((item) => item.showOnRegistration)}
            />
            <PreviewCard
              title="Offline form"
              note="Departments with “Show on offline page”"
              off={
                offlineFormOn
                  ? null
                  : 'The offline form is turned off: offline visitors cannot leave a message.'
              }
              items={departments.filter((item) => item.showOnOfflineForm)}
            />
          </SimpleGrid>
          <Text size="sm" c="gray.7" mt="md">
            Only enabled, unarchived departments with at least one agent reach the widget.
          </Text>
        </>
      )}
      <Card withBorder component="section" aria-label="The real widget" mt="lg">
        <Title order={2} size="h4">
          The real widget
        </Title>
        <Text size="sm" c="gray.7" mb="sm">
          Rocket.Chat&apos;s Live Chat widget as this service serves it at /livechat, the page your
          website embeds. It stays unloaded until you open it.
        </Text>
        {live ? (
          <iframe
            src="/livechat?mode=popout"
            title="Live Chat widget"
            style={{ width: '100%', maxWidth: 380, height: 560, border: 0 }}
          />
        ) : (
          <Group>
            <Button variant="default" onClick={() => setLive(true)}>
              Show the real widget
            </Button>
          </Group>
        )}
      </Card>
    </>
  );
}

function PreviewCard({
  title,
  note,
  off,
  items,
}: {
  title: string;
  note: string;
  /** Why the widget does not show this form at all, or null when it does. */
  off: string | null;
  items: WidgetDepartment[];
}) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Title order={2} size="h4">
        {title}
      </Title>
      {off ? (
        <Text size="sm" mt="xs">
          {off}
        </Text>
      ) : (
        <>
          <Text size="sm" c="gray.7" mb="sm">
            {note}
          </Text>
          {items.length === 0 ? (
            <Text size="sm">No department choice is offered.</Text>
          ) : (
            <List size="sm">
              {items.map((item) => (
                <List.Item key={item._id}>{item.name}</List.Item>
              ))}
            </List>
          )}
        </>
      )}
    </Card>
  );
}
