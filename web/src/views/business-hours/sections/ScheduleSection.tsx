import { Switch, TextInput } from '@mantine/core';
import { Controller, type UseFormReturn } from 'react-hook-form';
import { Section } from '../../../components/Section';
import { TimeZoneSelect } from '../../../components/TimeZoneSelect';
import type { ScheduleFormValues } from '../utils/scheduleForm';

/** The schedule's name, time zone and whether it is active. */
export function ScheduleSection({
  form,
  disabled,
}: {
  form: UseFormReturn<ScheduleFormValues>;
  disabled: boolean;
}) {
  const { control, register, formState } = form;
  return (
    <Section legend="Schedule" disabled={disabled}>
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
          <TimeZoneSelect value={field.value} onChange={field.onChange} disabled={disabled} />
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
  );
}
