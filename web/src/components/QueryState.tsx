import { Alert, Button, Center, Loader, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { errorText } from '../api';
import { AppLink } from './AppLink';
import { PageTitle } from './PageTitle';

/**
 * The one loading / error / not-found block of every page that shows one thing: renders
 * `children(data)` once the query has it and `found(data)` holds, else says what is going on.
 */
export function QueryState<T>({
  query,
  noun,
  back,
  found = () => true,
  children,
}: {
  query: UseQueryResult<T>;
  /** What the page shows: "department", "unit", "schedule". */
  noun: string;
  /** Where "not found" leads back to. */
  back: { to: string; label: string };
  found?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={`Loading ${noun}`} />
      </Center>
    );
  }
  if (query.isError) {
    return (
      <>
        <PageTitle>The {noun} could not be loaded</PageTitle>
        <QueryError error={query.error} retry={() => void query.refetch()} />
      </>
    );
  }
  if (!found(query.data)) {
    const title = `${noun.charAt(0).toUpperCase()}${noun.slice(1)} not found`;
    return (
      <>
        <PageTitle>{title}</PageTitle>
        <Text>
          There is no {noun} with this id.{' '}
          <AppLink to={back.to} underline="always">
            {back.label}
          </AppLink>
        </Text>
      </>
    );
  }
  return <>{children(query.data)}</>;
}

/** Something that could not be loaded: the API's reason and a way to try again. */
export function QueryError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <Alert color="red" title="This could not be loaded" role="alert">
      <Text mb="sm">{errorText(error)}</Text>
      <Button variant="default" size="xs" onClick={retry}>
        Try again
      </Button>
    </Alert>
  );
}
