import { useParams } from 'wouter';
import BusinessHoursPage from './BusinessHoursPage';
import EditBusinessHourWithData from './EditBusinessHourWithData';

/** `/business-hours` lists the schedules; `/business-hours/:id` (or `new`) edits one. */
export default function BusinessHoursRoute() {
  const { id } = useParams<{ id?: string }>();
  if (id === undefined) return <BusinessHoursPage />;
  return <EditBusinessHourWithData key={id} id={id} />;
}
