import { QueryState } from '../../components/QueryState';
import { EditBusinessHour } from './EditBusinessHour';
import { useBusinessHour } from './useBusinessHours';

/** Loads one schedule (`id` "new" for a new custom schedule), then hands it to the form. */
export default function EditBusinessHourWithData({ id }: { id: string }) {
  const isNew = id === 'new';
  const schedule = useBusinessHour(isNew ? undefined : id);
  if (isNew) return <EditBusinessHour schedule={null} />;
  return (
    <QueryState
      query={schedule}
      noun="schedule"
      back={{ to: '/business-hours', label: 'Back to the schedules' }}
      found={(data) => !!data.businessHour}
    >
      {(data) => <EditBusinessHour schedule={data.businessHour} />}
    </QueryState>
  );
}
