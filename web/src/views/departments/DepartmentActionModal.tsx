import { ConfirmModal } from '../../components/ConfirmModal';
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
  const text = TEXT[action ?? 'archive'];
  return (
    <ConfirmModal
      opened={action !== null}
      title={text.title}
      subject={name}
      confirmLabel={text.button}
      danger={action === 'delete'}
      busy={busy}
      typeToConfirm={action === 'delete' ? name : undefined}
      typeLabel="Type the department's name to confirm"
      onCancel={onCancel}
      onConfirm={() => action && onConfirm(action)}
    >
      {text.body}
    </ConfirmModal>
  );
}
