import { Button, Group, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api';
import { notifyError, notifySuccess } from '../../notify';
import { emailProblem } from '../../utils/email';
import { useSendTestMail } from './useSettings';

/** "Send a test e-mail": one message through the mail server as configured above. */
export function MailTest() {
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const send = useSendTestMail();
  return (
    <form
      noValidate
      aria-label="Send a test e-mail"
      onSubmit={(event) => {
        event.preventDefault();
        const address = to.trim();
        const invalid = emailProblem(address);
        setProblem(invalid);
        if (invalid) return;
        send.mutate(address, {
          onSuccess: () => notifySuccess(`Test e-mail sent to ${address}.`),
          onError: (error) =>
            error instanceof ApiError && error.status === 404
              ? notifyError('This service cannot send test e-mails yet.', 'Not sent')
              : notifyError(error, 'Test e-mail not sent'),
        });
      }}
    >
      <Group align="flex-end" wrap="nowrap" gap="xs">
        <TextInput
          label="Send a test e-mail to"
          description="Checks the mail server settings above (save them first)"
          type="email"
          value={to}
          error={problem}
          onChange={(event) => setTo(event.currentTarget.value)}
          style={{ flex: 1 }}
        />
        <Button type="submit" variant="default" loading={send.isPending}>
          Send a test e-mail
        </Button>
      </Group>
    </form>
  );
}
