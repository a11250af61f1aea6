import { Center, Loader, Text } from '@mantine/core';
import { errorText } from '../../api';
import { AppLink } from '../../components/AppLink';
import { PageTitle } from '../../components/PageTitle';
import { EditBusinessHour } from './EditBusinessHour';
import { useBusinessHour } from './useBusinessHours';

/** Loads one schedule (`id` "new" for a new custom schedule), then hands it to the form. */
export default function EditBusinessHourWithData({ id }: { id: string }) {
  const isNew = id === 'new';
  const schedule = useBusinessHour(isNew ? undefined : id);
  if (isNew) return <EditBusinessHour schedule={null} />;
  if (schedule.isPending)
    return (
      <Center py="xl">
        <Loader aria-label="Loading schedule" />
      </Center>
    );
  if (schedule.isError || !schedule.data.businessHour)
    return (
      <>
        <PageTitle>Schedule not found</PageTitle>
        <Text>
          {schedule.isError ? errorText(schedule.error) : 'There is no schedule with this id.'}{' '}
          <AppLink to="/business-hours" underline="always">
            Back to the schedules
          </AppLink>
        </Text>
      </>
    );
  return <EditBusinessHour schedule={schedule.data.businessHour} />;
}
