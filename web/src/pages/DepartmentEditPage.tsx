import {
  Alert,
  Button,
  Center,
  Fieldset,
  Group,
  Loader,
  Modal,
  NumberInput,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { Controller, useFieldArray, useForm, type FieldPath } from 'react-hook-form';
import { ApiError, errorText, get, post, request } from '../api';
import { useAuth } from '../auth';
import { AgentPicker } from '../components/AgentPicker';
import { AppLink, useGuardedNavigate } from '../components/AppLink';
import { DepartmentBusinessHour } from '../components/DepartmentBusinessHour';
import { DepartmentHistory } from '../components/DepartmentHistory';
import { DepartmentMultiPicker, DepartmentPicker } from '../components/DepartmentPicker';
import { PageTitle } from '../components/PageTitle';
import { useLeaveGuard } from '../leave-guard';
import type { Department, DepartmentAgent } from '../types';

interface AgentRow {
  agentId: string;
  username: string;
  count: number | string;
  order: number | string;
}

interface FormValues {
  name: string;
  email: string;
  description: string;
  enabled: boolean;
  showOnRegistration: boolean;
  showOnOfflineForm: boolean;
  requestTagBeforeClosingChat: boolean;
  chatClosingTags: string[];
  maxNumberSimultaneousChat: number | string;
  visitorInactivityTimeoutInSeconds: number | string;
  waitingQueueMessage: string;
  abandonedRoomsCloseCustomMessage: string;
  offlineMessageChannelName: string;
  departmentsAllowedToForward: string[];
  fallbackForwardDepartment: string | null;
  allowReceiveForwardOffline: boolean;
  agents: AgentRow[];
}

const TEXT_FIELDS = [
  'description',
  'waitingQueueMessage',
  'abandonedRoomsCloseCustomMessage',
  'offlineMessageChannelName',
] as const;
const NUMBER_FIELDS = ['maxNumberSimultaneousChat', 'visitorInactivityTimeoutInSeconds'] as const;

function toForm(department: Department | null, agents: DepartmentAgent[]): FormValues {
  return {
    name: department?.name ?? '',
    email: department?.email ?? '',
    description: department?.description ?? '',
    enabled: department?.enabled ?? true,
    showOnRegistration: department?.showOnRegistration ?? true,
    showOnOfflineForm: department?.showOnOfflineForm ?? true,
    requestTagBeforeClosingChat: department?.requestTagBeforeClosingChat ?? false,
    chatClosingTags: department?.chatClosingTags ?? [],
    maxNumberSimultaneousChat: department?.maxNumberSimultaneousChat ?? '',
    visitorInactivityTimeoutInSeconds: department?.visitorInactivityTimeoutInSeconds ?? '',
    waitingQueueMessage: department?.waitingQueueMessage ?? '',
    abandonedRoomsCloseCustomMessage: department?.abandonedRoomsCloseCustomMessage ?? '',
    offlineMessageChannelName: department?.offlineMessageChannelName ?? '',
    departmentsAllowedToForward: department?.departmentsAllowedToForward ?? [],
    fallbackForwardDepartment: department?.fallbackForwardDepartment ?? null,
    allowReceiveForwardOffline: department?.allowReceiveForwardOffline ?? false,
    agents: agents.map((agent) => ({
      agentId: agent.agentId,
      username: agent.username,
      count: agent.count,
      order: agent.order,
    })),
  };
}

/** The request body's `department`: required fields always, optional ones when set or cleared. */
function toDepartmentBody(values: FormValues, stored: Department | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: values.name.trim(),
    email: values.email.trim(),
    enabled: values.enabled,
    showOnRegistration: values.showOnRegistration,
    showOnOfflineForm: values.showOnOfflineForm,
    requestTagBeforeClosingChat: values.requestTagBeforeClosingChat,
    chatClosingTags: values.chatClosingTags,
    departmentsAllowedToForward: values.departmentsAllowedToForward,
    allowReceiveForwardOffline: values.allowReceiveForwardOffline,
  };
  for (const field of TEXT_FIELDS) {
    if (values[field] !== '' || stored?.[field]) body[field] = values[field];
  }
  for (const field of NUMBER_FIELDS) {
    if (typeof values[field] === 'number') body[field] = values[field];
  }
  if (values.fallbackForwardDepartment)
    body.fallbackForwardDepartment = values.fallbackForwardDepartment;
  return body;
}

