import { useState } from 'react';
import { ApiError } from '../../api';
import { rescueLostFocus } from '../../components/PageTitle';
import { notifyError, notifySuccess } from '../../notify';
import type { Department } from '../../types';
import { DepartmentActionModal } from './DepartmentActionModal';
import { useDepartmentAction, type DepartmentAction } from './useDepartments';

const DONE: Record<DepartmentAction, (name: string) => string> = {
  archive: (name) => `Department “${name}” archived.`,
  unarchive: (name) => `Department “${name}” unarchived.`,
  delete: (name) => `Department “${name}” deleted.`,
};

/** Archive, unarchive or delete one department: confirm, run, then a toast either way. */
export function useDepartmentActionFlow(onDone?: (action: DepartmentAction) => void) {
  const [pending, setPending] = useState<{
    department: Department;
    action: DepartmentAction;
  } | null>(null);
  // A manager cannot read the removal setting: once a delete is refused, Delete stays disabled.
  const [removalRefused, setRemovalRefused] = useState(false);
  const mutation = useDepartmentAction();
  const run = async (department: Department, action: DepartmentAction) => {
    try {
      await mutation.mutateAsync({ id: department._id, action });
      notifySuccess(DONE[action](department.name));
      setPending(null);
      onDone?.(action);
      // The row or page the action started from may be gone: continue from the page's title.
      rescueLostFocus();
    } catch (error) {
      setPending(null);
      if (error instanceof ApiError && error.errorType === 'error-department-removal-disabled')
        setRemovalRefused(true);
      notifyError(
        error instanceof ApiError && error.errorType === 'error-department-removal-disabled'
          ? 'Deleting departments is turned off in the settings.'
          : error,
        action === 'delete' ? 'Not deleted' : 'Not changed',
      );
    }
  };
  const modal = (
    <DepartmentActionModal
      action={pending?.action ?? null}
      name={pending?.department.name ?? ''}
      busy={mutation.isPending}
      onCancel={() => setPending(null)}
      onConfirm={(action) => pending && void run(pending.department, action)}
    />
  );
  return {
    removalRefused,
    ask: (department: Department, action: DepartmentAction) => setPending({ department, action }),
    modal,
  };
}
