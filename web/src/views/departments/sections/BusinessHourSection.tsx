import { Badge, Group, Text, Title } from '@mantine/core';
import { useAuth } from '../../../auth';
import { isOpenAt } from '../../../business-hours';
import { AppLink } from '../../../components/AppLink';
import type { BusinessHour, Department } from '../../../types';
import { useBusinessHour, useBusinessHourSettings } from '../../business-hours/useBusinessHours';

/**
 * Which schedule is in effect for the department, and why: business hours on or off, Single
 * mode (every department on the default schedule, its own ignored) or Multiple mode (its own
 * active schedule, else the default).
 */
export function BusinessHourSection({ department }: { department: Department }) {
  const { can } = useAuth();
  const settings = useBusinessHourSettings();
  const ownId = department.businessHourId;
  const own = useBusinessHour(ownId);
  const fallback = useBusinessHour(undefined, 'default');
  if (!can('view-livechat-business-hours')) return null;

  const ownSchedule = own.data?.businessHour ?? undefined;
  const defaultSchedule = fallback.data?.businessHour ?? undefined;
  let applies: BusinessHour | undefined;
  let reason: string;
  if (settings.mode === 'Single') {
    applies = defaultSchedule;
    reason = ownSchedule
      ? `Its own schedule “${ownSchedule.name}” is ignored: the settings use a single schedule for every department.`
      : 'The settings use a single schedule for every department.';
  } else if (ownSchedule?.active) {
    applies = ownSchedule;
    reason = 'This department is on this schedule.';
  } else {
    applies = defaultSchedule;
    reason = ownSchedule
      ? `Its schedule “${ownSchedule.name}” is inactive, so the default one applies.`
      : 'It has no schedule of its own, so the default one applies.';
  }
  if (settings.mode === undefined && ownSchedule) {
    reason = `${reason} (In Single mode, set in Settings, the default schedule applies instead.)`;
  }
  if (!applies) return null;
  const open = isOpenAt(applies);
  const off = settings.enabled === false;
  return (
    <section aria-labelledby="schedule-heading">
      <Title order={2} size="h4" id="schedule-heading" mt="xl" mb="sm">
        Business hours
      </Title>
      <Group gap="sm">
        <Text>
          {off ? 'When business hours are on, follows' : 'Follows'}{' '}
          <AppLink to={`/business-hours/${applies._id}`} underline="always">
            {applies.type === 'default' ? 'the default schedule' : applies.name}
          </AppLink>{' '}
          ({applies.timezone.name})
        </Text>
        {off ? (
          <Badge color="green" variant="light" c="green.9">
            Always open
          </Badge>
        ) : (
          <Badge color={open ? 'green' : 'gray'} variant="light" c={open ? 'green.9' : 'gray.8'}>
            {open ? 'Open now' : 'Closed now'}
          </Badge>
        )}
      </Group>
      <Text size="sm" c="gray.7" mt="xs">
        {off
          ? 'Business hours are turned off in Settings, so the department is open whenever an agent is available. '
          : ''}
        {reason}
        {settings.enabled === undefined &&
          ' Whether business hours are in use at all is set in Settings, by an administrator.'}
      </Text>
    </section>
  );
}
