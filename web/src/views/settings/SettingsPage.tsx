import { Alert, Stack } from '@mantine/core';
import { errorText } from '../../api';
import { useAuth } from '../../auth';
import { PageTitle } from '../../components/PageTitle';
import { useSetting } from '../../hooks/useSetting';
import {
  BusinessHourSettings,
  DepartmentSettings,
  MailSettings,
  RoutingSettings,
  WebsiteSettings,
} from './SettingsSections';

export default function SettingsPage() {
  const { can } = useAuth();
  const removal = useSetting<boolean>('Omnichannel_enable_department_removal');
  const routing = useSetting<string>('Livechat_Routing_Method');

  if (!can('edit-privileged-setting')) {
    return (
      <>
        <PageTitle>Settings</PageTitle>
        <Alert color="yellow">You do not have permission to change settings.</Alert>
      </>
    );
  }

  return (
    <>
      <PageTitle>Settings</PageTitle>
      {(removal.isError || routing.isError) && (
        <Alert color="red" role="alert" mb="md">
          {errorText(removal.error ?? routing.error)}
        </Alert>
      )}
      <Stack maw={560}>
        <DepartmentSettings />
        <RoutingSettings />
        <MailSettings />
        <WebsiteSettings />
        <BusinessHourSettings />
      </Stack>
    </>
  );
}
