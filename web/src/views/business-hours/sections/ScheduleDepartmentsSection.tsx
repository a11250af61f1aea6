import { List, Text } from '@mantine/core';
import { Controller, type UseFormReturn } from 'react-hook-form';
import { DepartmentMultiPicker } from '../../../components/DepartmentPicker';
import { Section } from '../../../components/Section';
import type { BusinessHour } from '../../../types';
import { useMovedDepartments } from '../useBusinessHours';
import type { ScheduleFormValues } from '../utils/scheduleForm';

/** The departments on a custom schedule, and which ones saving would move from another. */
export function ScheduleDepartmentsSection({
  form,
  schedule,
  disabled,
}: {
  form: UseFormReturn<ScheduleFormValues>;
  schedule: BusinessHour | null;
  disabled: boolean;
}) {
  const initial = new Set((schedule?.departments ?? []).map((department) => department._id));
  const moved = useMovedDepartments(
    form.watch('departments').filter((id) => !initial.has(id)),
    schedule?._id,
  );
  return (
    <Section legend="Departments" disabled={disabled}>
      <Controller
        control={form.control}
        name="departments"
        render={({ field }) => (
          <DepartmentMultiPicker
            label="Departments on this schedule"
            value={field.value}
            onChange={field.onChange}
            disabled={disabled}
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
  );
}
