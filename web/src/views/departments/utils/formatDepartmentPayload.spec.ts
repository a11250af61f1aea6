import type { Department } from '../../../types';
import {
  departmentToForm,
  formatAgentPayload,
  formatDepartmentPayload,
  formatDepartmentUnit,
  removedAgentIds,
} from './formatDepartmentPayload';

const stored: Department = {
  _id: 'd1',
  name: 'Support',
  email: 'support@example.com',
  enabled: true,
  showOnRegistration: true,
  showOnOfflineForm: true,
  numAgents: 0,
  _updatedAt: '2026-01-01T00:00:00.000Z',
  description: 'Second line',
  fallbackForwardDepartment: 'd2',
  maxNumberSimultaneousChat: 4,
  chatClosingTags: ['billing'],
  departmentsAllowedToForward: ['d3'],
};

describe('formatDepartmentPayload', () => {
  it('sends only what is set for a new department (no empty lists, texts or numbers)', () => {
    const values = { ...departmentToForm(null, []), name: ' Sales ', email: 'sales@example.com ' };
    expect(formatDepartmentPayload(values, null)).toEqual({
      name: 'Sales',
      email: 'sales@example.com',
      enabled: true,
      showOnRegistration: true,
      showOnOfflineForm: true,
    });
  });

  it('leaves an unchanged department as it is: no phantom clears', () => {
    const body = formatDepartmentPayload(departmentToForm(stored, []), stored);
    expect(body).toMatchObject({
      description: 'Second line',
      fallbackForwardDepartment: 'd2',
      maxNumberSimultaneousChat: 4,
      chatClosingTags: ['billing'],
      departmentsAllowedToForward: ['d3'],
    });
    expect(body).not.toHaveProperty('visitorInactivityTimeoutInSeconds');
    expect(body).not.toHaveProperty('waitingQueueMessage');
  });

  it('clears what the user emptied: "" for texts and the fallback, null for numbers, [] for lists', () => {
    const values = {
      ...departmentToForm(stored, []),
      description: '',
      fallbackForwardDepartment: null,
      maxNumberSimultaneousChat: '',
      chatClosingTags: [],
      departmentsAllowedToForward: [],
    };
    expect(formatDepartmentPayload(values, stored)).toMatchObject({
      description: '',
      fallbackForwardDepartment: '',
      maxNumberSimultaneousChat: null,
      chatClosingTags: [],
      departmentsAllowedToForward: [],
    });
  });

  it('reads a stored "" fallback as none', () => {
    expect(
      departmentToForm({ ...stored, fallbackForwardDepartment: '' }, []).fallbackForwardDepartment,
    ).toBeNull();
  });
});

describe('formatDepartmentUnit', () => {
  it('reads the unit from parentId', () => {
    expect(departmentToForm({ ...stored, parentId: 'u1' }, []).unit).toBe('u1');
    expect(departmentToForm(stored, []).unit).toBeNull();
  });

  it('sends { _id } to put a department in a unit, new or stored', () => {
    expect(formatDepartmentUnit('u1', null)).toEqual({ _id: 'u1' });
    expect(formatDepartmentUnit('u2', { ...stored, parentId: 'u1' })).toEqual({ _id: 'u2' });
  });

  it('sends {} only to take a department out of the unit it is in', () => {
    expect(formatDepartmentUnit(null, { ...stored, parentId: 'u1' })).toEqual({});
    expect(formatDepartmentUnit(null, stored)).toBeUndefined();
    expect(formatDepartmentUnit(null, null)).toBeUndefined();
  });

  it('sends nothing when the unit is unchanged', () => {
    expect(formatDepartmentUnit('u1', { ...stored, parentId: 'u1' })).toBeUndefined();
  });
});

describe('agent payloads', () => {
  it('counts an emptied number as 0', () => {
    expect(formatAgentPayload({ agentId: 'a', username: 'ann', count: '', order: 3 })).toEqual({
      agentId: 'a',
      count: 0,
      order: 3,
    });
  });

  it('lists the agents a save removes', () => {
    expect(
      removedAgentIds(['a', 'b', 'c'], [{ agentId: 'b', username: 'bob', count: 0, order: 0 }]),
    ).toEqual(['a', 'c']);
  });
});
