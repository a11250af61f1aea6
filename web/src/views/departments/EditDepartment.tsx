import { Alert, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useForm, type FieldPath } from 'react-hook-form';
import { ApiError } from '../../api';
import { useAuth } from '../../auth';
import { ActionBar } from '../../components/ActionBar';
import { AppLink, useAppNavigate, useGuardedNavigate } from '../../components/AppLink';
import { keepEnterFromSubmitting } from '../../components/forms';
import { focusPageTitle, PageTitle, rescueLostFocus } from '../../components/PageTitle';
import { useDraft } from '../../drafts';
import { useLeaveGuard } from '../../leave-guard';
import {
  notifyConflict,
  notifyError,
  notifyInfo,
  notifyInvalidForm,
  notifySuccess,
} from '../../notify';
import { AgentsSection } from './sections/AgentsSection';
import { ArchiveDeleteSection } from './sections/ArchiveDeleteSection';
import { BusinessHourSection } from './sections/BusinessHourSection';
import { ChatsSection } from './sections/ChatsSection';
import { DetailsSection } from './sections/DetailsSection';
import { ForwardingSection } from './sections/ForwardingSection';
import { HistorySection } from './sections/HistorySection';
import { UnitSection } from './sections/UnitSection';
import { useDepartmentActionFlow } from './useDepartmentActionFlow';
import { useRemovalAllowed, useSaveDepartment, type LoadedDepartment } from './useDepartments';
import { FIELD_LABELS } from './utils/formatHistory';
import { departmentToForm, type DepartmentFormValues } from './utils/formatDepartmentPayload';
import { queryKeys } from '../../query-keys';

// Which form field a 400 answer is about: from the field path in the message, else the code.
const FIELD_OF_ERROR: Record<string, FieldPath<DepartmentFormValues>> = {
  'error-validating-department-chat-closing-tags': 'chatClosingTags',
  'error-fallback-department-not-found': 'fallbackForwardDepartment',
  'error-fallback-department-circular': 'fallbackForwardDepartment',
  'error-department-not-found': 'departmentsAllowedToForward',
  'error-archived-department-cant-be-enabled': 'enabled',
  'error-unit-not-found': 'unit',
  'error-unit-cant-be-empty': 'unit',
};
function fieldOf(
  error: ApiError,
  values: DepartmentFormValues,
): FieldPath<DepartmentFormValues> | undefined {
  const path = /^department\.(\w+)/.exec(error.message)?.[1];
  if (path && path in values) return path as FieldPath<DepartmentFormValues>;
  return error.errorType ? FIELD_OF_ERROR[error.errorType] : undefined;
}


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

  const form = useForm<DepartmentFormValues>({
    defaultValues: departmentToForm(stored, loaded.agents),
  });
  const { handleSubmit, formState, reset, setError, setValue, watch } = form;
  // Dirty until saved and reloaded: a failed save (412, 400) keeps the guard on.
  useLeaveGuard(formState.isDirty);
  const save = useSaveDepartment(loaded, mayEditAgents);
  const agentNames = new Map(watch('agents').map((agent) => [agent.agentId, agent.username]));

  // A conflict's reload keeps the user's own edits, put back on top of the current version.
  const keptEdits = useRef<Partial<DepartmentFormValues> | null>(null);
  const reloadKeepingEdits = async () => {
    const values = form.getValues();
    keptEdits.current = Object.fromEntries(
      Object.keys(formState.dirtyFields).map((field) => [
        field,
        values[field as keyof DepartmentFormValues],
      ]),
    ) as Partial<DepartmentFormValues>;
    await reload?.();
  };

  // A fresh load after save, archive or a conflict's reload replaces the form's values.
  useEffect(() => {
    if (!stored) return;
    reset(departmentToForm(stored, loaded.agents));
    const kept = keptEdits.current;
    keptEdits.current = null;
    if (!kept || Object.keys(kept).length === 0) return;
    for (const [field, value] of Object.entries(kept)) {
      setValue(field as keyof DepartmentFormValues, value, { shouldDirty: true });
    }
    notifyInfo('Reloaded the current version, with your edits on top. Check them, then Save.');
  }, [stored?._updatedAt, loaded.agents]);

  // After the session ended mid-edit and the user logged in again, the edits come back.
  useDraft(`department:${stored?._id ?? 'new'}`, form, () =>
    notifyInfo('Your unsaved edits from before you logged in again are back. Save them when ready.'),
  );

  const onSubmit = handleSubmit(
    async (values) => {
      try {
        const saved = await save.mutateAsync(values);
        if (isNew) {
          notifySuccess(`Department “${saved.name}” created.`);
          reset(values);
          navigate(`/departments/${saved._id}`, { replace: true });
          rescueLostFocus();
          return;
        }
        await reload?.();
        notifySuccess(`Department “${saved.name}” saved.`);
        focusPageTitle();
      } catch (error) {
        if (error instanceof ApiError && error.status === 412) {
          notifyConflict('department', reloadKeepingEdits);
          return;
        }
        const field =
          error instanceof ApiError && error.status === 400 ? fieldOf(error, values) : undefined;
        if (field && error instanceof ApiError) {
          setError(field, { message: error.text }, { shouldFocus: true });
          const label = FIELD_LABELS[field.split('.')[0]] ?? field;
          notifyError(`Check the highlighted field: ${label}.`);
        } else notifyError(error);
      }
    },
    notifyInvalidForm,
  );

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
