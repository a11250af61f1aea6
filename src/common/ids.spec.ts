import { ID_ALPHABET, randomId } from './ids';

describe('randomId', () => {
  it('makes 17 characters from the Meteor alphabet', () => {
    for (let i = 0; i < 1000; i++) {
      const id = randomId();
      expect(id).toHaveLength(17);
      for (const char of id) expect(ID_ALPHABET).toContain(char);
    }
  });

  it('does not repeat and uses the whole alphabet', () => {
    const ids = Array.from({ length: 5000 }, () => randomId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.join('')).size).toBe(ID_ALPHABET.length);
  });
});
