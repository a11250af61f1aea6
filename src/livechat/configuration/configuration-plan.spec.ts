import { ApiError } from '../../common/api-error';
import type { Department } from '../departments/schemas/department.schema';
import {
  byName,
  canonicalJson,
  ConfigurationDocument,
  DepartmentConfig,
  parseConfiguration,
  versionOf,
} from './configuration-document';
import { documentOf, planChanges, PlanContext, View } from './configuration-plan';
import type { LiveData } from './configuration.repository';

const FORMAT = { format: 'omnichannel-departments/configuration', version: 1 } as const;
const ALL: View = {
  scopeUnitIds: null,
  departments: true,
  units: true,
  businessHours: false,
  settingIds: null,
};

function department(id: string, name: string, extra: Partial<Department> = {}): Department {
  return {
    _id: id,
    name,
    email: `${id}@example.com`,
    enabled: true,
    showOnRegistration: true,
    showOnOfflineForm: true,
    numAgents: 0,
    _updatedAt: new Date(0),
    ...extra,
  };
}

const live: LiveData = {
  departments: [
    department('d1', 'Sales', { fallbackForwardDepartment: 'd2', parentId: 'u1' }),
    department('d2', 'Support', { parentId: 'u1' }),
    department('d3', 'Other'),
  ],
  assignments: [{ agentId: 'a1', departmentId: 'd1', username: 'ann', count: 2, order: 1 }],
  units: [
    {
      _id: 'u1',
      name: 'Europe',
      visibility: 'public',
      type: 'u',
      numMonitors: 1,
      numDepartments: 2,
      _updatedAt: new Date(0),
    },
  ],
  monitors: [{ unitId: 'u1', monitorId: 'm1', username: 'mo' }],
  schedules: [],
};

function context(overrides: Partial<PlanContext> = {}): PlanContext {
  return {
    index: documentOf(live, ALL, new Map()).index,
    scopeUnitIds: null,
    agentUsernames: new Set(['ann', 'bob']),
    monitorUsernames: new Set(['mo']),
    departmentRemovalEnabled: true,
    can: () => true,
    settingProblem: () => null,
    scheduleProblem: () => null,
    ...overrides,
  };
}

