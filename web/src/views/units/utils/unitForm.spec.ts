import type { Unit } from '../../../types';
import { formatUnitPayload, unitErrorField, unitToForm } from './unitForm';

const unit: Unit = {
  _id: 'u1',
  name: 'Europe',
  visibility: 'private',
  type: 'u',
  numMonitors: 1,
  numDepartments: 2,
};

describe('unitToForm', () => {
  it('starts a new unit public, with no monitors or departments', () => {
    expect(unitToForm(null, [], [])).toEqual({
      name: '',
      visibility: 'public',
      monitors: [],
      departments: [],
    });
  });

  it('reads a unit with its monitors and departments', () => {
    const values = unitToForm(
      unit,
      [{ _id: 'l1', monitorId: 'm1', unitId: 'u1', username: 'mona' }],
      [{ _id: 'd1', name: 'Sales' }],
    );
    expect(values).toEqual({
      name: 'Europe',
      visibility: 'private',
      monitors: [{ monitorId: 'm1', username: 'mona' }],
      departments: [{ departmentId: 'd1', name: 'Sales' }],
    });
  });
});

describe('formatUnitPayload', () => {
  it('sends the trimmed name, the visibility and the complete sets, without duplicates', () => {
    expect(
      formatUnitPayload({
        name: '  Europe ',
        visibility: 'public',
        monitors: [
          { monitorId: 'm1', username: 'mona' },
          { monitorId: 'm1', username: 'mona' },
        ],
        departments: [
          { departmentId: 'd1', name: 'Sales' },
          { departmentId: 'd2', name: 'Support' },
          { departmentId: 'd1', name: 'Sales' },
        ],
      }),
    ).toEqual({
      unitData: { name: 'Europe', visibility: 'public' },
      unitMonitors: [{ monitorId: 'm1', username: 'mona' }],
      unitDepartments: [{ departmentId: 'd1' }, { departmentId: 'd2' }],
    });
  });

  it('sends emptied sets as empty lists (the API replaces them)', () => {
    const body = formatUnitPayload({ ...unitToForm(unit, [], []), monitors: [] });
    expect(body.unitMonitors).toEqual([]);
    expect(body.unitDepartments).toEqual([]);
  });
});

describe('unitErrorField', () => {
  it('finds the field from the path in the message', () => {
    expect(unitErrorField({ message: 'unitData.name must be a string [invalid-params]' })).toBe(
      'name',
    );
    expect(unitErrorField({ message: 'unitMonitors.0.monitorId is required' })).toBe('monitors');
  });

  it('finds the field from the error code', () => {
    expect(unitErrorField({ message: 'Invalid monitor', errorType: 'error-invalid-monitor' })).toBe(
      'monitors',
    );
    expect(
      unitErrorField({ message: 'Department not found', errorType: 'error-department-not-found' }),
    ).toBe('departments');
    expect(unitErrorField({ message: 'Unit not found', errorType: 'error-unit-not-found' })).toBe(
      undefined,
    );
  });
});
