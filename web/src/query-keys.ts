// Every TanStack Query key of the console, in one place. Each kind of data has one root, so
// invalidating the root (`queryKeys.departments.all`) refreshes everything derived from it.

export const queryKeys = {
  me: (userId: string | undefined) => ['me', userId] as const,
  permissions: (userId: string | undefined) => ['permissions', userId] as const,
  setting: (id: string) => ['settings', id] as const,
  settings: { all: ['settings'] as const },

  departments: {
    all: ['departments'] as const,
    list: (state: unknown) => ['departments', 'list', state] as const,
    one: (id: string | undefined) => ['departments', 'one', id] as const,
    history: (id: string, offset?: number) =>
      offset === undefined
        ? (['departments', 'history', id] as const)
        : (['departments', 'history', id, offset] as const),
    autocomplete: (term: string, exclude: unknown) =>
      ['departments', 'autocomplete', term, exclude] as const,
    byIds: (ids: string[], purpose = 'names') => ['departments', 'byIds', purpose, ids] as const,
    namesake: (term: string) => ['departments', 'namesake', term] as const,
    widget: (id: string | null) => ['departments', 'widget', id] as const,
  },

  agents: {
    all: ['agents'] as const,
    list: (state: unknown) => ['agents', 'list', state] as const,
    search: (text: string) => ['agents', 'search', text] as const,
    departments: (agentId: string) => ['agents', 'departments', agentId] as const,
  },

  monitors: {
    all: ['monitors'] as const,
    list: (state: unknown) => ['monitors', 'list', state] as const,
    search: ['monitors', 'search'] as const,
  },

  users: { autocomplete: (term: string) => ['users', 'autocomplete', term] as const },

  businessHours: {
    all: ['business-hours'] as const,
    list: (state: unknown) => ['business-hours', 'list', state] as const,
    one: (idOrType: string | undefined) => ['business-hours', 'one', idOrType] as const,
    names: ['business-hours', 'names'] as const,
  },

  units: {
    all: ['units'] as const,
    list: (state: unknown) => ['units', 'list', state] as const,
    one: (id: string | undefined) => ['units', 'one', id] as const,
    options: (term: string) => ['units', 'options', term] as const,
    names: (ids: unknown) => ['units', 'names', ids] as const,
    availableDepartments: (unitId: string) => ['units', 'available-departments', unitId] as const,
  },

  deletedDepartments: {
    all: ['deleted-departments'] as const,
    list: (state: unknown) => ['deleted-departments', 'list', state] as const,
  },

  offlineMessages: {
    all: ['offline-messages'] as const,
    list: (state: unknown) => ['offline-messages', 'list', state] as const,
  },
  widget: {
    config: (department: string | null | undefined) => ['widget-config', department] as const,
    refusedOrigins: ['widget-config', 'refused-origins'] as const,
  },
};
