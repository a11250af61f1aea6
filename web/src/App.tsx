import { AppShell, Burger, Button, Center, Group, Loader, NavLink, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { lazy, Suspense, type MouseEvent } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { useAuth } from './auth';
import { confirmLeave } from './leave-guard';
import { DepartmentsPage } from './pages/DepartmentsPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';

// Every page but the list (the first screen) loads on demand, so the list page stays small.
const DepartmentEditPage = lazy(() => import('./pages/DepartmentEditPage'));
const BusinessHoursPage = lazy(() => import('./pages/BusinessHoursPage'));
const BusinessHourEditPage = lazy(() => import('./pages/BusinessHourEditPage'));
const WidgetPreviewPage = lazy(() => import('./pages/WidgetPreviewPage'));
const AgentsPage = lazy(() => import('./pages/AgentsPage'));
const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const OfflineMessagesPage = lazy(() => import('./pages/OfflineMessagesPage'));

function PageLoader() {
  return (
    <Center py="xl">
      <Loader aria-label="Loading page" />
    </Center>
  );
}

export function App() {
  const auth = useAuth();
  const [location, navigate] = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);

  if (!auth.session) return <LoginPage />;
  if (!auth.permissionsLoaded) return <PageLoader />;

  const links = [
    { to: '/', label: 'Departments', show: auth.can('view-livechat-departments', 'view-l-room') },
    { to: '/agents', label: 'Agents', show: auth.can('manage-livechat-agents') },
    {
      to: '/business-hours',
      label: 'Business hours',
      show: auth.can('view-livechat-business-hours'),
    },
    { to: '/widget', label: 'Widget preview', show: true },
    {
      to: '/offline-messages',
      label: 'Offline messages',
      show: auth.can('view-livechat-manager'),
    },
    { to: '/settings', label: 'Settings', show: auth.can('edit-privileged-setting') },
  ].filter((link) => link.show);

  const go = (to: string) => (event: MouseEvent) => {
    event.preventDefault();
    if (!confirmLeave()) return;
    close();
    navigate(to);
  };
  const isActive = (to: string) =>
    to === '/'
      ? location === '/' || location.startsWith('/departments')
      : location === to || location.startsWith(`${to}/`);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header bg="gray.0">
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
            />
            <Text fw={700} size="lg" component="span">
              Omnichannel
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
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
        {links.map((link) => (
          <NavLink
            key={link.to}
            href={`/admin${link.to === '/' ? '/' : link.to}`}
            label={link.label}
            active={isActive(link.to)}
            aria-current={isActive(link.to) ? 'page' : undefined}
            onClick={go(link.to)}
            fw={600}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<PageLoader />}>
          <Switch>
            <Route path="/" component={DepartmentsPage} />
            <Route path="/departments/new">{() => <DepartmentEditPage key="new" />}</Route>
            <Route path="/departments/:id">
              {(params) => <DepartmentEditPage key={params.id} id={params.id} />}
            </Route>
            <Route path="/agents" component={AgentsPage} />
            <Route path="/settings" component={SettingsPage} />
            <Route path="/business-hours" component={BusinessHoursPage} />
            <Route path="/business-hours/:id">
              {(params) => <BusinessHourEditPage key={params.id} id={params.id} />}
            </Route>
            <Route path="/widget" component={WidgetPreviewPage} />
            <Route path="/offline-messages" component={OfflineMessagesPage} />
            <Route component={NotFoundPage} />
          </Switch>
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
