import { Alert, Center, Loader, Text } from '@mantine/core';
import { errorText } from '../../api';
import { AppLink } from '../../components/AppLink';
import { PageTitle } from '../../components/PageTitle';
import { EditUnit } from './EditUnit';
import { useUnit } from './useUnits';

/** Loads the unit with its monitors and departments (`id` "new" for a new one), then the form. */
export default function EditUnitWithData({ id }: { id: string }) {
  const isNew = id === 'new';
  const loaded = useUnit(isNew ? undefined : id);
  if (isNew) return <EditUnit loaded={null} />;
  if (loaded.isPending)
    return (
      <Center py="xl">
        <Loader aria-label="Loading unit" />
      </Center>
    );
  if (loaded.isError)
    return (
      <Alert color="red" title="The unit could not be loaded">
        {errorText(loaded.error)}
      </Alert>
    );
  if (!loaded.data.unit)
    return (
      <>
        <PageTitle>Unit not found</PageTitle>
        <Text>
          There is no unit with this id.{' '}
          <AppLink to="/units" underline="always">
            Back to the units
          </AppLink>
        </Text>
      </>
    );
  return <EditUnit loaded={loaded.data} />;
}
