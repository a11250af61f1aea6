import { Button, Group, Text } from '@mantine/core';
import { useAuth } from '../../../auth';
import type { Department } from '../../../types';
import { useMayDeleteDepartments, type DepartmentAction } from '../useDepartments';
import { Section } from '../../../components/Section';

/**
 * Archive/Unarchive and Delete, offered only to those who may, and Delete only while the
 * service allows deleting (disabled, with the reason, when it is turned off).
 */
export function ArchiveDeleteSection({
  department,
  removalAllowed,
  onAction,
}: {
  department: Department;
  removalAllowed: boolean | undefined;
  onAction: (action: DepartmentAction) => void;
}) {
  const { can } = useAuth();
  const mayArchive = can('manage-livechat-departments');
  const mayDelete = useMayDeleteDepartments();
  if (!mayArchive && !mayDelete) return null;
  const removalOff = removalAllowed === false;
  return (
    <Section legend="Archive or delete" mt="xl" maw={880}>
      <Group>
        {mayArchive && (
          <Button
            variant="default"
            onClick={() => onAction(department.archived ? 'unarchive' : 'archive')}
          >
            {department.archived ? 'Unarchive' : 'Archive'}
          </Button>
        )}
        {mayDelete && (
          <Button
            color="red"
            disabled={removalOff}
            aria-describedby={removalOff ? 'delete-disabled-reason' : undefined}
            onClick={() => onAction('delete')}
          >
            Delete
          </Button>
        )}
      </Group>
      {mayDelete && removalOff && (
        <Text id="delete-disabled-reason" size="sm" c="gray.7" mt="xs">
          Deleting departments is turned off. An administrator can allow it in Settings; until then,
          archive the department instead.
        </Text>
      )}
    </Section>
  );
}
