import { Controller, type UseFormReturn } from 'react-hook-form';
import { SearchMultiPicker } from '../../../components/SearchMultiPicker';
import { Section } from '../../../components/Section';
import { queryKeys } from '../../../query-keys';
import { searchAvailableDepartments, searchMonitors } from '../useUnits';
import type { UnitFormValues } from '../utils/unitForm';

/** The unit's monitors, picked among the users with the monitor role. */
export function UnitMonitorsSection({ form }: { form: UseFormReturn<UnitFormValues> }) {
  const { control } = form;
  return (
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
              field.onChange(items.map((item) => ({ monitorId: item.value, username: item.label })))
            }
            queryKey={queryKeys.monitors.search}
            search={searchMonitors}
            nothingFound="No monitor found"
            error={fieldState.error?.message}
          />
        )}
      />
    </Section>
  );
}

/** The unit's departments, picked among those in no unit or in this one. */
export function UnitDepartmentsSection({
  form,
  unitId,
}: {
  form: UseFormReturn<UnitFormValues>;
  unitId: string | undefined;
}) {
  const { control } = form;
  return (
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
              field.onChange(items.map((item) => ({ departmentId: item.value, name: item.label })))
            }
            queryKey={queryKeys.units.availableDepartments(unitId ?? 'none')}
            search={(text) => searchAvailableDepartments(unitId, text)}
            nothingFound="No department available"
            error={fieldState.error?.message}
          />
        )}
      />
    </Section>
  );
}
