import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Controller, type UseFormReturn } from 'react-hook-form';
import { useAuth } from '../../../auth';
import { Section } from '../../../components/Section';
import { useMayListUnits, useUnitOptions } from '../../units/useUnits';
import type { DepartmentFormValues } from '../utils/formatDepartmentPayload';

/**
 * The unit the department is in. Shown to those who may list units; a monitor must keep the
 * department in one of its own units (the only ones it is offered).
 */
export function UnitSection({
  form,
  disabled,
}: {
  form: UseFormReturn<DepartmentFormValues>;
  disabled: boolean;
}) {
  const { unitScoped } = useAuth();
  const mayList = useMayListUnits();
  const [typed, setTyped] = useState('');
  const [term] = useDebouncedValue(typed.trim(), 250);
  const chosen = form.watch('unit');
  const { options, fetching } = useUnitOptions(term, chosen, mayList);
  if (!mayList) return null;
  const chosenLabel = options.find((option) => option.value === chosen)?.label;
  return (
    <Section legend="Unit" disabled={disabled}>
      <Controller
        control={form.control}
        name="unit"
        rules={{
          validate: (value) => !unitScoped || value !== null || 'Choose one of your units',
        }}
        render={({ field, fieldState }) => (
          <Select
            label="Unit"
            description={
              unitScoped
                ? 'One of the units you monitor.'
                : "The unit's monitors see and manage this department. Empty: in no unit."
            }
            required={unitScoped}
            data={options}
            value={field.value}
            onChange={field.onChange}
            onBlur={field.onBlur}
            ref={field.ref}
            searchable
            // The input shows the chosen name; that text is not a search for other units.
            onSearchChange={(next) => setTyped(next === chosenLabel ? '' : next)}
            filter={({ options: all }) => all}
            nothingFoundMessage={fetching ? 'Searching…' : 'No unit found'}
            clearable={!unitScoped}
            clearButtonProps={{ 'aria-label': 'Clear Unit', 'aria-hidden': false, tabIndex: 0 }}
            error={fieldState.error?.message}
            disabled={disabled}
            w={{ base: '100%', sm: 360 }}
          />
        )}
      />
    </Section>
  );
}
