import { Autocomplete, Button, Group } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { UseMutationResult } from '@tanstack/react-query';
import { Controller, useForm } from 'react-hook-form';
import { errorText } from '../../api';
import { useUserSuggestions } from '../../hooks/useUserSuggestions';
import { notifySuccess } from '../../notify';
import { article } from './RoleUsersPage';

/**
 * Gives a user the role by username: pick a suggestion, or type the exact username and press
 * Enter (or the button). An unknown username is said at the field.
 */
export function AddRoleUserForm({
  noun,
  addLabel,
  useAdd,
}: {
  noun: string;
  addLabel: string;
  useAdd: () => UseMutationResult<'made' | 'already', Error, string>;
}) {
  const add = useAdd();
  const form = useForm<{ username: string }>({ defaultValues: { username: '' } });
  const [typed] = useDebouncedValue(form.watch('username').trim(), 250);
  const suggestions = useUserSuggestions(typed);

  const onAdd = form.handleSubmit(async ({ username }) => {
    const name = username.trim();
    try {
      const outcome = await add.mutateAsync(name);
      form.reset();
      notifySuccess(
        outcome === 'already'
          ? `${name} is already ${article(noun)} ${noun}.`
          : `${name} is now ${article(noun)} ${noun}.`,
      );
    } catch (error) {
      form.setError('username', { message: errorText(error) }, { shouldFocus: true });
    }
  });

  return (
    <form
      onSubmit={onAdd}
      // Enter on a highlighted suggestion picks it (the list handles it first and marks the
      // event); otherwise Enter adds what is typed.
      onKeyDown={(event) => {
        if (event.key !== 'Enter' || event.defaultPrevented) return;
        event.preventDefault();
        void onAdd();
      }}
      noValidate
      aria-label={`Add ${article(noun)} ${noun}`}
    >
      <Group align="flex-start" mb="lg">
        <Controller
          control={form.control}
          name="username"
          rules={{ validate: (value) => value.trim() !== '' || 'Enter a username' }}
          render={({ field }) => (
            <Autocomplete
              label="Username"
              description="Type a username (then Enter) or a name, and pick a user"
              error={form.formState.errors.username?.message}
              data={(suggestions.data ?? []).map((user) => user.username)}
              value={field.value}
              onChange={field.onChange}
              // Enter on a suggestion that is exactly what was typed adds that user at once
              // (a typist's Enter must not be spent on picking what is already there).
              onOptionSubmit={(picked) => {
                if (picked === field.value.trim()) void onAdd();
              }}
              onBlur={field.onBlur}
              ref={field.ref}
              w={{ base: '100%', sm: 280 }}
            />
          )}
        />
        <Button type="submit" mt={{ base: 0, sm: 44 }} loading={form.formState.isSubmitting}>
          {addLabel}
        </Button>
      </Group>
    </form>
  );
}
