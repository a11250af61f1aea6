import { Alert, Fieldset, Select, Stack, Switch, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorText, get, post } from '../../api';
import { useAuth } from '../../auth';
import { PageTitle } from '../../components/PageTitle';
import { notifyError, notifySuccess } from '../../notify';

function useSetting<T>(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ['setting', id],
    queryFn: () => get<{ value: T }>(`settings/${id}`),
    enabled,
    retry: false,
  });
}

export default function SettingsPage() {
  const { can } = useAuth();
  const allowed = can('edit-privileged-setting');
  const queryClient = useQueryClient();
  const removal = useSetting<boolean>('Omnichannel_enable_department_removal', allowed);
  const routing = useSetting<string>('Livechat_Routing_Method', allowed);
  // Business hours settings exist only where the service has business hours.
  const businessHours = useSetting<boolean>('Livechat_enable_business_hours', allowed);
  const businessHourType = useSetting<string>('Livechat_business_hour_type', allowed);

  if (!allowed) {
    return (
      <>
        <PageTitle>Settings</PageTitle>
        <Alert color="yellow">You do not have permission to change settings.</Alert>
      </>
    );
  }

  const save = async (id: string, value: unknown, done: string) => {
    try {
      await post(`settings/${id}`, { value });
      await queryClient.invalidateQueries({ queryKey: ['setting', id] });
      notifySuccess(done);
    } catch (error) {
      notifyError(error);
    }
  };

  return (
    <>
      <PageTitle>Settings</PageTitle>
      {(removal.isError || routing.isError) && (
        <Alert color="red" role="alert" mb="md">
          {errorText(removal.error ?? routing.error)}
        </Alert>
      )}
      <Stack maw={560}>
        <Fieldset legend="Departments">
          <Switch
            label="Allow deleting departments"
            description="When off, departments can only be archived."
            checked={removal.data?.value ?? false}
            disabled={!removal.data}
            onChange={(event) => {
              const value = event.currentTarget.checked;
              void save(
                'Omnichannel_enable_department_removal',
                value,
                value
                  ? 'Departments can now be deleted.'
                  : 'Deleting departments is now turned off.',
              );
            }}
          />
        </Fieldset>
        <Fieldset legend="Routing">
          <Select
            label="Routing method"
            data={[
              { value: 'Auto_Selection', label: 'Auto selection' },
              { value: 'Manual_Selection', label: 'Manual selection' },
            ]}
            value={routing.data?.value ?? null}
            disabled={!routing.data}
            allowDeselect={false}
            onChange={(value) =>
              value && void save('Livechat_Routing_Method', value, 'Routing method saved.')
            }
          />
          <Text size="sm" c="gray.7" mt="xs">
            Auto selection gives each new chat to the available agent with the fewest chats; manual
            selection leaves the choice to the agents.
          </Text>
        </Fieldset>
        {businessHours.data && businessHourType.data && (
          <Fieldset legend="Business hours">
            <Switch
              label="Use business hours"
              description="When off, every department is always open."
              checked={businessHours.data.value}
              onChange={(event) => {
                const value = event.currentTarget.checked;
                void save(
                  'Livechat_enable_business_hours',
                  value,
                  value ? 'Business hours are now in use.' : 'Business hours are now turned off.',
                );
              }}
            />
            <Select
              mt="md"
              label="Schedules"
              data={[
                { value: 'Single', label: 'Single: the default schedule for every department' },
                { value: 'Multiple', label: 'Multiple: custom schedules per department' },
              ]}
              value={businessHourType.data.value}
              allowDeselect={false}
              onChange={(value) =>
                value && void save('Livechat_business_hour_type', value, 'Schedule mode saved.')
              }
            />
          </Fieldset>
        )}
      </Stack>
    </>
  );
}
