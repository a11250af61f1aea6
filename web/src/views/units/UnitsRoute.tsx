import { useParams } from 'wouter';
import EditUnitWithData from './EditUnitWithData';
import { UnitsPage } from './UnitsPage';

/** `/units` lists the units; `/units/new` creates one; `/units/:id` edits one. */
export default function UnitsRoute() {
  const { id } = useParams<{ id?: string }>();
  if (id === undefined) return <UnitsPage />;
  return <EditUnitWithData key={id} id={id} />;
}
