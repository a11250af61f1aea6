import { identityKeys } from './identity-reservations.repository';

describe('identityKeys', () => {
  it('lowercases the username and every address, sorted, without repeats', () => {
    expect(
      identityKeys({
        username: 'Agent.Smith',
        emails: [{ address: 'Smith@Example.com' }, { address: 'smith@example.com' }],
      }),
    ).toEqual(['email:smith@example.com', 'username:agent.smith']);
  });

  it('skips what is missing or not a string (a Rocket.Chat user without e-mail)', () => {
    expect(identityKeys({ username: 'bot' })).toEqual(['username:bot']);
    expect(identityKeys({ emails: [{ address: undefined }] })).toEqual([]);
  });
});
