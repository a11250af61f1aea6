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
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText, request } from '../api';
import { PageTitle } from '../components/PageTitle';

interface WidgetDepartment {
  _id: string;
  name: string;
  showOnRegistration: boolean;
  showOnOfflineForm: boolean;
}

interface WidgetConfig {
  enabled: boolean;
  online?: boolean;
  departments?: WidgetDepartment[];
  settings?: Record<string, unknown>;
  theme?: { title?: string };
}

/** What the Live Chat widget sees (public GET livechat/config), read as the widget reads it. */
export default function WidgetPreviewPage() {
  const [department, setDepartment] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const config = useQuery({
    queryKey: ['widget-config', department],
    queryFn: async () =>
      (
        await request<{ config: WidgetConfig }>('GET', 'livechat/config', {
          anonymous: true,
          query: { department: department ?? undefined },
        })
      ).body.config,
  });
  const all = useQuery({
    queryKey: ['widget-config', null],
    queryFn: async () =>
      (await request<{ config: WidgetConfig }>('GET', 'livechat/config', { anonymous: true })).body
        .config,
  });

  const departments = config.data?.departments ?? [];
  const registration = departments.filter((item) => item.showOnRegistration);
  const offline = departments.filter((item) => item.showOnOfflineForm);
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
          <Group mb="lg">
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
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <PreviewCard
              title="Registration form"
              note="Departments with “Show on registration page”"
              items={registration}
            />
            <PreviewCard
              title="Offline form"
              note="Departments with “Show on offline page”"
              items={offline}
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
  items,
}: {
  title: string;
  note: string;
  items: WidgetDepartment[];
}) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Title order={2} size="h4">
        {title}
      </Title>
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
    </Card>
  );
}
