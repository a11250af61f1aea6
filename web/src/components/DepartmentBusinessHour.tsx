import { Badge, Group, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import { useAuth } from '../auth';
import { isOpenAt } from '../business-hours';
import type { BusinessHour, Department } from '../types';
import { AppLink } from './AppLink';

/** The schedule the department follows (its custom one, else the default) and whether it is open now. */
export function DepartmentBusinessHour({ department }: { department: Department }) {
  const { can } = useAuth();
  const allowed = can('view-livechat-business-hours');
  const schedule = useQuery({
    queryKey: ['business-hour', department.businessHourId ?? 'default'],
    enabled: allowed,
    queryFn: () =>
      get<{ businessHour: BusinessHour | null }>(
        'livechat/business-hour',
        department.businessHourId ? { _id: department.businessHourId } : { type: 'default' },
      ),
    retry: false,
  });
  const enabledSetting = useQuery({
    queryKey: ['setting', 'Livechat_enable_business_hours'],
    enabled: allowed && can('edit-privileged-setting'),
    queryFn: () => get<{ value: boolean }>('settings/Livechat_enable_business_hours'),
    retry: false,
  });
  const businessHour = schedule.data?.businessHour;
  if (!allowed || !businessHour) return null;
  const alwaysOpen = enabledSetting.data?.value === false;
  const open = alwaysOpen || isOpenAt(businessHour);
  return (
    <section aria-labelledby="schedule-heading">
      <Title order={2} size="h4" id="schedule-heading" mt="xl" mb="sm">
        Business hours
      </Title>
      <Group gap="sm">
        <Text>
          Follows{' '}
          <AppLink to={`/business-hours/${businessHour._id}`}>
            {businessHour.type === 'default' ? 'the default schedule' : businessHour.name}
          </AppLink>{' '}
          ({businessHour.timezone.name})
        </Text>
        <Badge color={open ? 'green' : 'gray'} variant="light" c={open ? 'green.9' : 'gray.8'}>
          {open ? 'Open now' : 'Closed now'}
        </Badge>
      </Group>
      {alwaysOpen && (
        <Text size="sm" c="gray.7" mt="xs">
          Business hours are turned off, so every department is open.
        </Text>
      )}
    </section>
  );
}
