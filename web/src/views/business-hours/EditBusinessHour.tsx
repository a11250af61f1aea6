import { Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useAuth } from '../../auth';
import { ActionBar } from '../../components/ActionBar';
import { AppLink, useAppNavigate, useGuardedNavigate } from '../../components/AppLink';
import { ConfirmModal } from '../../components/ConfirmModal';
import { keepEnterFromSubmitting } from '../../components/forms';
import { focusPageTitle, PageTitle, rescueLostFocus } from '../../components/PageTitle';
import { Section } from '../../components/Section';
import { BROWSER_ZONE } from '../../components/TimeZoneSelect';
import { useDraft } from '../../drafts';
import { useLeaveGuard } from '../../leave-guard';
import { notifyError, notifyInfo, notifyInvalidForm, notifySuccess } from '../../notify';
import type { BusinessHour } from '../../types';
import { ScheduleDepartmentsSection } from './sections/ScheduleDepartmentsSection';
import { ScheduleSection } from './sections/ScheduleSection';
import { WeekSection } from './sections/WeekSection';
import { useDeleteBusinessHour, useSaveBusinessHour } from './useBusinessHours';
import {
  formatSchedulePayload,
  scheduleToForm,
  type ScheduleFormValues,
} from './utils/scheduleForm';

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
  const form = useForm<ScheduleFormValues>({
    defaultValues: scheduleToForm(schedule, BROWSER_ZONE),
  });
  const { handleSubmit, formState, reset } = form;
  // Dirty until saved and reloaded: a failed save (412, 400) keeps the guard on.
  useLeaveGuard(formState.isDirty);
  useDraft(`schedule:${schedule?._id ?? 'new'}`, form, () =>
    notifyInfo(
      'Your unsaved edits from before you logged in again are back. Save them when ready.',
    ),
  );

  const onSubmit = handleSubmit(async (values) => {
    try {
      const saved = await save.mutateAsync(formatSchedulePayload(values, schedule));
      reset(values);
      notifySuccess(
        schedule ? `Schedule “${saved.name}” saved.` : `Schedule “${saved.name}” created.`,
      );
      if (!schedule) {
        navigate(`/business-hours/${saved._id}`, { replace: true });
        rescueLostFocus();
      } else focusPageTitle();
    } catch (error) {
      notifyError(error);
    }
  }, notifyInvalidForm);

  const onDelete = async () => {
    if (!schedule) return;
    try {
      await remove.mutateAsync(schedule._id);
      reset();
      notifySuccess(`Schedule “${schedule.name}” deleted.`);
      navigate('/business-hours', { replace: true });
      rescueLostFocus();
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
      <form onSubmit={onSubmit} onKeyDown={keepEnterFromSubmitting} noValidate aria-label={title}>
        <Stack maw={720} gap="lg">
          <ScheduleSection form={form} disabled={!mayEdit} />
          <WeekSection form={form} disabled={!mayEdit} />
          {isDefault ? (
            <Text c="gray.7">
              Departments without an active schedule of their own follow this one; in Single mode
              (Settings), every department does.
            </Text>
          ) : (
            <ScheduleDepartmentsSection form={form} schedule={schedule} disabled={!mayEdit} />
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
      <ConfirmModal
        opened={confirmDelete}
        title="Delete schedule?"
        subject={schedule?.name}
        confirmLabel="Delete schedule"
        danger
        busy={remove.isPending}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => void onDelete()}
      >
        Its departments go back to the default schedule.
      </ConfirmModal>
    </>
  );
}
