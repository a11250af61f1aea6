import { mergeAgentChanges } from './department-history.service';

const user = (id: string) => ({ _id: id, username: `user-${id}` });

describe('mergeAgentChanges (the two requests of one save, as one history entry)', () => {
  it('adds what the second request did to an entry without agent changes', () => {
    expect(
      mergeAgentChanges(undefined, {
        added: [],
        removed: ['a'],
        changed: [],
        users: [user('a')],
      }),
    ).toEqual({ added: [], removed: ['a'], changed: [], users: [user('a')] });
  });

  it('unions additions and removals, keeping each agent’s username', () => {
    expect(
      mergeAgentChanges(
        {
          added: ['a'],
          removed: [],
          changed: [{ agentId: 'c', count: 2 }],
          users: [user('a'), user('c')],
        },
        { added: [], removed: ['b'], changed: [], users: [user('b')] },
      ),
    ).toEqual({
      added: ['a'],
      removed: ['b'],
      changed: [{ agentId: 'c', count: 2 }],
      users: [user('a'), user('c'), user('b')],
    });
  });

  it('drops an agent added and then removed within the save', () => {
    expect(
      mergeAgentChanges(
        { added: ['a'], removed: [], changed: [], users: [user('a')] },
        { added: [], removed: ['a'], changed: [], users: [user('a')] },
      ),
    ).toEqual({ added: [], removed: [], changed: [], users: [] });
  });

  it('lets later count/order values win, and forgets changes of an agent then removed', () => {
    expect(
      mergeAgentChanges(
        {
          added: [],
          removed: [],
          changed: [
            { agentId: 'a', count: 1, order: 1 },
            { agentId: 'b', count: 5 },
          ],
          users: [user('a'), user('b')],
        },
        {
          added: [],
          removed: ['b'],
          changed: [{ agentId: 'a', order: 9 }],
          users: [user('a'), user('b')],
        },
      ),
    ).toEqual({
      added: [],
      removed: ['b'],
      changed: [{ agentId: 'a', count: 1, order: 9 }],
      users: [user('a'), user('b')],
    });
  });

  it('reads entries written before usernames were kept', () => {
    expect(
      mergeAgentChanges(
        { added: ['a'], removed: [], changed: [] },
        { added: [], removed: ['b'], changed: [], users: [user('b')] },
      ),
    ).toEqual({ added: ['a'], removed: ['b'], changed: [], users: [user('b')] });
  });
});
