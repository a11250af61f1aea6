import { Button, Group, Modal, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { DepartmentAction } from './useDepartments';

const TEXT = {
  archive: {
    title: 'Archive department?',
    body: 'The department is disabled and moves to the Archived tab. You can unarchive it later.',
    button: 'Archive department',
  },
  unarchive: {
    title: 'Unarchive department?',
    body: 'The department returns to the list. It stays disabled until you enable it.',
    button: 'Unarchive department',
  },
  delete: {
    title: 'Delete department?',
    body: 'The department and its agent assignments are deleted. This cannot be undone.',
    button: 'Delete department',
  },
} as const;

/** Confirms an archive, unarchive or delete; a delete asks for the department's name first. */
export function DepartmentActionModal({
  action,
  name,
  busy,
  onCancel,
  onConfirm,
}: {
  action: DepartmentAction | null;
  name: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (action: DepartmentAction) => void;
}) {
  const [typed, setTyped] = useState('');
  const text = action ? TEXT[action] : null;
  const nameMatches = typed.trim() === name.trim();
  const close = () => {
    setTyped('');
    onCancel();
  };
  return (
    <Modal opened={action !== null} onClose={close} title={text?.title} centered>
      {text && action && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (action !== 'delete' || nameMatches) onConfirm(action);
          }}
        >
          <Text mb="xs" fw={600} style={{ overflowWrap: 'anywhere' }}>
            {name}
          </Text>
          <Text mb="lg">{text.body}</Text>
          {action === 'delete' && (
            <TextInput
              mb="lg"
              label="Type the department's name to confirm"
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
            <Button
              type="submit"
              color={action === 'delete' ? 'red' : 'blue'}
              loading={busy}
              disabled={action === 'delete' && !nameMatches}
            >
              {text.button}
            </Button>
          </Group>
        </form>
      )}
    </Modal>
  );
}
