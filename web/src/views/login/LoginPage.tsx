import {
  Alert,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { ApiError, errorText } from '../../api';
import { useAuth } from '../../auth';

interface LoginForm {
  user: string;
  password: string;
}

export function LoginPage() {
  const { logIn, endedReason } = useAuth();
  const [failure, setFailure] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<LoginForm>({
    defaultValues: { user: '', password: '' },
  });

  const onSubmit = handleSubmit(async ({ user, password }) => {
    setFailure(null);
    try {
      await logIn(user.trim(), password);
    } catch (error) {
      setFailure(
        error instanceof ApiError && error.status === 401
          ? 'Wrong username, email or password.'
          : errorText(error),
      );
    }
  });

  return (
    <Center mih="100vh" p="md" bg="gray.1" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={400}>
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <Title order={1} size="h3">
              Omnichannel departments
            </Title>
            {endedReason && !failure && (
              <Alert color="blue" role="status">
                {endedReason}
              </Alert>
            )}
            {failure && (
              <Alert color="red" role="alert" title="Login failed">
                {failure}
              </Alert>
            )}
            <TextInput
              label="Username or email"
              autoComplete="username"
              required
              error={formState.errors.user?.message}
              {...register('user', { required: 'Enter your username or email' })}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              error={formState.errors.password?.message}
              {...register('password', { required: 'Enter your password' })}
            />
            <Button type="submit" loading={formState.isSubmitting}>
              Log in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
