import { AppShell, Burger, Button, Center, Group, Loader, NavLink, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense, type MouseEvent } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { useAuth } from './auth';
import { useAppNavigate } from './components/AppLink';
import { confirmLeave } from './leave-guard';
import { isUnder, SCREENS } from './screens';
import { LoginPage } from './views/login/LoginPage';
import { NotFoundPage } from './views/not-found/NotFoundPage';

function PageLoader() {
  return (
    <Center py="xl">
      <Loader aria-label="Loading page" />
    </Center>
  );
}

export function App() {
  const auth = useAuth();
  const [location] = useLocation();
  const navigate = useAppNavigate();
  const [opened, { toggle, close }] = useDisclosure(false);

  if (auth.joining) return <PageLoader />;
  if (!auth.session) return <LoginPage />;
  if (!auth.permissionsLoaded) return <PageLoader />;

  const entries = SCREENS.filter(
    (screen) =>
      screen.nav &&
      (screen.nav.permissions === 'everyone' ||
        auth.can(...screen.nav.permissions) ||
        (screen.nav.roles ?? []).some((role) => auth.me?.roles.includes(role))),
  );
  const go = (to: string) => (event: MouseEvent) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    if (!confirmLeave()) return;
    close();
    navigate(to);
  };

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header bg="gray.0">
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
            />
            <Text fw={700} size="lg" component="span" truncate>
              Omnichannel
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
            <Text size="sm" c="gray.7" visibleFrom="xs" component="span">
              {auth.me?.username}
            </Text>
            <Button
              variant="default"
              size="xs"
              onClick={() => confirmLeave() && void auth.logOut()}
            >
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" bg="gray.0" aria-label="Main">
        {entries.map((screen) => {
          const active = isUnder(location, screen);
          return (
            <NavLink
              key={screen.nav!.to}
              href={`/admin${screen.nav!.to === '/' ? '/' : screen.nav!.to}`}
              label={screen.nav!.label}
              active={active}
              aria-current={active ? 'page' : undefined}
              onClick={go(screen.nav!.to)}
              fw={600}
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main style={{ minWidth: 0 }}>
        <Suspense fallback={<PageLoader />}>
          <Switch>
            {SCREENS.flatMap((screen) =>
              screen.paths.map((path) => (
                <Route key={path} path={path} component={screen.component} />
              )),
            )}
            <Route component={NotFoundPage} />
          </Switch>
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
