import { Alert, Center, Loader, Text } from '@mantine/core';
import { errorText } from '../../api';
import { AppLink } from '../../components/AppLink';
import { PageTitle } from '../../components/PageTitle';
import { EditDepartment } from './EditDepartment';
import { useDepartment } from './useDepartments';

/** Loads the department (with its ETag and agents), then hands it to the form. */
export default function EditDepartmentWithData({ id }: { id?: string }) {
  const loaded = useDepartment(id);
  if (id === undefined)
    return <EditDepartment loaded={{ department: null, agents: [], etag: null }} />;
  if (loaded.isPending)
    return (
      <Center py="xl">
        <Loader aria-label="Loading department" />
      </Center>
    );
  if (loaded.isError)
    return (
      <Alert color="red" title="The department could not be loaded">
        {errorText(loaded.error)}
      </Alert>
    );
  if (!loaded.data.department)
    return (
      <>
        <PageTitle>Department not found</PageTitle>
        <Text>
          There is no department with this id.{' '}
          <AppLink to="/" underline="always">
            Back to the departments
          </AppLink>
        </Text>
      </>
    );
  return <EditDepartment loaded={loaded.data} reload={() => loaded.refetch()} />;
}
