import { lazy } from 'react';
import { useParams } from 'wouter';
import { DepartmentsPage } from './DepartmentsPage';

// The edit screen loads on demand, so the list (the first screen) stays small.
const EditDepartmentWithData = lazy(() => import('./EditDepartmentWithData'));

/** `/` lists the departments; `/departments/new` creates one; `/departments/:id` shows one. */
export function DepartmentsRoute() {
  const { id } = useParams<{ id?: string }>();
  if (id === undefined) return <DepartmentsPage />;
  if (id === 'new') return <EditDepartmentWithData key="new" />;
  return <EditDepartmentWithData key={id} id={id} />;
}
