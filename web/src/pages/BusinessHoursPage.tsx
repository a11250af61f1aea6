import { Alert, Badge, Button, Group, Skeleton, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText, get } from '../api';
import { useAuth } from '../auth';
import { isOpenAt } from '../business-hours';
import { AppLink, useGuardedNavigate } from '../components/AppLink';
import { PageTitle } from '../components/PageTitle';
import type { BusinessHour, Page } from '../types';
import { PagePagination } from '../components/PagePagination';

const PAGE_SIZE = 25;

/** The business-hours schedules: the default one and the custom ones tied to departments. */
export default function BusinessHoursPage() {
  const { can } = useAuth();
  const navigate = useGuardedNavigate();
  const [page, setPage] = useState(1);
  const allowed = can('view-livechat-business-hours');
  const list = useQuery({
    queryKey: ['business-hours', page],
    queryFn: () =>
      get<Page & { businessHours: BusinessHour[] }>('livechat/business-hours', {
        count: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      }),
    placeholderData: keepPreviousData,
    enabled: allowed,
  });

  if (!allowed) {
    return (
      <>
        <PageTitle>Business hours</PageTitle>
        <Alert color="yellow">You do not have permission to view business hours.</Alert>
      </>
    );
  }
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Business hours</PageTitle>
        {can('manage-livechat-business-hours') && (
          <Button onClick={() => navigate('/business-hours/new')}>New schedule</Button>
        )}
      </Group>
      <Text c="gray.7" mb="md">
        When a department is open. A department follows its custom schedule, or else the default
        one. The schedules take effect when business hours are turned on in Settings.
      </Text>
      {list.isError ? (
        <Alert color="red" role="alert" title="The schedules could not be loaded">
          {errorText(list.error)}
        </Alert>
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <Table striped verticalSpacing="sm" aria-label="Schedules" aria-busy={list.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Time zone</Table.Th>
                <Table.Th>Active</Table.Th>
                <Table.Th>Now</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Skeleton height={14} />
                  </Table.Td>
                </Table.Tr>
              )}
              {list.data?.businessHours.map((schedule) => {
                const open = isOpenAt(schedule);
                return (
                  <Table.Tr key={schedule._id}>
                    <Table.Td>
                      <AppLink to={`/business-hours/${schedule._id}`} fw={600}>
                        {schedule.type === 'default'
                          ? `${schedule.name || 'Default'} (default)`
                          : schedule.name}
                      </AppLink>
                    </Table.Td>
                    <Table.Td>{schedule.timezone?.name}</Table.Td>
                    <Table.Td>{schedule.active ? 'Yes' : 'No'}</Table.Td>
                    <Table.Td>
                      <Badge
                        color={open ? 'green' : 'gray'}
                        variant="light"
                        c={open ? 'green.9' : 'gray.8'}
                      >
                        {open ? 'Open' : 'Closed'}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && <PagePagination mt="md" total={pages} value={page} onChange={setPage} />}
    </>
  );
}
