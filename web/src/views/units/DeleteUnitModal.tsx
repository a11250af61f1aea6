import { Button, Group, Modal, Text } from '@mantine/core';
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
    }
  };
  const departments = unit?.numDepartments ?? 0;
  return (
    <Modal opened={unit !== null} onClose={onClose} title="Delete unit?" centered>
      <Text mb="lg">
        {departments === 0
          ? `“${unit?.name}” has no departments.`
          : `Its ${departments === 1 ? 'department leaves' : `${departments} departments leave`} “${unit?.name}” and stay${departments === 1 ? 's' : ''}, in no unit.`}{' '}
        Its monitors no longer supervise them.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color="red" loading={remove.isPending} onClick={() => void onDelete()}>
          Delete unit
        </Button>
      </Group>
    </Modal>
  );
}
