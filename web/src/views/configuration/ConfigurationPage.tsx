import { Alert, Button, Code, FileButton, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { useAuth } from '../../auth';
import { PageTitle } from '../../components/PageTitle';
import { notifyError, notifySuccess } from '../../notify';
import { PlanDiff } from './PlanDiff';
import {
  downloadJson,
  useApplyConfiguration,
  useExportConfiguration,
  usePlanConfiguration,
  type ConfigurationDocument,
} from './useConfiguration';
import type { ConfigurationPlan } from './utils/planLines';

const MANAGE = [
  'manage-livechat-departments',
  'manage-livechat-units',
  'manage-livechat-business-hours',
  'edit-privileged-setting',
];

/**
 * Configuration as code: download what the service has, upload a document, read its plan as a
 * diff, apply it. The apply only goes through against the version the plan was made on.
 */
export default function ConfigurationPage() {
  const { can } = useAuth();
  const exporting = useExportConfiguration();
  const planning = usePlanConfiguration();
  const applying = useApplyConfiguration();
  const [uploaded, setUploaded] = useState<{ name: string; document: ConfigurationDocument }>();
  const [plan, setPlan] = useState<ConfigurationPlan>();

  if (!can('view-livechat-departments')) {
    return (
      <>
        <PageTitle>Configuration</PageTitle>
        <Alert color="yellow">You do not have permission to see the configuration.</Alert>
      </>
    );
  }

  const onDownload = async () => {
    try {
      const { configuration } = await exporting.mutateAsync();
      downloadJson('departments-configuration.json', configuration);
    } catch (error) {
      notifyError(error, 'Not downloaded');
    }
  };

  const onUpload = async (file: File | null) => {
    if (!file) return;
    setPlan(undefined);
    let document: ConfigurationDocument;
    try {
      document = JSON.parse(await file.text()) as ConfigurationDocument;
    } catch {
      notifyError(`${file.name} is not a JSON document.`, 'Not planned');
      return;
    }
    setUploaded({ name: file.name, document });
    try {
      setPlan((await planning.mutateAsync(document)).plan);
    } catch (error) {
      notifyError(error, 'Not planned');
    }
  };

  const onApply = async () => {
    if (!uploaded || !plan) return;
    try {
      const result = await applying.mutateAsync({
        configuration: uploaded.document,
        basedOn: plan.basedOn,
      });
      notifySuccess(
        result.applyId ? `Applied ${result.changes.length} change(s).` : 'Nothing to apply.',
      );
      setPlan((await planning.mutateAsync(uploaded.document)).plan);
    } catch (error) {
      notifyError(error, 'Not applied');
      // A 409: the service changed since the plan; show what applying would do now.
      if ((error as { status?: number }).status === 409) {
        setPlan((await planning.mutateAsync(uploaded.document).catch(() => undefined))?.plan);
      }
    }
  };

  const canApply = can(...MANAGE);
  return (
    <>
      <PageTitle>Configuration</PageTitle>
      <Text mb="md" c="gray.7">
        The departments, their agents, units, business hours and widget settings you may see, as one
        JSON document: keep it in a repository, review its changes, apply it here or with{' '}
        <Code>npx omnichannel-departments config apply</Code>. Secrets are never included.
      </Text>
      <Group mb="lg">
        <Button onClick={() => void onDownload()} loading={exporting.isPending}>
          Download configuration
        </Button>
        <FileButton onChange={(file) => void onUpload(file)} accept="application/json,.json">
          {(props) => (
            <Button variant="default" {...props} loading={planning.isPending}>
              Upload a configuration…
            </Button>
          )}
        </FileButton>
        {uploaded && <Text size="sm">{uploaded.name}</Text>}
      </Group>
      {plan && (
        <>
          <PlanDiff plan={plan} />
          {canApply && plan.changes.length > 0 && (
            <Button
              mt="md"
              color="red"
              disabled={plan.refusals.length > 0}
              loading={applying.isPending}
              onClick={() => void onApply()}
            >
              Apply these changes
            </Button>
          )}
        </>
      )}
    </>
  );
}
