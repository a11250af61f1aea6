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
  const readSettings = allowed && can('edit-privileged-setting');
  const enabledSetting = useQuery({
    queryKey: ['setting', 'Livechat_enable_business_hours'],
    enabled: readSettings,
    queryFn: () => get<{ value: boolean }>('settings/Livechat_enable_business_hours'),
    retry: false,
  });
  const typeSetting = useQuery({
    queryKey: ['setting', 'Livechat_business_hour_type'],
    enabled: readSettings,
    queryFn: () => get<{ value: string }>('settings/Livechat_business_hour_type'),
    retry: false,
  });
  // In "Single" mode every department follows the default schedule, whatever it carries.
  const customId = typeSetting.data?.value === 'Single' ? undefined : department.businessHourId;
  const custom = useQuery({
    queryKey: ['business-hour', customId],
    enabled: allowed && customId !== undefined,
    queryFn: () =>
      get<{ businessHour: BusinessHour | null }>('livechat/business-hour', { _id: customId }),
    retry: false,
  });
  // An inactive (or missing) custom schedule leaves the department on the default one.
  const customApplies = custom.data?.businessHour?.active === true;
  const fallback = useQuery({
    queryKey: ['business-hour', 'default'],
    enabled: allowed && (customId === undefined || (custom.isSuccess && !customApplies)),
    queryFn: () =>
      get<{ businessHour: BusinessHour | null }>('livechat/business-hour', { type: 'default' }),
    retry: false,
  });
  const businessHour = customApplies ? custom.data?.businessHour : fallback.data?.businessHour;
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
      {custom.data?.businessHour && !customApplies && (
        <Text size="sm" c="gray.7" mt="xs">
          Its schedule “{custom.data.businessHour.name}” is inactive, so the default one applies.
        </Text>
      )}
      {alwaysOpen && (
        <Text size="sm" c="gray.7" mt="xs">
          Business hours are turned off, so every department is open.
        </Text>
      )}
    </section>
  );
}
