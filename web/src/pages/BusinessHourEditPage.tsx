import {
  Alert,
  Button,
  Center,
  Fieldset,
  Group,
  Loader,
  Modal,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useLocation } from 'wouter';
import { ApiError, errorText, get, post, request } from '../api';
import { useAuth } from '../auth';
import { WEEK_DAYS } from '../business-hours';
import { AppLink } from '../components/AppLink';
import { DepartmentMultiPicker } from '../components/DepartmentPicker';
import { PageTitle } from '../components/PageTitle';
import { useLeaveGuard } from '../leave-guard';
import type { BusinessHour } from '../types';

interface DayRow {
  day: string;
  open: boolean;
  start: string;
  finish: string;
}

interface FormValues {
  name: string;
  active: boolean;
  timezone: string;
  days: DayRow[];
  departments: string[];
}

const TIME_ZONES: string[] = (() => {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] })
    .supportedValuesOf;
  const zones = supported ? supported('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
})();

function toForm(schedule: BusinessHour | null): FormValues {
  return {
    name: schedule?.name ?? '',
    active: schedule?.active ?? true,
    timezone: schedule?.timezone?.name ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC',
    days: WEEK_DAYS.map((day) => {
      const hours = schedule?.workHours.find((workHour) => workHour.day === day);
      return {
        day,
        open: hours?.open ?? !['Saturday', 'Sunday'].includes(day),
        start: hours?.start.time ?? '08:00',
        finish: hours?.finish.time ?? '17:00',
      };
    }),
    departments: (schedule?.departments ?? []).map((department) => department._id),
  };
}

/** The week editor of one schedule (`id` "new" for a new custom schedule). */
export default function BusinessHourEditPage({ id }: { id: string }) {
  const isNew = id === 'new';
  const schedule = useQuery({
    queryKey: ['business-hour', id],
    enabled: !isNew,
    queryFn: () =>
      get<{ businessHour: BusinessHour | null }>('livechat/business-hour', { _id: id }),
  });
  if (isNew) return <ScheduleForm schedule={null} />;
  if (schedule.isPending)
    return (
      <Center py="xl">
        <Loader aria-label="Loading schedule" />
      </Center>
    );
  if (schedule.isError || !schedule.data.businessHour)
    return (
      <>
        <PageTitle>Schedule not found</PageTitle>
        <Text>
          {schedule.isError ? errorText(schedule.error) : 'There is no schedule with this id.'}{' '}
          <AppLink to="/business-hours">Back to the schedules</AppLink>
        </Text>
      </>
    );
  return <ScheduleForm schedule={schedule.data.businessHour} />;
}

