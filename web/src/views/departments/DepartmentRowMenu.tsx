import { useAuth } from '../../auth';
import { useGuardedNavigate } from '../../components/AppLink';
import { RowMenu, type RowMenuItem } from '../../components/RowMenu';
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
  const items: RowMenuItem[] = [
    {
      label: mayManage ? 'Edit' : 'View',
      onClick: () => navigate(`/departments/${department._id}`),
    },
  ];
  if (mayManage) {
    items.push(
      department.archived
        ? { label: 'Unarchive', onClick: () => onAction(department, 'unarchive') }
        : { label: 'Archive', onClick: () => onAction(department, 'archive') },
    );
  }
  if (mayDelete && removalAllowed !== false) {
    items.push({ label: 'Delete', color: 'red', onClick: () => onAction(department, 'delete') });
  }
  return <RowMenu label={`Actions for ${department.name}`} items={items} />;
}
