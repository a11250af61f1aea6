import { QueryState } from '../../components/QueryState';
import { EditDepartment } from './EditDepartment';
import { useDepartment } from './useDepartments';

/** Loads the department (with its ETag and agents), then hands it to the form. */
export default function EditDepartmentWithData({ id }: { id?: string }) {
  const loaded = useDepartment(id);
  if (id === undefined)
    return <EditDepartment loaded={{ department: null, agents: [], etag: null }} />;
  return (
    <QueryState
      query={loaded}
      noun="department"
      back={{ to: '/', label: 'Back to the departments' }}
      found={(data) => !!data.department}
    >
      {(data) => <EditDepartment loaded={data} reload={() => loaded.refetch()} />}
    </QueryState>
  );
}