function ScheduleForm({ schedule }: { schedule: BusinessHour | null }) {
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const isDefault = schedule?.type === 'default';
  const mayEdit = can('manage-livechat-business-hours');
  const { control, register, handleSubmit, formState, reset, watch } = useForm<FormValues>({
    defaultValues: toForm(schedule),
  });
  useLeaveGuard(formState.isDirty && !formState.isSubmitSuccessful);
  const days = watch('days');

  const onSubmit = handleSubmit(async (values) => {
    setFailure(null);
    setSaved(false);
    try {
      const answer = await post<{ businessHour: BusinessHour }>('livechat/business-hour', {
        ...(schedule ? { _id: schedule._id } : {}),
        name: values.name.trim(),
        active: values.active,
        type: schedule?.type ?? 'custom',
        timezone: values.timezone,
        workHours: values.days.map(({ day, open, start, finish }) => ({
          day,
          start,
          finish,
          open,
        })),
        ...(isDefault ? {} : { departmentsToApplyBusinessHour: values.departments.join(',') }),
      });
      await queryClient.invalidateQueries({ queryKey: ['business-hours'] });
      await queryClient.invalidateQueries({ queryKey: ['business-hour'] });
      await queryClient.invalidateQueries({ queryKey: ['department'] });
      reset(values);
      setSaved(true);
      if (!schedule) navigate(`/business-hours/${answer.businessHour._id}`);
    } catch (error) {
      setFailure(error instanceof ApiError ? errorText(error) : 'The schedule could not be saved.');
    }
  });

  const remove = async () => {
    if (!schedule) return;
    try {
      await request('DELETE', `livechat/business-hour/${encodeURIComponent(schedule._id)}`);
      await queryClient.invalidateQueries({ queryKey: ['business-hours'] });
      reset();
      navigate('/business-hours');
    } catch (error) {
      setFailure(errorText(error));
      setConfirmDelete(false);
    }
  };

  const title = schedule
    ? isDefault
      ? 'Default schedule'
      : `Edit ${schedule.name}`
    : 'New schedule';
  return (
    <>
      <Text size="sm" mb="xs">
        <AppLink to="/business-hours">Business hours</AppLink>
      </Text>
      <PageTitle>{title}</PageTitle>
      {failure && (
        <Alert color="red" role="alert" mb="md" title="Not saved">
          {failure}
        </Alert>
      )}
      {saved && (
        <Alert color="green" role="status" mb="md">
          Schedule saved.
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate aria-label={title}>
        <Stack maw={720} gap="lg">
          <Fieldset legend="Schedule" disabled={!mayEdit}>
            <TextInput
              label="Name"
              required
              error={formState.errors.name?.message}
              {...register('name', { validate: (value) => value.trim() !== '' || 'Enter a name' })}
            />
            <Controller
              control={control}
              name="timezone"
              render={({ field }) => (
                <Select
                  mt="md"
                  label="Time zone"
                  data={TIME_ZONES}
                  value={field.value}
                  onChange={(value) => value && field.onChange(value)}
                  searchable
                  allowDeselect={false}
                  limit={50}
                  disabled={!mayEdit}
                />
              )}
            />
            <Controller
              control={control}
              name="active"
              render={({ field }) => (
                <Switch
                  mt="md"
                  label="Active"
                  checked={field.value}
                  onChange={(event) => field.onChange(event.currentTarget.checked)}
                />
              )}
            />
          </Fieldset>

          <Fieldset legend="Week" disabled={!mayEdit}>
            <Table.ScrollContainer minWidth={300}>
              <Table verticalSpacing="xs" aria-label="Opening hours">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Day</Table.Th>
                    <Table.Th>Opens</Table.Th>
                    <Table.Th>Closes</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {days.map((row, index) => (
                    <Table.Tr key={row.day}>
                      <Table.Td>
                        <Controller
                          control={control}
                          name={`days.${index}.open`}
                          render={({ field }) => (
                            <Switch
                              label={`Open on ${row.day}`}
                              checked={field.value}
                              onChange={(event) => field.onChange(event.currentTarget.checked)}
                            />
                          )}
                        />
                      </Table.Td>
                      <Table.Td>
                        <TextInput
                          type="time"
                          aria-label={`${row.day} opens at`}
                          disabled={!row.open || !mayEdit}
                          {...register(`days.${index}.start`)}
                          w={120}
                        />
                      </Table.Td>
                      <Table.Td>
                        <TextInput
                          type="time"
                          aria-label={`${row.day} closes at`}
                          disabled={!row.open || !mayEdit}
                          error={formState.errors.days?.[index]?.finish?.message}
                          {...register(`days.${index}.finish`, {
                            validate: (value, all) =>
                              !all.days[index].open ||
                              value > all.days[index].start ||
                              'Must be after the opening time',
                          })}
                          w={120}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Fieldset>

          {!isDefault && (
            <Fieldset legend="Departments" disabled={!mayEdit}>
              <Controller
                control={control}
                name="departments"
                render={({ field }) => (
                  <DepartmentMultiPicker
                    label="Departments on this schedule"
                    value={field.value}
                    onChange={field.onChange}
                    disabled={!mayEdit}
                  />
                )}
              />
            </Fieldset>
          )}
          {isDefault && schedule?.departments && (
            <Text c="gray.7">Departments without a custom schedule follow this one.</Text>
          )}

          {mayEdit && (
            <Group>
              <Button type="submit" loading={formState.isSubmitting}>
                Save
              </Button>
              {schedule && !isDefault && (
                <Button color="red" variant="outline" onClick={() => setConfirmDelete(true)}>
                  Delete schedule
                </Button>
              )}
            </Group>
          )}
        </Stack>
      </form>
      <Modal
        opened={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title="Delete schedule?"
        centered
      >
        <Text mb="lg">Its departments go back to the default schedule.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirmDelete(false)}>
            Cancel
          </Button>
          <Button color="red" onClick={() => void remove()}>
            Delete schedule
          </Button>
        </Group>
      </Modal>
    </>
  );
}
