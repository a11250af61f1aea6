import { definedFields, fieldChanges, withNames } from './department-changes';
import type { DepartmentDto } from './dto/department.dto';
import type { Department } from './schemas/department.schema';

const stored = (fields: Partial<Department> = {}): Department => ({
  _id: 'd1',
  name: 'Sales',
  email: 'sales@example.com',
  enabled: true,
  showOnRegistration: true,
  showOnOfflineForm: true,
  numAgents: 0,
  _updatedAt: new Date(0),
  ...fields,
});

describe('definedFields', () => {
  it('sets the given values and unsets the cleared ones (null, "" and [])', () => {
    const dto = {
      name: 'Sales',
      description: '',
      fallbackForwardDepartment: null,
      chatClosingTags: [],
      maxNumberSimultaneousChat: 0,
      requestTagBeforeClosingChat: false,
      waitingQueueMessage: undefined,
      departmentUnit: {},
    } as unknown as DepartmentDto;
    expect(definedFields(dto)).toEqual({
      set: { name: 'Sales', maxNumberSimultaneousChat: 0, requestTagBeforeClosingChat: false },
      unset: ['description', 'fallbackForwardDepartment', 'chatClosingTags'],
    });
  });
});

describe('fieldChanges', () => {
  it('records nothing for empty values where nothing was set, or false for an absent flag', () => {
    const { set, unset } = definedFields({
      name: 'Sales',
      description: '',
      chatClosingTags: [],
      fallbackForwardDepartment: '',
      requestTagBeforeClosingChat: false,
      allowReceiveForwardOffline: false,
    } as unknown as DepartmentDto);
    expect(fieldChanges(stored(), set, unset)).toEqual([]);
  });

  it('treats a stored "" (as Rocket.Chat stores it) like an absent value', () => {
    const current = stored({ fallbackForwardDepartment: '' });
    expect(fieldChanges(current, {}, ['fallbackForwardDepartment'])).toEqual([]);
  });

  it('records a clear as a change to null and a real change as it is', () => {
    const current = stored({ description: 'old', requestTagBeforeClosingChat: true });
    expect(
      fieldChanges(current, { name: 'Sales EMEA' }, ['description', 'requestTagBeforeClosingChat']),
    ).toEqual([
      { field: 'name', from: 'Sales', to: 'Sales EMEA' },
      { field: 'description', from: 'old', to: null },
      { field: 'requestTagBeforeClosingChat', from: true, to: false },
    ]);
  });
});

describe('withNames', () => {
  it('mirrors from/to with names: one for an id, a list for a list, null where unknown', () => {
    const names = new Map([
      ['a', 'Sales'],
      ['b', 'Support'],
    ]);
    expect(withNames({ field: 'fallbackForwardDepartment', from: null, to: 'a' }, names)).toEqual({
      field: 'fallbackForwardDepartment',
      from: null,
      to: 'a',
      fromName: null,
      toName: 'Sales',
    });
    expect(
      withNames({ field: 'departmentsAllowedToForward', from: ['a', 'x'], to: ['b'] }, names),
    ).toMatchObject({ fromName: ['Sales', null], toName: ['Support'] });
  });
});
