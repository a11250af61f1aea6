import { Button, Group, PasswordInput, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useSetting } from '../hooks/useSetting';

/**
 * One text setting with its own Save button. A secret one (`secret`) shows whether a value
 * is stored, never the value, and is only saved when something is typed.
 */
export function TextSetting({
  id,
  label,
  description,
  placeholder,
  secret = false,
  save,
}: {
  id: string;
  label: string;
  description?: string;
  placeholder?: string;
  secret?: boolean;
  save: (id: string, value: string, done: string) => Promise<void>;
}) {
  const setting = useSetting<string>(id);
  const [value, setValue] = useState('');
  useEffect(() => {
    if (setting.data && !secret) setValue(String(setting.data.value ?? ''));
  }, [setting.data, secret]);

  const Input = secret ? PasswordInput : TextInput;
  const unchanged = secret ? value === '' : value === String(setting.data?.value ?? '');
  return (
    <form
      noValidate
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        void save(id, value.trim(), `${label} saved.`).then(() => secret && setValue(''));
      }}
    >
      <Group align="flex-end" wrap="nowrap" gap="xs">
        <Input
          label={label}
          description={description}
          placeholder={
            secret ? (setting.data?.isSet ? 'Stored (type to replace)' : 'Not set') : placeholder
          }
          value={value}
          onChange={(event) => setValue(event.currentTarget.value)}
          disabled={!setting.data}
          autoComplete={secret ? 'new-password' : 'off'}
          style={{ flex: 1 }}
        />
        <Button type="submit" variant="default" disabled={!setting.data || unchanged}>
          Save
        </Button>
      </Group>
    </form>
  );
}
