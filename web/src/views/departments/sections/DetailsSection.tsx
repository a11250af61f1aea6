import { SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Controller, type UseFormReturn } from 'react-hook-form';
import { AppLink } from '../../../components/AppLink';
import type { Department } from '../../../types';
import { emailProblem } from '../../../utils/email';
import { useNamesake } from '../useDepartments';
import type { DepartmentFormValues } from '../utils/formatDepartmentPayload';
import { Section } from '../../../components/Section';

export function DetailsSection({
  form,
  stored,
  disabled,
}: {
  form: UseFormReturn<DepartmentFormValues>;
  stored: Department | null;
  disabled: boolean;
}) {
  const { control, register, formState, watch } = form;
  const [name] = useDebouncedValue(watch('name'), 400);
  const namesake = useNamesake(disabled ? '' : name, stored?._id);
  const archived = stored?.archived === true;
  return (
    <Section legend="Department" disabled={disabled}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <div>
          <TextInput
            label="Name"
            required
            error={formState.errors.name?.message}
            aria-describedby={namesake ? 'namesake-warning' : undefined}
            {...register('name', {
              validate: (value) => value.trim() !== '' || 'Enter a name',
              maxLength: { value: 256, message: 'At most 256 characters' },
            })}
          />
          {namesake && (
            <Text id="namesake-warning" size="sm" c="orange.9" mt={4} role="status">
              Another department is already named{' '}
              <AppLink to={`/departments/${namesake._id}`} underline="always">
                {namesake.name}
              </AppLink>
              . Visitors could not tell them apart.
            </Text>
          )}
        </div>
        <TextInput
          label="Email"
          type="email"
          required
          error={formState.errors.email?.message}
          {...register('email', { validate: (value) => emailProblem(value) ?? true })}
        />
      </SimpleGrid>
      <Textarea
        mt="md"
        label="Description"
        autosize
        minRows={2}
        error={formState.errors.description?.message}
        {...register('description', {
          maxLength: { value: 4096, message: 'At most 4096 characters' },
        })}
      />
      <Stack mt="md" gap="sm">
        {(
          [
            ['enabled', 'Enabled'],
            ['showOnRegistration', 'Show on registration page'],
            ['showOnOfflineForm', 'Show on offline page'],
            ['allowReceiveForwardOffline', 'Accept forwarded chats when no agent is online'],
          ] as const
        ).map(([name, label]) => (
          <Controller
            key={name}
            control={control}
            name={name}
            render={({ field, fieldState }) => (
              <Switch
                label={label}
                checked={field.value}
                onChange={(event) => field.onChange(event.currentTarget.checked)}
                onBlur={field.onBlur}
                ref={field.ref}
                // An archived department cannot be enabled (the API refuses): say so up front.
                disabled={disabled || (name === 'enabled' && archived)}
                description={
                  name === 'enabled' && archived
                    ? 'An archived department cannot be enabled. Unarchive it first.'
                    : undefined
                }
                error={fieldState.error?.message}
                aria-invalid={fieldState.error ? true : undefined}
              />
            )}
          />
        ))}
      </Stack>
    </Section>
  );
}