function agentBody(agent: AgentRow) {
  return {
    agentId: agent.agentId,
    count: typeof agent.count === 'number' ? agent.count : 0,
    order: typeof agent.order === 'number' ? agent.order : 0,
  };
}

// Which form field a 400 answer is about: from the field path in the message, else the code.
const FIELD_OF_ERROR: Record<string, FieldPath<FormValues>> = {
  'error-validating-department-chat-closing-tags': 'chatClosingTags',
  'error-fallback-department-not-found': 'fallbackForwardDepartment',
  'error-fallback-department-circular': 'fallbackForwardDepartment',
  'error-department-not-found': 'departmentsAllowedToForward',
  'error-archived-department-cant-be-enabled': 'enabled',
};
function fieldOf(error: ApiError, values: FormValues): FieldPath<FormValues> | undefined {
  const path = /^department\.(\w+)/.exec(error.message)?.[1];
  if (path && path in values) return path as FieldPath<FormValues>;
  return error.errorType ? FIELD_OF_ERROR[error.errorType] : undefined;
}

interface Loaded {
  department: Department | null;
  agents: DepartmentAgent[];
  etag: string | null;
}

export default function DepartmentEditPage({ id }: { id?: string }) {
  const loaded = useQuery({
    queryKey: ['department', id],
    enabled: id !== undefined,
    queryFn: async (): Promise<Loaded> => {
      const answer = await request<{ department: Department | null; agents?: DepartmentAgent[] }>(
        'GET',
        `livechat/department/${encodeURIComponent(id!)}`,
      );
      return {
        department: answer.body.department,
        agents: answer.body.agents ?? [],
        etag: answer.headers.get('ETag'),
      };
    },
    staleTime: 0,
  });

  if (id === undefined)
    return <DepartmentForm loaded={{ department: null, agents: [], etag: null }} />;
  if (loaded.isPending)
    return (
      <Center py="xl">
        <Loader aria-label="Loading department" />
      </Center>
    );
  if (loaded.isError)
    return (
      <Alert color="red" title="The department could not be loaded">
        {errorText(loaded.error)}
      </Alert>
    );
  if (!loaded.data.department)
    return (
      <>
        <PageTitle>Department not found</PageTitle>
        <Text>
          There is no department with this id. <AppLink to="/">Back to the departments</AppLink>
        </Text>
      </>
    );
  return <DepartmentForm loaded={loaded.data} reload={() => loaded.refetch()} />;
}

type Confirm = 'archive' | 'unarchive' | 'delete' | null;

