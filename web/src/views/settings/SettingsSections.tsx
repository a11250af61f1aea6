import { Fieldset, Select, Stack, Switch, Text } from '@mantine/core';
import { TextSetting } from '../../components/TextSetting';
import { useSetting } from '../../hooks/useSetting';
import { MailTest } from './MailTest';
import { RefusedOrigins } from './RefusedOrigins';
import { useSaveSetting } from './useSettings';

// The settings screen's groups, one component each; every control saves on its own.

export function DepartmentSettings() {
  const save = useSaveSetting();
  const removal = useSetting<boolean>('Omnichannel_enable_department_removal');
  return (
    <Fieldset legend="Departments">
      <Switch
        label="Allow deleting departments"
        description="When off, departments can only be archived."
        checked={removal.data?.value ?? false}
        disabled={!removal.data}
        onChange={(event) => {
          const value = event.currentTarget.checked;
          void save(
            'Omnichannel_enable_department_removal',
            value,
            value ? 'Departments can now be deleted.' : 'Deleting departments is now turned off.',
          );
        }}
      />
    </Fieldset>
  );
}

export function RoutingSettings() {
  const save = useSaveSetting();
  const routing = useSetting<string>('Livechat_Routing_Method');
  return (
    <Fieldset legend="Routing">
      <Select
        label="Routing method"
        data={[
          { value: 'Auto_Selection', label: 'Auto selection' },
          { value: 'Manual_Selection', label: 'Manual selection' },
        ]}
        value={routing.data?.value ?? null}
        disabled={!routing.data}
        allowDeselect={false}
        onChange={(value) =>
          value && void save('Livechat_Routing_Method', value, 'Routing method saved.')
        }
      />
      <Text size="sm" c="gray.7" mt="xs">
        Auto selection gives each new chat to the available agent with the fewest chats; manual
        selection leaves the choice to the agents.
      </Text>
    </Fieldset>
  );
}

export function MailSettings() {
  const save = useSaveSetting();
  const ignoreTls = useSetting<boolean>('SMTP_IgnoreTLS');
  const protocol = useSetting<string>('SMTP_Protocol');
  return (
    <Fieldset legend="E-mail (offline messages)">
      <Stack gap="sm">
        <Text size="sm" c="gray.7">
          Messages left in the widget&apos;s offline form go to the department&apos;s e-mail, or
          else to the offline e-mail address, through this mail server.
        </Text>
        <TextSetting
          id="Livechat_offline_email"
          label="Offline e-mail address"
          description="For messages without a department, or whose department has no e-mail"
          save={save}
        />
        <TextSetting
          id="From_Email"
          label="From"
          placeholder="Support <support@example.com>"
          save={save}
        />
        <Select
          label="SMTP protocol"
          data={[
            { value: 'smtp', label: 'SMTP (STARTTLS when offered)' },
            { value: 'smtps', label: 'SMTPS (TLS from the start)' },
          ]}
          value={protocol.data?.value ?? null}
          disabled={!protocol.data}
          allowDeselect={false}
          onChange={(value) => value && void save('SMTP_Protocol', value, 'SMTP protocol saved.')}
        />
        <TextSetting id="SMTP_Host" label="SMTP host" placeholder="smtp.example.com" save={save} />
        <TextSetting id="SMTP_Port" label="SMTP port" placeholder="587" save={save} />
        <Switch
          label="Ignore TLS"
          description="Send without STARTTLS even when the server offers it"
          checked={ignoreTls.data?.value ?? false}
          disabled={!ignoreTls.data}
          onChange={(event) =>
            void save('SMTP_IgnoreTLS', event.currentTarget.checked, 'Ignore TLS saved.')
          }
        />
        <TextSetting id="SMTP_Username" label="SMTP username" save={save} />
        <TextSetting id="SMTP_Password" label="SMTP password" secret save={save} />
        <MailTest />
      </Stack>
    </Fieldset>
  );
}

export function WebsiteSettings() {
  const save = useSaveSetting();
  const apiCors = useSetting<boolean>('API_Enable_CORS');
  return (
    <Fieldset legend="Websites">
      <Stack gap="sm">
        <TextSetting
          id="Livechat_AllowedDomainsList"
          label="Sites allowed to embed the widget"
          description="Comma-separated domains or origins (shop.example, https://shop.example:8443); empty: any site"
          save={save}
        />
        <Switch
          label="Allow browsers on other sites to call the API (CORS)"
          checked={apiCors.data?.value ?? false}
          disabled={!apiCors.data}
          onChange={(event) =>
            void save('API_Enable_CORS', event.currentTarget.checked, 'API CORS saved.')
          }
        />
        <TextSetting
          id="API_CORS_Origin"
          label="Origins allowed to call the API"
          description="* or comma-separated origins (https://tools.example)"
          save={save}
        />
        <RefusedOrigins />
      </Stack>
    </Fieldset>
  );
}

/** Business hours settings exist only where the service has business hours. */
export function BusinessHourSettings() {
  const save = useSaveSetting();
  const businessHours = useSetting<boolean>('Livechat_enable_business_hours');
  const businessHourType = useSetting<string>('Livechat_business_hour_type');
  return (
    <>
      {businessHours.data && businessHourType.data && (
        <Fieldset legend="Business hours">
          <Switch
            label="Use business hours"
            description="When off, every department is always open."
            checked={businessHours.data.value}
            onChange={(event) => {
              const value = event.currentTarget.checked;
              void save(
                'Livechat_enable_business_hours',
                value,
                value ? 'Business hours are now in use.' : 'Business hours are now turned off.',
              );
            }}
          />
          <Select
            mt="md"
            label="Schedules"
            data={[
              { value: 'Single', label: 'Single: the default schedule for every department' },
              { value: 'Multiple', label: 'Multiple: custom schedules per department' },
            ]}
            value={businessHourType.data.value}
            allowDeselect={false}
            onChange={(value) =>
              value && void save('Livechat_business_hour_type', value, 'Schedule mode saved.')
            }
          />
        </Fieldset>
      )}
    </>
  );
}
