import { Switch, Table, TextInput } from '@mantine/core';
import { Controller, type UseFormReturn } from 'react-hook-form';
import { Section } from '../../../components/Section';
import { timeProblem, type ScheduleFormValues } from '../utils/scheduleForm';

/** The week: for each day, open or not, and 24-hour opening and closing times. */
export function WeekSection({
  form,
  disabled,
}: {
  form: UseFormReturn<ScheduleFormValues>;
  disabled: boolean;
}) {
  const { control, register, formState, watch } = form;
  const days = watch('days');
  return (
    <Section legend="Week (24-hour times)" disabled={disabled}>
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
                  disabled={!row.open || disabled}
                  error={formState.errors.days?.[index]?.start?.message}
                  {...register(`days.${index}.start`, {
                    validate: (value, all) => !all.days[index].open || (timeProblem(value) ?? true),
                  })}
                />
              </Table.Td>
              <Table.Td>
                <TextInput
                  aria-label={`${row.day} closes at`}
                  placeholder="17:00"
                  inputMode="numeric"
                  maxLength={5}
                  disabled={!row.open || disabled}
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
  );
}
