import {
  Button,
  Group,
  List,
  Modal,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { get, type Query } from '../../api';
import { useAuth } from '../../auth';
import { ActionBar } from '../../components/ActionBar';
import { AppLink, useAppNavigate, useGuardedNavigate } from '../../components/AppLink';
import { DepartmentMultiPicker } from '../../components/DepartmentPicker';
import { PageTitle } from '../../components/PageTitle';
import { useLeaveGuard } from '../../leave-guard';
import { notifyError, notifySuccess } from '../../notify';
import type { BusinessHour, Page } from '../../types';
import { Section } from '../../components/Section';
import { useDeleteBusinessHour, useSaveBusinessHour } from './useBusinessHours';
import {
  formatSchedulePayload,
  scheduleToForm,
  timeProblem,
  type ScheduleFormValues,
} from './utils/scheduleForm';

const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const TIME_ZONES: string[] = (() => {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] })
    .supportedValuesOf;
  const zones = supported ? supported('timeZone') : [];
  return [...new Set(['UTC', BROWSER_ZONE, ...zones])];
})();

/**
 * Departments being added that are on another schedule today: saving moves them (a department
 * has one schedule), so the form says so before it happens.
 */
function useMovedDepartments(added: string[], scheduleId: string | undefined) {
  const sorted = [...added].sort();
  const departments = useQuery({
    queryKey: ['department.listByIds', 'businessHourId', sorted],
    enabled: sorted.length > 0,
    queryFn: () => {
      const params = new URLSearchParams();
      for (const id of sorted) params.append('ids[]', id);
      // businessHourId is not projectable: whole departments (at most the few being added).
      return get<{ departments: { _id: string; name: string; businessHourId?: string }[] }>(
        `livechat/department.listByIds?${params.toString()}`,
      );
    },
  });
  const schedules = useQuery({
    queryKey: ['business-hours', 'names'],
    enabled: sorted.length > 0,
    queryFn: () =>
      get<Page & { businessHours: BusinessHour[] }>('livechat/business-hours', {
        count: 100,
      } satisfies Query),
  });
  const names = new Map(schedules.data?.businessHours.map((item) => [item._id, item.name]));
  return (departments.data?.departments ?? [])
    .filter((item) => item.businessHourId && item.businessHourId !== scheduleId)
    .map((item) => ({
      name: item.name,
      from: names.get(item.businessHourId!) ?? 'another schedule',
    }));
}

/** The week editor of one schedule: name, time zone, 24-hour opening times, departments. */
export function EditBusinessHour({ schedule }: { schedule: BusinessHour | null }) {
  const { can } = useAuth();
  const navigate = useAppNavigate();
  const guardedNavigate = useGuardedNavigate();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const isDefault = schedule?.type === 'default';
  const mayEdit = can('manage-livechat-business-hours');
  const save = useSaveBusinessHour();
  const remove = useDeleteBusinessHour();
  const { control, register, handleSubmit, formState, reset, watch } = useForm<ScheduleFormValues>({
    defaultValues: scheduleToForm(schedule, BROWSER_ZONE),
  });
  // Dirty until saved and reloaded: a failed save (412, 400) keeps the guard on.
  useLeaveGuard(formState.isDirty);
  const days = watch('days');
  const initial = new Set((schedule?.departments ?? []).map((department) => department._id));
  const moved = useMovedDepartments(
    watch('departments').filter((id) => !initial.has(id)),
    schedule?._id,
  );

  const onSubmit = handleSubmit(
    async (values) => {
      try {
        const saved = await save.mutateAsync(formatSchedulePayload(values, schedule));
        reset(values);
        notifySuccess(schedule ? 'Schedule saved.' : `Schedule “${saved.name}” created.`);
        if (!schedule) navigate(`/business-hours/${saved._id}`, { replace: true });
      } catch (error) {
        notifyError(error);
      }
    },
    () => notifyError('Some fields need attention: see the highlighted fields.'),
  );

  const onDelete = async () => {
    if (!schedule) return;
    try {
      await remove.mutateAsync(schedule._id);
      reset();
      notifySuccess('Schedule deleted.');
      navigate('/business-hours', { replace: true });
    } catch (error) {
      notifyError(error, 'Not deleted');
      setConfirmDelete(false);
    }
  };

  const title = schedule
    ? isDefault
      ? 'Default schedule'
      : `${mayEdit ? 'Edit' : 'View'} ${schedule.name}`
    : 'New schedule';
  return (
    <>
      <Text size="sm" mb="xs">
        <AppLink to="/business-hours">Business hours</AppLink>
      </Text>
      <PageTitle>{title}</PageTitle>
      <form onSubmit={onSubmit} noValidate aria-label={title}>
        <Stack maw={720} gap="lg">
          <Section legend="Schedule" disabled={!mayEdit}>
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
                  description={`Your browser's time zone is ${BROWSER_ZONE}.`}
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
          </Section>

          <Section legend="Week (24-hour times)" disabled={!mayEdit}>
            <Table verticalSpacing="xs" aria-label="Opening hours" layout="fixed">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Day</Table.Th>
                  <Table.Th w={96}>Opens</Table.Th>
                  <Table.Th w={96}>Closes</Table.Th>
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
                        aria-label={`${row.day} opens at`}
                        placeholder="08:00"
                        inputMode="numeric"
                        maxLength={5}
                        disabled={!row.open || !mayEdit}
                        error={formState.errors.days?.[index]?.start?.message}
                        {...register(`days.${index}.start`, {
                          validate: (value, all) =>
                            !all.days[index].open || (timeProblem(value) ?? true),
                        })}
                      />
                    </Table.Td>
                    <Table.Td>
                      <TextInput
                        aria-label={`${row.day} closes at`}
                        placeholder="17:00"
                        inputMode="numeric"
                        maxLength={5}
                        disabled={!row.open || !mayEdit}
                        error={formState.errors.days?.[index]?.finish?.message}
                        {...register(`days.${index}.finish`, {
                          validate: (value, all) =>
                            !all.days[index].open ||
                            (timeProblem(value) ??
                              (value.trim() > all.days[index].start.trim() ||
                                'Must be after the opening time')),
                        })}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Section>

          {!isDefault && (
            <Section legend="Departments" disabled={!mayEdit}>
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
              {moved.length > 0 && (
                <div role="status">
                  <Text size="sm" c="orange.9" mt="xs">
                    A department has one schedule. Saving moves:
                  </Text>
                  <List size="sm" c="orange.9">
                    {moved.map((item) => (
                      <List.Item key={item.name}>
                        {item.name}, from “{item.from}”
                      </List.Item>
                    ))}
                  </List>
                </div>
              )}
            </Section>
          )}
          {isDefault && (
            <Text c="gray.7">
              Departments without an active schedule of their own follow this one; in Single mode
              (Settings), every department does.
            </Text>
          )}

          {mayEdit && (
            <ActionBar
              dirty={formState.isDirty}
              saving={formState.isSubmitting}
              onCancel={() => guardedNavigate('/business-hours')}
            />
          )}
        </Stack>
      </form>
      {mayEdit && schedule && !isDefault && (
        <Section legend="Delete" mt="xl" maw={720}>
          <Button color="red" variant="outline" onClick={() => setConfirmDelete(true)}>
            Delete schedule
          </Button>
        </Section>
      )}
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
          <Button color="red" loading={remove.isPending} onClick={() => void onDelete()}>
            Delete schedule
          </Button>
        </Group>
      </Modal>
    </>
  );
}
