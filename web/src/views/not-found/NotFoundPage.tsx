import { Text } from '@mantine/core';
import { PageTitle } from '../../components/PageTitle';
import { AppLink } from '../../components/AppLink';

export function NotFoundPage() {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <Text>
        This page does not exist.{' '}
        <AppLink to="/" underline="always">
          Go to the departments
        </AppLink>
        .
      </Text>
    </>
  );
}
