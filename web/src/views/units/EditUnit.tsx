import { Alert, Button, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { ApiError } from '../../api';
import { useAuth } from '../../auth';
import { ActionBar } from '../../components/ActionBar';
import { AppLink, useAppNavigate, useGuardedNavigate } from '../../components/AppLink';
import { keepEnterFromSubmitting } from '../../components/forms';
import { focusPageTitle, PageTitle, rescueLostFocus } from '../../components/PageTitle';
import { Section } from '../../components/Section';
import { useLeaveGuard } from '../../leave-guard';
import { useDraft } from '../../drafts';
import { notifyError, notifyInfo, notifyInvalidForm, notifySuccess } from '../../notify';
import { DeleteUnitModal } from './DeleteUnitModal';
import { UnitDepartmentsSection, UnitMonitorsSection } from './sections/UnitMembersSections';
import { useSaveUnit, type LoadedUnit } from './useUnits';
import {
  formatUnitPayload,
  unitErrorField,
  unitToForm,
  VISIBILITY_LABELS,
  type UnitFormValues,
  type UnitVisibility,
} from './utils/unitForm';

const VISIBILITIES = (Object.keys(VISIBILITY_LABELS) as UnitVisibility[]).map((value) => ({
  value,
  label: VISIBILITY_LABELS[value],
}));

/** A unit's name, visibility, monitors and departments; saved in one request. */
export function EditUnit({ loaded }: { loaded: LoadedUnit | null }) {
  const { can } = useAuth();
  const navigate = useAppNavigate();
  const guardedNavigate = useGuardedNavigate();
  const stored = loaded?.unit ?? null;
  const [deleting, setDeleting] = useState(false);
  const mayManage = can('manage-livechat-units');
  const save = useSaveUnit(stored?._id);
  const form = useForm<UnitFormValues>({
    defaultValues: unitToForm(stored, loaded?.monitors ?? [], loaded?.departments ?? []),
  });
  const { control, register, handleSubmit, formState, reset, setError } = form;
  useLeaveGuard(formState.isDirty);
  useDraft(`unit:${stored?._id ?? 'new'}`, form, () =>
    notifyInfo(
      'Your unsaved edits from before you logged in again are back. Save them when ready.',
    ),
  );

  const onSubmit = handleSubmit(async (values) => {
    try {
      const saved = await save.mutateAsync(formatUnitPayload(values));
      reset(values);
      if (stored) {
        notifySuccess(`Unit “${saved.name}” saved.`);
        focusPageTitle();
      } else {
        notifySuccess(`Unit “${saved.name}” created.`);
        navigate(`/units/${saved._id}`, { replace: true });
        rescueLostFocus();
      }
    } catch (error) {
      const field =
        error instanceof ApiError && error.status === 400 ? unitErrorField(error) : undefined;
      if (field && error instanceof ApiError) {
        setError(field, { message: error.text }, { shouldFocus: true });
        notifyError('Check the highlighted field.');
      } else notifyError(error);
    }
  }, notifyInvalidForm);

  if (!mayManage) {
    return (
      <>
        <PageTitle>Units</PageTitle>
        <Alert color="yellow">You do not have permission to change units.</Alert>
      </>
    );
  }

  const title = stored ? `Edit ${stored.name}` : 'New unit';
  return (
    <>
      <Text size="sm" mb="xs">
        <AppLink to="/units">Units</AppLink>
      </Text>
      <PageTitle>{title}</PageTitle>
      <form onSubmit={onSubmit} onKeyDown={keepEnterFromSubmitting} noValidate aria-label={title}>
        <Stack gap="lg" maw={720}>
          <Section legend="Unit">
            <TextInput
              label="Name"
              required
              error={formState.errors.name?.message}
              {...register('name', {
                validate: (value) => value.trim() !== '' || 'Enter a name',
                maxLength: { value: 256, message: 'At most 256 characters' },
              })}
            />
            <Controller
              control={control}
              name="visibility"
              render={({ field, fieldState }) => (
                <Select
                  mt="md"
                  label="Visibility"
                  data={VISIBILITIES}
                  value={field.value}
                  onChange={(value) => value && field.onChange(value)}
                  allowDeselect={false}
                  error={fieldState.error?.message}
                  w={{ base: '100%', sm: 240 }}
                />
              )}
            />
          </Section>
          <UnitMonitorsSection form={form} />
          <UnitDepartmentsSection form={form} unitId={stored?._id} />
          <ActionBar
            dirty={formState.isDirty}
            saving={formState.isSubmitting}
            onCancel={() => guardedNavigate('/units')}
          />
        </Stack>
      </form>
      {stored && (
        <>
          <Section legend="Delete" mt="xl" maw={720}>
            <Button color="red" variant="outline" onClick={() => setDeleting(true)}>
              Delete unit
            </Button>
          </Section>
          <DeleteUnitModal
            unit={deleting ? stored : null}
            onClose={() => setDeleting(false)}
            onDeleted={() => {
              reset();
              navigate('/units', { replace: true });
            }}
          />
        </>
      )}
    </>
  );
}
