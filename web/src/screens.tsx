// Every screen of the console, in one place: its routes, its entry in the navigation and who
// sees that entry. A new screen (units, monitors…) is a folder under views/ (page, form, a
// use<Screen>.ts hooks file, utils/ for pure functions) plus one entry here.
import { lazy, type ComponentType } from 'react';
import { DepartmentsRoute } from './views/departments/DepartmentsRoute';

// Every screen but the departments list (the first screen) loads on demand.
const AgentsPage = lazy(() => import('./views/agents/AgentsPage'));
const BusinessHoursRoute = lazy(() => import('./views/business-hours/BusinessHoursRoute'));
const WidgetPreviewPage = lazy(() => import('./views/widget-preview/WidgetPreviewPage'));
const SettingsPage = lazy(() => import('./views/settings/SettingsPage'));
const OfflineMessagesPage = lazy(() => import('./views/offline-messages/OfflineMessagesPage'));
const UnitsRoute = lazy(() => import('./views/units/UnitsRoute'));
const MonitorsPage = lazy(() => import('./views/monitors/MonitorsPage'));
const ConfigurationPage = lazy(() => import('./views/configuration/ConfigurationPage'));
const RecentlyDeletedPage = lazy(() => import('./views/recently-deleted/RecentlyDeletedPage'));

export interface Screen {
  /** wouter patterns this screen answers (relative to /admin). */
  paths: string[];
  component: ComponentType;
  /**
   * The navigation entry: its label, where it leads, and the permissions that show it (any of),
   * or the roles that show it without them.
   */
  nav?: { label: string; to: string; permissions: string[] | 'everyone'; roles?: string[] };
}

export const SCREENS: Screen[] = [
  {
    paths: ['/', '/departments/:id'],
    component: DepartmentsRoute,
    nav: {
      label: 'Departments',
      to: '/',
      permissions: ['view-livechat-departments', 'view-l-room'],
    },
  },
  {
    paths: ['/recently-deleted'],
    component: RecentlyDeletedPage,
    nav: {
      label: 'Recently deleted',
      to: '/recently-deleted',
      permissions: ['view-livechat-departments'],
    },
  },
  {
    paths: ['/agents'],
    component: AgentsPage,
    nav: { label: 'Agents', to: '/agents', permissions: ['manage-livechat-agents'] },
  },
  {
    paths: ['/business-hours', '/business-hours/:id'],
    component: BusinessHoursRoute,
    nav: {
      label: 'Business hours',
      to: '/business-hours',
      permissions: ['view-livechat-business-hours'],
    },
  },
  {
    paths: ['/units', '/units/:id'],
    component: UnitsRoute,
    // A monitor sees its own units, read only.
    nav: {
      label: 'Units',
      to: '/units',
      permissions: ['manage-livechat-units'],
      roles: ['livechat-monitor'],
    },
  },
  {
    paths: ['/monitors'],
    component: MonitorsPage,
    nav: { label: 'Monitors', to: '/monitors', permissions: ['manage-livechat-monitors'] },
  },
  {
    paths: ['/widget'],
    component: WidgetPreviewPage,
    nav: { label: 'Widget preview', to: '/widget', permissions: 'everyone' },
  },
  {
    paths: ['/offline-messages'],
    component: OfflineMessagesPage,
    nav: {
      label: 'Offline messages',
      to: '/offline-messages',
      permissions: ['view-livechat-manager'],
    },
  },
  {
    paths: ['/configuration'],
    component: ConfigurationPage,
    nav: {
      label: 'Configuration',
      to: '/configuration',
      permissions: ['view-livechat-departments'],
    },
  },
  {
    paths: ['/settings'],
    component: SettingsPage,
    nav: { label: 'Settings', to: '/settings', permissions: ['edit-privileged-setting'] },
  },
];

/** Whether a location belongs to the screen whose navigation entry leads to `to`. */
export function isUnder(location: string, screen: Screen): boolean {
  return screen.paths.some((path) => {
    const prefix = path.replace(/\/:.*$/, '');
    return prefix === '/'
      ? location === '/'
      : location === prefix || location.startsWith(`${prefix}/`);
  });
}