function DepartmentForm({ loaded, reload }: { loaded: Loaded; reload?: () => Promise<unknown> }) {
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const navigate = useGuardedNavigate();
  // After a save or delete there is nothing unsaved to ask about.
  const [, navigateAway] = useLocation();
  const stored = loaded.department;
  const isNew = stored === null;
  const [conflict, setConflict] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [acting, setActing] = useState(false);

  const mayEdit = isNew
    ? can('manage-livechat-departments')
    : can('manage-livechat-departments', 'add-livechat-department-agents');
  const mayEditFields = can('manage-livechat-departments');
  const mayEditAgents = can('add-livechat-department-agents');
  // The "Add agent" search reads livechat/users/agent, which needs manage-livechat-agents.
  const mayPickAgents = mayEditAgents && can('manage-livechat-agents');

  const removal = useQuery({
    queryKey: ['setting', 'Omnichannel_enable_department_removal'],
    enabled: !isNew && can('edit-privileged-setting'),
    queryFn: () => get<{ value: boolean }>('settings/Omnichannel_enable_department_removal'),
  });
  const removalOff = removal.data?.value === false;

  const form = useForm<FormValues>({ defaultValues: toForm(stored, loaded.agents) });
  const { control, register, handleSubmit, formState, reset, setError, watch } = form;
  const agents = useFieldArray({ control, name: 'agents', keyName: 'key' });
  useLeaveGuard(formState.isDirty && !formState.isSubmitSuccessful);

  const initialAgentIds = new Set(loaded.agents.map((agent) => agent.agentId));
  const agentNames = new Map(watch('agents').map((agent) => [agent.agentId, agent.username]));
  const requireTags = watch('requestTagBeforeClosingChat');

  const onSubmit = handleSubmit(async (values) => {
    setFailure(null);
    setSaved(null);
    setConflict(false);
    const department = toDepartmentBody(values, stored);
    const agentList = values.agents.map(agentBody);
    try {
      if (isNew) {
        const answer = await post<{ department: Department }>('livechat/department', {
          department,
          agents: agentList,
        });
        await queryClient.invalidateQueries({ queryKey: ['departments'] });
        navigateAway(`/departments/${answer.department._id}`);
        return;
      }
      await request('PUT', `livechat/department/${encodeURIComponent(stored._id)}`, {
        body: { department, ...(mayEditAgents ? { agents: agentList } : {}) },
        headers: loaded.etag ? { 'If-Match': loaded.etag } : {},
      });
      // PUT never removes agents (docs/api.md §4.6): removals follow in one agents request.
      const kept = new Set(values.agents.map((agent) => agent.agentId));
      const removed = [...initialAgentIds].filter((agentId) => !kept.has(agentId));
      if (removed.length > 0 && mayEditAgents) {
        await post(`livechat/department/${encodeURIComponent(stored._id)}/agents`, {
          upsert: [],
          remove: removed.map((agentId) => ({ agentId })),
        });
      }
      await queryClient.invalidateQueries({ queryKey: ['departments'] });
      await queryClient.invalidateQueries({ queryKey: ['department-history', stored._id] });
      await reload?.();
      setSaved('Department saved.');
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setConflict(true);
        return;
      }
      const field =
        error instanceof ApiError && error.status === 400 ? fieldOf(error, values) : undefined;
      if (field && error instanceof ApiError)
        setError(field, { message: error.text }, { shouldFocus: true });
      else setFailure(errorText(error));
    }
  });

  const runAction = async (action: Exclude<Confirm, null>) => {
    if (!stored) return;
    setActing(true);
    setFailure(null);
    setSaved(null);
    try {
      const path = `livechat/department/${encodeURIComponent(stored._id)}`;
      if (action === 'delete') {
        await request('DELETE', path);
        await queryClient.invalidateQueries({ queryKey: ['departments'] });
        setConfirm(null);
        navigateAway('/');
        return;
      }
      await post(`${path}/${action}`);
      await queryClient.invalidateQueries({ queryKey: ['departments'] });
      await queryClient.invalidateQueries({ queryKey: ['department-history', stored._id] });
      await reload?.();
      setSaved(action === 'archive' ? 'Department archived.' : 'Department unarchived.');
    } catch (error) {
      setFailure(
        error instanceof ApiError && error.errorType === 'error-department-removal-disabled'
          ? 'Deleting departments is turned off in the settings.'
          : errorText(error),
      );
    } finally {
      setActing(false);
      setConfirm(null);
    }
  };

  // A fresh load after save, archive or a conflict's reload replaces the form's values.
  useEffect(() => {
    if (stored) reset(toForm(stored, loaded.agents));
  }, [stored?._updatedAt]);

  const title = isNew ? 'New department' : `Edit ${stored.name}`;
  return (
    <>
      <Text size="sm" mb="xs">
        <AppLink to="/">Departments</AppLink>
      </Text>
      <PageTitle>{title}</PageTitle>
      {stored?.archived && (
        <Alert color="gray" mb="md" title="Archived">
          This department is archived: it is disabled and hidden from the default list.
        </Alert>
      )}
      {conflict && (
        <Alert color="orange" role="alert" mb="md" title="Changed by someone else">
          <Text mb="sm">
            This department was changed by someone else after you opened it. Your changes were not
            saved. Reload to see the current version (your unsaved edits will be discarded), then
            make your changes again.
          </Text>
          <Button
            variant="default"
            size="xs"
            onClick={async () => {
              setConflict(false);
              await reload?.();
            }}
          >
            Reload department
          </Button>
        </Alert>
      )}
      {failure && (
        <Alert color="red" role="alert" mb="md" title="Not saved">
          {failure}
        </Alert>
      )}
      {saved && (
        <Alert color="green" role="status" mb="md">
          {saved}
        </Alert>
      )}

      <form onSubmit={onSubmit} noValidate aria-label={title}>
        <Stack gap="lg" maw={880}>
          <Fieldset legend="Department" disabled={!mayEditFields}>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="Name"
                required
                error={formState.errors.name?.message}
                {...register('name', {
                  validate: (value) => value.trim() !== '' || 'Enter a name',
                  maxLength: { value: 256, message: 'At most 256 characters' },
                })}
              />
              <TextInput
                label="Email"
                type="email"
                required
                error={formState.errors.email?.message}
                {...register('email', {
                  validate: (value) =>
                    /^[^\s@]+@[^\s@]+$/.test(value.trim()) || 'Enter an email address',
                })}
              />
            </SimpleGrid>
            <Textarea
              mt="md"
              label="Description"
              autosize
              minRows={2}
              error={formState.errors.description?.message}
              {...register('description', {
                maxLength: { value: 4096, message: 'At most 4096 characters' },
              })}
            />
            <Stack mt="md" gap="sm">
              {(
                [
                  ['enabled', 'Enabled'],
                  ['showOnRegistration', 'Show on registration page'],
                  ['showOnOfflineForm', 'Show on offline page'],
                  ['allowReceiveForwardOffline', 'Accept forwarded chats when no agent is online'],
                ] as const
              ).map(([name, label]) => (
                <Controller
                  key={name}
                  control={control}
                  name={name}
                  render={({ field, fieldState }) => (
                    <Switch
                      label={label}
                      checked={field.value}
                      onChange={(event) => field.onChange(event.currentTarget.checked)}
                      onBlur={field.onBlur}
                      ref={field.ref}
                      error={fieldState.error?.message}
                      aria-invalid={fieldState.error ? true : undefined}
                    />
                  )}
                />
              ))}
            </Stack>
          </Fieldset>

          <Fieldset legend="Chats" disabled={!mayEditFields}>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {(
                [
                  [
                    'maxNumberSimultaneousChat',
                    'Max simultaneous chats',
                    'Per agent; 0 means no limit',
                  ],
                  [
                    'visitorInactivityTimeoutInSeconds',
                    'Visitor inactivity timeout (seconds)',
                    undefined,
                  ],
                ] as const
              ).map(([name, label, description]) => (
                <Controller
                  key={name}
                  control={control}
                  name={name}
                  rules={{
                    validate: (value) =>
                      value === '' ||
                      (Number.isInteger(value) && Number(value) >= 0) ||
                      'Enter a whole number, 0 or more',
                  }}
                  render={({ field, fieldState }) => (
                    <NumberInput
                      label={label}
                      description={description}
                      min={0}
                      allowDecimal={false}
                      allowNegative={false}
                      value={field.value}
                      onChange={field.onChange}
                      onBlur={field.onBlur}
                      ref={field.ref}
                      error={fieldState.error?.message}
                    />
                  )}
                />
              ))}
            </SimpleGrid>
            <Controller
              control={control}
              name="requestTagBeforeClosingChat"
              render={({ field }) => (
                <Switch
                  mt="md"
                  label="Request tag before closing chat"
                  checked={field.value}
                  onChange={(event) => field.onChange(event.currentTarget.checked)}
                  ref={field.ref}
                />
              )}
            />
            <Controller
              control={control}
              name="chatClosingTags"
              rules={{
                validate: (value) =>
                  !requireTags || value.length > 0 || 'Add at least one closing tag',
              }}
              render={({ field, fieldState }) => (
                <TagsInput
                  mt="md"
                  label="Closing tags"
                  description="Press Enter after each tag"
                  value={field.value}
                  onChange={field.onChange}
                  ref={field.ref}
                  maxTags={100}
                  error={fieldState.error?.message}
                  clearable
                />
              )}
            />
            <Textarea
              mt="md"
              label="Waiting queue message"
              autosize
              minRows={2}
              {...register('waitingQueueMessage')}
            />
            <Textarea
              mt="md"
              label="Abandoned rooms close message"
              autosize
              minRows={2}
              {...register('abandonedRoomsCloseCustomMessage')}
            />
            <TextInput
              mt="md"
              label="Offline message channel"
              error={formState.errors.offlineMessageChannelName?.message}
              {...register('offlineMessageChannelName')}
            />
          </Fieldset>

          <Fieldset legend="Forwarding" disabled={!mayEditFields}>
            <Controller
              control={control}
              name="departmentsAllowedToForward"
              render={({ field, fieldState }) => (
                <DepartmentMultiPicker
                  label="Departments allowed to forward to"
                  value={field.value}
                  onChange={field.onChange}
                  exclude={stored?._id}
                  error={fieldState.error?.message}
                  disabled={!mayEditFields}
                />
              )}
            />
            <Controller
              control={control}
              name="fallbackForwardDepartment"
              render={({ field, fieldState }) => (
                <div style={{ marginTop: 16 }}>
                  <DepartmentPicker
                    label="Fallback forward department"
                    description="Receives the chat when no agent of this department is online"
                    value={field.value}
                    onChange={field.onChange}
                    exclude={stored?._id}
                    error={fieldState.error?.message}
                    disabled={!mayEditFields}
                  />
                </div>
              )}
            />
          </Fieldset>

          <Fieldset legend="Agents" disabled={!mayEditAgents}>
            {mayPickAgents && (
              <AgentPicker
                exclude={agents.fields.map((agent) => agent.agentId)}
                onPick={(agent) =>
                  agents.append({
                    agentId: agent._id,
                    username: agent.username,
                    count: 0,
                    order: 0,
                  })
                }
              />
            )}
            {formState.errors.agents?.message && (
              <Text c="red.7" size="sm" mt="xs" role="alert">
                {formState.errors.agents.message}
              </Text>
            )}
            {agents.fields.length === 0 ? (
              <Text c="gray.7" mt="md">
                No agents in this department.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={420} mt="md">
                <Table aria-label="Department agents" verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Agent</Table.Th>
                      <Table.Th>Count</Table.Th>
                      <Table.Th>Order</Table.Th>
                      <Table.Th>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {agents.fields.map((agent, index) => (
                      <Table.Tr key={agent.key}>
                        <Table.Td>{agent.username}</Table.Td>
                        {(['count', 'order'] as const).map((name) => (
                          <Table.Td key={name}>
                            <Controller
                              control={control}
                              name={`agents.${index}.${name}`}
                              render={({ field }) => (
                                <NumberInput
                                  aria-label={`${name === 'count' ? 'Count' : 'Order'} of ${agent.username}`}
                                  min={0}
                                  allowDecimal={false}
                                  allowNegative={false}
                                  value={field.value}
                                  onChange={field.onChange}
                                  ref={field.ref}
                                  w={100}
                                />
                              )}
                            />
                          </Table.Td>
                        ))}
                        <Table.Td>
                          <Button
                            variant="subtle"
                            color="red"
                            size="xs"
                            onClick={() => agents.remove(index)}
                            aria-label={`Remove ${agent.username}`}
                          >
                            Remove
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Fieldset>

          {mayEdit && (
            <Group>
              <Button type="submit" loading={formState.isSubmitting}>
                Save
              </Button>
              <Button variant="default" onClick={() => navigate('/')}>
                Cancel
              </Button>
            </Group>
          )}
        </Stack>
      </form>

      {stored && (
        <>
          <DepartmentBusinessHour department={stored} />
          <DepartmentActions department={stored} removalOff={removalOff} onConfirm={setConfirm} />
          {can('view-livechat-departments') && (
            <DepartmentHistory departmentId={stored._id} agentNames={agentNames} />
          )}
          <ConfirmModal
            action={confirm}
            name={stored.name}
            busy={acting}
            onCancel={() => setConfirm(null)}
            onConfirm={(action) => void runAction(action)}
          />
        </>
      )}
    </>
  );
}

function DepartmentActions({
  department,
  removalOff,
  onConfirm,
}: {
  department: Department;
  removalOff: boolean;
  onConfirm: (action: Confirm) => void;
}) {
  const { can } = useAuth();
  const mayArchive = can('manage-livechat-departments');
  const mayDelete = can('manage-livechat-departments', 'remove-livechat-department');
  if (!mayArchive && !mayDelete) return null;
  return (
    <Fieldset legend="Archive or delete" mt="xl" maw={880}>
      <Group>
        {mayArchive &&
          (department.archived ? (
            <Button variant="default" onClick={() => onConfirm('unarchive')}>
              Unarchive
            </Button>
          ) : (
            <Button variant="default" onClick={() => onConfirm('archive')}>
              Archive
            </Button>
          ))}
        {mayDelete && (
          <Button
            color="red"
            disabled={removalOff}
            aria-describedby={removalOff ? 'delete-disabled-reason' : undefined}
            onClick={() => onConfirm('delete')}
          >
            Delete
          </Button>
        )}
      </Group>
      {mayDelete && removalOff && (
        <Text id="delete-disabled-reason" size="sm" c="gray.7" mt="xs">
          Deleting departments is turned off. An administrator can allow it in Settings.
        </Text>
      )}
    </Fieldset>
  );
}

const CONFIRM_TEXT = {
  archive: {
    title: 'Archive department?',
    body: 'The department is disabled and hidden from the list. You can unarchive it later.',
    button: 'Archive department',
  },
  unarchive: {
    title: 'Unarchive department?',
    body: 'The department returns to the list. It stays disabled until you enable it.',
    button: 'Unarchive department',
  },
  delete: {
    title: 'Delete department?',
    body: 'The department and its agent assignments are deleted. This cannot be undone.',
    button: 'Delete department',
  },
} as const;

function ConfirmModal({
  action,
  name,
  busy,
  onCancel,
  onConfirm,
}: {
  action: Confirm;
  name: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (action: Exclude<Confirm, null>) => void;
}) {
  const text = action ? CONFIRM_TEXT[action] : null;
  return (
    <Modal opened={action !== null} onClose={onCancel} title={text?.title} centered>
      {text && action && (
        <>
          <Text mb="xs" fw={600} style={{ overflowWrap: 'anywhere' }}>
            {name}
          </Text>
          <Text mb="lg">{text.body}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
            <Button
              color={action === 'delete' ? 'red' : 'blue'}
              loading={busy}
              onClick={() => onConfirm(action)}
            >
              {text.button}
            </Button>
          </Group>
        </>
      )}
    </Modal>
  );
}
