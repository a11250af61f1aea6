import { SimpleGrid, Switch, TagsInput, Textarea, TextInput } from '@mantine/core';
import { Controller, type UseFormReturn } from 'react-hook-form';
import type { DepartmentFormValues } from '../utils/formatDepartmentPayload';
import { Section } from '../../../components/Section';
import { WholeNumberInput, wholeNumberRule } from '../../../components/WholeNumberInput';

export function ChatsSection({
  form,
  disabled,
}: {
  form: UseFormReturn<DepartmentFormValues>;
  disabled: boolean;
}) {
  const { control, register, formState, watch } = form;
  const requireTags = watch('requestTagBeforeClosingChat');
  return (
    <Section legend="Chats" disabled={disabled}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {(
          [
            [
              'maxNumberSimultaneousChat',
              'Max simultaneous chats',
              'Per agent; 0 or empty means this department sets no limit',
            ],
            [
              'visitorInactivityTimeoutInSeconds',
              'Visitor inactivity timeout (seconds)',
              undefined,
            ],
          ] as const
        ).map(([name, label, description]) => (
          <Controller
            key={name}
            control={control}
            name={name}
            rules={{ validate: wholeNumberRule(true) }}
            render={({ field, fieldState }) => (
              <WholeNumberInput
                label={label}
                description={description}
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                ref={field.ref}
                error={fieldState.error?.message}
              />
            )}
          />
        ))}
      </SimpleGrid>
      <Controller
        control={control}
        name="requestTagBeforeClosingChat"
        render={({ field }) => (
          <Switch
            mt="md"
            label="Request tag before closing chat"
            checked={field.value}
            onChange={(event) => field.onChange(event.currentTarget.checked)}
            ref={field.ref}
            disabled={disabled}
          />
        )}
      />
      <Controller
        control={control}
        name="chatClosingTags"
        rules={{
          validate: (value) => !requireTags || value.length > 0 || 'Add at least one closing tag',
        }}
        render={({ field, fieldState }) => (
          <TagsInput
            mt="md"
            label="Closing tags"
            description="Press Enter after each tag"
            value={field.value}
            onChange={field.onChange}
            ref={field.ref}
            maxTags={100}
            error={fieldState.error?.message}
            clearable
            disabled={disabled}
          />
        )}
      />
      <Textarea
        mt="md"
        label="Waiting queue message"
        autosize
        minRows={2}
        {...register('waitingQueueMessage')}
      />
      <Textarea
        mt="md"
        label="Abandoned rooms close message"
        autosize
        minRows={2}
        {...register('abandonedRoomsCloseCustomMessage')}
      />
      <TextInput
        mt="md"
        label="Offline message channel"
        error={formState.errors.offlineMessageChannelName?.message}
        {...register('offlineMessageChannelName')}
      />
    </Section>
  );
}
