import { Alert, Button, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState, type KeyboardEvent } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { ApiError } from '../../api';
import { useAuth } from '../../auth';
import { ActionBar } from '../../components/ActionBar';
import { AppLink, useAppNavigate, useGuardedNavigate } from '../../components/AppLink';
import { PageTitle } from '../../components/PageTitle';
import { SearchMultiPicker } from '../../components/SearchMultiPicker';
import { Section } from '../../components/Section';
import { useLeaveGuard } from '../../leave-guard';
import { notifyError, notifyInvalidForm, notifySuccess } from '../../notify';
import { DeleteUnitModal } from './DeleteUnitModal';
import {
  searchAvailableDepartments,
  searchMonitors,
  useSaveUnit,
  type LoadedUnit,
} from './useUnits';
import {
  formatUnitPayload,
  unitErrorField,
  unitToForm,
  VISIBILITY_LABELS,
  type UnitFormValues,
  type UnitVisibility,
} from './utils/unitForm';
import { queryKeys } from '../../query-keys';

const VISIBILITIES = (Object.keys(VISIBILITY_LABELS) as UnitVisibility[]).map((value) => ({
  value,
  label: VISIBILITY_LABELS[value],
}));

/** Enter in a picker's search never submits the form: only Save does. */
function keepEnterFromSubmitting(event: KeyboardEvent<HTMLFormElement>) {
  if (event.key === 'Enter' && event.target instanceof HTMLInputElement) event.preventDefault();
}

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

  const onSubmit = handleSubmit(
    async (values) => {
      try {
        const saved = await save.mutateAsync(formatUnitPayload(values));
        reset(values);
        if (stored) {
          notifySuccess('Unit saved.');
        } else {
          notifySuccess(`Unit “${saved.name}” created.`);
          navigate(`/units/${saved._id}`, { replace: true });
        }
      } catch (error) {
        const field =
          error instanceof ApiError && error.status === 400 ? unitErrorField(error) : undefined;
        if (field && error instanceof ApiError) {
          setError(field, { message: error.text }, { shouldFocus: true });
          notifyError('Check the highlighted field.');
        } else notifyError(error);
      }
    },
    notifyInvalidForm,
  );

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
          <Section legend="Monitors">
            <Controller
              control={control}
              name="monitors"
              render={({ field, fieldState }) => (
                <SearchMultiPicker
                  label="Monitors"
                  description="They see and manage this unit's departments. Make a user a monitor on the Monitors screen."
                  value={field.value.map((monitor) => ({
                    value: monitor.monitorId,
                    label: monitor.username,
                  }))}
                  onChange={(items) =>
                    field.onChange(
                      items.map((item) => ({ monitorId: item.value, username: item.label })),
                    )
                  }
                  queryKey={queryKeys.monitors.search}
                  search={searchMonitors}
                  nothingFound="No monitor found"
                  error={fieldState.error?.message}
                />
              )}
            />
          </Section>
          <Section legend="Departments">
            <Controller
              control={control}
              name="departments"
              render={({ field, fieldState }) => (
                <SearchMultiPicker
                  label="Departments"
                  description="Departments in no unit, or in this one. A department is in one unit at most."
                  value={field.value.map((department) => ({
                    value: department.departmentId,
                    label: department.name,
                  }))}
                  onChange={(items) =>
                    field.onChange(
                      items.map((item) => ({ departmentId: item.value, name: item.label })),
                    )
                  }
                  queryKey={queryKeys.units.availableDepartments(stored?._id ?? 'none')}
                  search={(text) => searchAvailableDepartments(stored?._id, text)}
                  nothingFound="No department available"
                  error={fieldState.error?.message}
                />
              )}
            />
          </Section>
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
