import { Button, Group, Modal, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';

/**
 * Every "are you sure?" of the console: what is affected, what follows, Cancel and the action.
 * With `typeToConfirm`, the action waits until that text is typed (a delete that cannot be undone).
 */
export function ConfirmModal({
  opened,
  title,
  subject,
  children,
  confirmLabel,
  danger = false,
  busy,
  typeToConfirm,
  typeLabel,
  onCancel,
  onConfirm,
}: {
  opened: boolean;
  title: string;
  /** What the action is about (a department's or user's name), shown first. */
  subject?: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy: boolean;
  typeToConfirm?: string;
  typeLabel?: string;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const [typed, setTyped] = useState('');
  const matches = typeToConfirm === undefined || typed.trim() === typeToConfirm.trim();
  const close = () => {
    setTyped('');
    onCancel();
  };
  return (
    <Modal opened={opened} onClose={close} title={title} centered>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!matches) return;
          setTyped('');
          onConfirm();
        }}
      >
        {subject !== undefined && (
          <Text mb="xs" fw={600} style={{ overflowWrap: 'anywhere' }}>
            {subject}
          </Text>
        )}
        <Text mb="lg" component="div">
          {children}
        </Text>
        {typeToConfirm !== undefined && (
          <TextInput
            mb="lg"
            label={typeLabel ?? 'Type the name to confirm'}
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" color={danger ? 'red' : 'blue'} loading={busy} disabled={!matches}>
            {confirmLabel}
          </Button>
        </Group>
      </form>
    </Modal>
  );
}
