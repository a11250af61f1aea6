import { ConfirmModal } from '../../components/ConfirmModal';
import { rescueLostFocus } from '../../components/PageTitle';
import { notifyError, notifySuccess } from '../../notify';
import type { Unit } from '../../types';
import { useDeleteUnit } from './useUnits';

/** Asks before deleting a unit, and says what happens to its departments and monitors. */
export function DeleteUnitModal({
  unit,
  onClose,
  onDeleted,
}: {
  unit: Unit | null;
  onClose: () => void;
  onDeleted?: () => void;
}) {
  const remove = useDeleteUnit();
  const onDelete = async () => {
    if (!unit) return;
    try {
      await remove.mutateAsync(unit._id);
      notifySuccess(`Unit “${unit.name}” deleted.`);
      onDeleted?.();
    } catch (error) {
      notifyError(error, 'Not deleted');
    } finally {
      onClose();
      rescueLostFocus();
    }
  };
  const departments = unit?.numDepartments ?? 0;
  return (
    <ConfirmModal
      opened={unit !== null}
      title="Delete unit?"
      subject={unit?.name}
      confirmLabel="Delete unit"
      danger
      busy={remove.isPending}
      onCancel={onClose}
      onConfirm={() => void onDelete()}
    >
      {departments === 0
        ? `“${unit?.name}” has no departments.`
        : `Its ${departments === 1 ? 'department leaves' : `${departments} departments leave`} “${unit?.name}” and stay${departments === 1 ? 's' : ''}, in no unit.`}{' '}
      Its monitors no longer supervise them.
    </ConfirmModal>
  );
}
