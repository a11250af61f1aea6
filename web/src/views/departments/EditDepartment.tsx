import { Alert, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../../auth';
import { ActionBar } from '../../components/ActionBar';
import { AppLink, useAppNavigate, useGuardedNavigate } from '../../components/AppLink';
import { keepEnterFromSubmitting } from '../../components/forms';
import { PageTitle } from '../../components/PageTitle';
import { queryKeys } from '../../query-keys';
import { AgentsSection } from './sections/AgentsSection';
import { ArchiveDeleteSection } from './sections/ArchiveDeleteSection';
import { BusinessHourSection } from './sections/BusinessHourSection';
import { ChatsSection } from './sections/ChatsSection';
import { DetailsSection } from './sections/DetailsSection';
import { ForwardingSection } from './sections/ForwardingSection';
import { HistorySection } from './sections/HistorySection';
import { UnitSection } from './sections/UnitSection';
import { useDepartmentActionFlow } from './useDepartmentActionFlow';
import { useDepartmentForm } from './useDepartmentForm';
import { useRemovalAllowed, type LoadedDepartment } from './useDepartments';

/** The department form: renders what it is given, saves through useSaveDepartment. */
export function EditDepartment({
  loaded,
  reload,
}: {
  loaded: LoadedDepartment;
  reload?: () => Promise<unknown>;
}) {
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const navigate = useAppNavigate();
  const guardedNavigate = useGuardedNavigate();
  const stored = loaded.department;
  const isNew = stored === null;

  const mayEditFields = can('manage-livechat-departments');
  const mayEditAgents = can('add-livechat-department-agents');
  const readOnly = isNew ? !mayEditFields : !mayEditFields && !mayEditAgents;
  const removalAllowed = useRemovalAllowed();
  const actions = useDepartmentActionFlow((action) => {
    if (action === 'delete') {
      queryClient.removeQueries({ queryKey: queryKeys.departments.one(stored?._id) });
      navigate('/', { replace: true });
    } else void reload?.();
  });

  const { form, onSubmit, agentNames } = useDepartmentForm(loaded, mayEditAgents, reload);
  const { formState } = form;

  const title = isNew ? 'New department' : `${readOnly ? 'View' : 'Edit'} ${stored.name}`;
  return (
    <>
      <Text size="sm" mb="xs">
        <AppLink to="/">Departments</AppLink>
      </Text>
      <PageTitle>{title}</PageTitle>
      {readOnly && (
        <Alert color="blue" mb="md" title="Read only">
          You can see this department and its agents, but not change them.
        </Alert>
      )}
      {stored?.archived && (
        <Alert color="gray" mb="md" title="Archived">
          This department is archived: it is disabled and listed under the Archived tab.
        </Alert>
      )}

      <form onSubmit={onSubmit} onKeyDown={keepEnterFromSubmitting} noValidate aria-label={title}>
        <Stack gap="lg" maw={880}>
          <DetailsSection form={form} stored={stored} disabled={!mayEditFields} />
          <UnitSection form={form} disabled={!mayEditFields} />
          <ChatsSection form={form} disabled={!mayEditFields} />
          <ForwardingSection form={form} ownId={stored?._id} disabled={!mayEditFields} />
          <AgentsSection
            form={form}
            mayEdit={mayEditAgents}
            mayPick={mayEditAgents && can('manage-livechat-agents')}
          />
          {!readOnly && (
            <ActionBar
              dirty={formState.isDirty}
              saving={formState.isSubmitting}
              onCancel={() => guardedNavigate('/')}
            />
          )}
        </Stack>
      </form>

      {stored && (
        <>
          <BusinessHourSection department={stored} />
          <ArchiveDeleteSection
            department={stored}
            removalAllowed={actions.removalRefused ? false : removalAllowed}
            onAction={(action) => actions.ask(stored, action)}
          />
          {can('view-livechat-departments') && (
            <HistorySection departmentId={stored._id} agentNames={agentNames} />
          )}
          {actions.modal}
        </>
      )}
    </>
  );
}
