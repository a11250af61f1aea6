import { writeConcernGivenIn } from './database.module';

describe('writeConcernGivenIn', () => {
  it('sees a w= in the connection string, and nothing else', () => {
    expect(writeConcernGivenIn(undefined)).toBe(false);
    expect(writeConcernGivenIn('mongodb://a,b,c/db?replicaSet=rs0')).toBe(false);
    expect(writeConcernGivenIn('mongodb://a/db?replicaSet=rs0&w=1')).toBe(true);
    expect(writeConcernGivenIn('mongodb+srv://user:p%40ss@cluster.example/db?w=majority')).toBe(
      true,
    );
    expect(writeConcernGivenIn('mongodb://a/db?wtimeoutMS=5')).toBe(false);
  });
});
