import { Controller, type UseFormReturn } from 'react-hook-form';
import { DepartmentMultiPicker, DepartmentPicker } from '../../../components/DepartmentPicker';
import type { DepartmentFormValues } from '../utils/formatDepartmentPayload';
import { Section } from '../../../components/Section';

export function ForwardingSection({
  form,
  ownId,
  disabled,
}: {
  form: UseFormReturn<DepartmentFormValues>;
  ownId: string | undefined;
  disabled: boolean;
}) {
  return (
    <Section legend="Forwarding" disabled={disabled}>
      <Controller
        control={form.control}
        name="departmentsAllowedToForward"
        render={({ field, fieldState }) => (
          <DepartmentMultiPicker
            label="Departments allowed to forward to"
            value={field.value}
            onChange={field.onChange}
            exclude={ownId}
            error={fieldState.error?.message}
            disabled={disabled}
          />
        )}
      />
      <Controller
        control={form.control}
        name="fallbackForwardDepartment"
        render={({ field, fieldState }) => (
          <div style={{ marginTop: 16 }}>
            <DepartmentPicker
              label="Fallback forward department"
              description="Receives the chat when no agent of this department is online"
              value={field.value}
              onChange={field.onChange}
              exclude={ownId}
              error={fieldState.error?.message}
              disabled={disabled}
            />
          </div>
        )}
      />
    </Section>
  );
}