describe('documentOf', () => {
  it('names references, agents and units, with every field written', () => {
    const { document } = documentOf(live, ALL, new Map());
    expect(document.departments?.Sales).toMatchObject({
      fallbackForwardDepartment: 'Support',
      departmentsAllowedToForward: [],
      description: null,
      archived: false,
      agents: { ann: { count: 2, order: 1 } },
    });
    expect(document.units).toEqual({
      Europe: { visibility: 'public', monitors: ['mo'], departments: ['Sales', 'Support'] },
    });
    expect(document.businessHours).toBeUndefined();
  });

  it('keeps a monitor to its units, and tells apart departments of one name', () => {
    const scoped = documentOf(live, { ...ALL, scopeUnitIds: ['u1'] }, new Map()).document;
    expect(Object.keys(scoped.departments ?? {})).toEqual(['Sales', 'Support']);
    const twins = documentOf(
      { ...live, departments: [department('x1', 'Twin'), department('x2', 'Twin')] },
      ALL,
      new Map(),
    ).document;
    expect(Object.keys(twins.departments ?? {})).toEqual(['Twin (x1)', 'Twin (x2)']);
  });

  it('has one version per content, whatever the order of keys', () => {
    const { document } = documentOf(live, ALL, new Map());
    const reordered = JSON.parse(canonicalJson(document)) as ConfigurationDocument;
    expect(versionOf(reordered)).toBe(versionOf(document));
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('planChanges', () => {
  const current = documentOf(live, ALL, new Map()).document;

  it('plans an identical document to nothing', () => {
    const target = parseConfiguration(JSON.parse(JSON.stringify(current)));
    expect(planChanges(current, target, context())).toEqual({
      changes: [],
      refusals: [],
      widget: { appearing: [], vanishing: [] },
    });
  });

  it('takes names that are also property names of objects for names', () => {
    const target = parseConfiguration(JSON.parse(JSON.stringify(current)));
    const departments = target.departments as Record<string, DepartmentConfig>;
    for (const name of ['constructor', 'toString']) {
      departments[name] = { ...departments.Other, agents: byName() };
    }
    const { changes } = planChanges(current, target, context());
    expect(changes.map((c) => `${c.name}:${c.action}`)).toEqual([
      'constructor:create',
      'toString:create',
    ]);
  });

  it('leaves a section the document leaves out alone', () => {
    expect(planChanges(current, parseConfiguration({ ...FORMAT }), context()).changes).toEqual([]);
  });

  it('lists creates, field changes, agent changes, deletes and the widget effect', () => {
    const target = parseConfiguration(JSON.parse(JSON.stringify(current)));
    const departments = target.departments!;
    departments.Sales.description = 'New';
    departments.Sales.agents = { bob: { count: 0, order: 0 } };
    departments.New = { ...departments.Other, agents: { ann: { count: 0, order: 0 } } };
    delete departments.Other;
    const { changes, widget } = planChanges(current, target, context());
    expect(changes).toEqual([
      {
        object: 'department',
        name: 'Sales',
        action: 'update',
        fields: [{ field: 'description', from: null, to: 'New' }],
        agents: { added: ['bob'], removed: ['ann'], changed: [] },
      },
      expect.objectContaining({ object: 'department', name: 'New', action: 'create' }),
      { object: 'department', name: 'Other', action: 'delete' },
    ]);
    expect(widget).toEqual({ appearing: ['New'], vanishing: [] });
  });

  it('refuses what the writes would refuse, and what the caller may not touch', () => {
    const target = parseConfiguration(JSON.parse(JSON.stringify(current)));
    const departments = target.departments!;
    departments.Sales.agents = { nobody: { count: 0, order: 0 } };
    departments.Support.fallbackForwardDepartment = 'Support';
    departments.Support.archived = true;
    delete departments.Other;
    const { refusals } = planChanges(
      current,
      target,
      context({
        departmentRemovalEnabled: false,
        can: (p) => !p.includes('manage-livechat-departments'),
      }),
    );
    expect(refusals.map((r) => `${r.name}:${r.errorType}`).sort()).toEqual([
      'Other:error-department-removal-disabled',
      'Other:error-unauthorized',
      'Sales:error-agent-not-found',
      'Sales:error-unauthorized',
      'Support:error-archived-department-cant-be-enabled',
      'Support:error-fallback-department-circular',
    ]);
  });

  it('keeps a monitor to its units: a new department must go into one of them', () => {
    const scopedContext = context({ scopeUnitIds: ['u1'] });
    const mine = documentOf(live, { ...ALL, scopeUnitIds: ['u1'] }, new Map()).document;
    const target = parseConfiguration(JSON.parse(JSON.stringify(mine)));
    target.departments!.Loose = { ...target.departments!.Support };
    target.departments!.Other = { ...target.departments!.Support };
    const refused = planChanges(mine, target, scopedContext).refusals;
    expect(refused.map((r) => `${r.name}:${r.status}`)).toEqual(['Loose:403', 'Other:403']);
    delete target.departments!.Other;
    target.units!.Europe.departments.push('Loose');
    expect(planChanges(mine, target, scopedContext)).toMatchObject({
      refusals: [],
      changes: [expect.objectContaining({ name: 'Loose', action: 'create' })],
    });
  });
});

describe('parseConfiguration', () => {
  it('fills in what may be left out, and names the path of what is wrong', () => {
    const parsed = parseConfiguration({
      ...FORMAT,
      departments: {
        A: {
          email: 'a@example.com',
          enabled: true,
          showOnRegistration: true,
          showOnOfflineForm: false,
        },
      },
    });
    expect(parsed.departments?.A).toMatchObject({
      archived: false,
      agents: {},
      departmentsAllowedToForward: [],
    });
    const problem = (input: unknown) => {
      try {
        parseConfiguration(input);
        return null;
      } catch (error) {
        return (error as ApiError).message;
      }
    };
    expect(problem({ ...FORMAT, departments: { 'Sales team': { email: 'x' } } })).toBe(
      'configuration.departments["Sales team"].enabled is required',
    );
    expect(problem({ ...FORMAT, units: { U: { visibility: 'secret' } } })).toBe(
      'configuration.units.U.visibility must be "public" or "private"',
    );
    expect(problem({ ...FORMAT, secrets: {} })).toBe('configuration.secrets is not a known field');
  });
});
