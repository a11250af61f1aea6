import { Alert, Button, Center, Loader, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError, errorText } from '../api';
import { PageTitle } from './PageTitle';

/**
 * The one loading / error / not-found block of every screen that shows one thing: renders
 * `children(data)` once the query has it, else says what is going on.
 */
export function QueryState<T>({
  query,
  notFound,
  title,
  children,
}: {
  query: UseQueryResult<T>;
  /** Said when the API answers 404 or 400 for the address (a deleted or out-of-scope item). */
  notFound?: string;
  /** A page title to keep above the error, so the page still says where the user is. */
  title?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (query.isError) {
    const missing =
      notFound !== undefined &&
      query.error instanceof ApiError &&
      (query.error.status === 404 || query.error.status === 400);
    return (
      <>
        {title && <PageTitle>{title}</PageTitle>}
        <Alert color={missing ? 'yellow' : 'red'} role="alert">
          {missing ? notFound : errorText(query.error)}
        </Alert>
      </>
    );
  }
  return <>{children(query.data)}</>;
}

/** A list that could not be loaded: the API's reason and a way to try again. */
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
