import { ActionIcon, Menu } from '@mantine/core';
import { useAuth } from '../../auth';
import { useGuardedNavigate } from '../../components/AppLink';
import type { Department } from '../../types';
import { useMayDeleteDepartments, type DepartmentAction } from './useDepartments';

/** A row's actions, as Rocket.Chat's kebab menu: Edit, Archive or Unarchive, Delete. */
export function DepartmentRowMenu({
  department,
  removalAllowed,
  onAction,
}: {
  department: Department;
  removalAllowed: boolean | undefined;
  onAction: (department: Department, action: DepartmentAction) => void;
}) {
  const { can } = useAuth();
  const navigate = useGuardedNavigate();
  const mayManage = can('manage-livechat-departments');
  const mayDelete = useMayDeleteDepartments();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${department.name}`}>
          <span aria-hidden="true">⋮</span>
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => navigate(`/departments/${department._id}`)}>
          {mayManage ? 'Edit' : 'View'}
        </Menu.Item>
        {mayManage &&
          (department.archived ? (
            <Menu.Item onClick={() => onAction(department, 'unarchive')}>Unarchive</Menu.Item>
          ) : (
            <Menu.Item onClick={() => onAction(department, 'archive')}>Archive</Menu.Item>
          ))}
        {mayDelete && removalAllowed !== false && (
          <Menu.Item color="red" onClick={() => onAction(department, 'delete')}>
            Delete
          </Menu.Item>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
