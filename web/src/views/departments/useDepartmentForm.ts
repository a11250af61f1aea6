// The department form's state and save flow: values from the loaded department, edits kept
// across a conflict's reload and a re-login, and a save that says how it went.
import { useEffect, useRef } from 'react';
import { useForm, type FieldPath } from 'react-hook-form';
import { ApiError } from '../../api';
import { useAppNavigate } from '../../components/AppLink';
import { focusPageTitle, rescueLostFocus } from '../../components/PageTitle';
import { useDraft } from '../../drafts';
import { useLeaveGuard } from '../../leave-guard';
import {
  notifyConflict,
  notifyError,
  notifyInfo,
  notifyInvalidForm,
  notifySuccess,
} from '../../notify';
import { useSaveDepartment, type LoadedDepartment } from './useDepartments';
import { FIELD_LABELS } from './utils/formatHistory';
import { departmentToForm, type DepartmentFormValues } from './utils/formatDepartmentPayload';

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

export function useDepartmentForm(
  loaded: LoadedDepartment,
  mayEditAgents: boolean,
  reload?: () => Promise<unknown>,
) {
  const navigate = useAppNavigate();
  const stored = loaded.department;
  const isNew = stored === null;
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

  // A new version (after save, archive or a conflict's reload) replaces the form's values; a
  // refetch of the version shown changes nothing, so edits (and a restored draft) stay.
  const version = stored ? `${stored._updatedAt}|${JSON.stringify(loaded.agents)}` : 'new';
  const shownVersion = useRef(version);
  useEffect(() => {
    if (!stored || shownVersion.current === version) return;
    shownVersion.current = version;
    reset(departmentToForm(stored, loaded.agents));
    const kept = keptEdits.current;
    keptEdits.current = null;
    if (!kept || Object.keys(kept).length === 0) return;
    for (const [field, value] of Object.entries(kept)) {
      setValue(field as keyof DepartmentFormValues, value, { shouldDirty: true });
    }
    notifyInfo('Reloaded the current version, with your edits on top. Check them, then Save.');
  }, [version]);

  // After the session ended mid-edit and the user logged in again, the edits come back.
  useDraft(`department:${stored?._id ?? 'new'}`, form, () =>
    notifyInfo(
      'Your unsaved edits from before you logged in again are back. Save them when ready.',
    ),
  );

  const onSubmit = handleSubmit(async (values) => {
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
  }, notifyInvalidForm);

  return { form, onSubmit, agentNames };
}
