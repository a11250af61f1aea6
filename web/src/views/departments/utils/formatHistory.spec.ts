import type { HistoryEntry } from '../../../types';
import { historyLines, unnamedIds, type KnownNames } from './formatHistory';

const names: KnownNames = {
  departments: new Map([['d2', 'Billing']]),
  agents: new Map([['a1', 'alice']]),
  businessHours: new Map([['bh1', 'Berlin office']]),
};

function entry(partial: Partial<HistoryEntry>): HistoryEntry {
  return {
    _id: 'h',
    departmentId: 'd1',
    action: 'update',
    user: { _id: 'u', username: 'admin' },
    ts: '2026-01-01T00:00:00.000Z',
    ...partial,
  };
}

describe('historyLines', () => {
  it('names the unit a department moved into or out of (parentId), by the names the entry keeps', () => {
    const lines = historyLines(
      entry({
        changes: [
          { field: 'parentId', from: null, to: 'u1', toName: 'Europe' },
          { field: 'parentId', from: 'u1', to: null, fromName: 'Europe' },
        ],
      }),
      names,
    );
    expect(lines).toEqual(['Unit: (empty) → Europe', 'Unit: Europe → (empty)']);
  });

  it('shows labels and names, not keys and ids', () => {
    const lines = historyLines(
      entry({
        changes: [
          { field: 'fallbackForwardDepartment', from: null, to: 'd2' },
          { field: 'businessHourId', from: undefined, to: 'bh1' },
          { field: 'enabled', from: true, to: false },
        ],
        agents: { added: ['a1', { agentId: 'a9', username: 'zoe' }], removed: ['a7'] },
      }),
      names,
    );
    expect(lines).toEqual([
      'Fallback forward department: (empty) → Billing',
      'Business hours: (empty) → Berlin office',
      'Enabled: on → off',
      'Agents added: alice, zoe',
      'Agents removed: a7',
    ]);
  });

  it('prefers the names the entry carries (they outlive deleted departments)', () => {
    const lines = historyLines(
      entry({
        changes: [
          { field: 'fallbackForwardDepartment', from: 'gone', to: '', fromName: 'Old team' },
        ],
      }),
      names,
    );
    expect(lines).toEqual(['Fallback forward department: Old team → (empty)']);
  });

  it('names agents by the usernames the entry carries, ids only for old entries', () => {
    const withUsers = historyLines(
      entry({
        action: 'agents',
        agents: {
          added: ['a1'],
          removed: ['a7'],
          changed: [{ agentId: 'a8', count: 2 }],
          users: [
            { _id: 'a1', username: 'alice.then' },
            { _id: 'a7', username: 'gone.agent' },
            { _id: 'a8', username: 'bob' },
          ],
        },
      }),
      names,
    );
    expect(withUsers).toEqual([
      'Agents added: alice.then',
      'Agents removed: gone.agent',
      'bob: count 2',
    ]);
    expect(historyLines(entry({ agents: { removed: ['a7'] } }), names)).toEqual([
      'Agents removed: a7',
    ]);
  });

  it('drops changes from empty to empty (no phantom "(empty) → []")', () => {
    expect(
      historyLines(
        entry({ changes: [{ field: 'chatClosingTags', from: undefined, to: [] }] }),
        names,
      ),
    ).toEqual([]);
  });
});

describe('unnamedIds', () => {
  it('lists the department and schedule ids that carry no name', () => {
    expect(
      unnamedIds([
        entry({
          changes: [
            { field: 'departmentsAllowedToForward', from: [], to: ['d3', 'd2'] },
            { field: 'fallbackForwardDepartment', from: 'd4', to: 'd5', toName: 'Named' },
            { field: 'businessHourId', from: null, to: 'bh2' },
          ],
        }),
      ]),
    ).toEqual({ departments: ['d2', 'd3', 'd4'], businessHours: ['bh2'] });
  });
});
