import { Schema } from 'mongoose';
import { meetsRestriction, restrictQueries, restrictedFields } from './restrict-queries';

describe('meetsRestriction', () => {
  it('evaluates $ne as the database does (a missing field is not equal)', () => {
    const schema = new Schema({});
    restrictQueries(schema, { type: { $ne: 'u' } });
    expect(meetsRestriction(schema, {})).toBe(true);
    expect(meetsRestriction(schema, { type: 'd' })).toBe(true);
    expect(meetsRestriction(schema, { type: 'u' })).toBe(false);
    expect(meetsRestriction(schema, { type: ['x', 'u'] })).toBe(false);
    expect(restrictedFields(schema)).toEqual(['type']);
  });

  it('evaluates equality, an array matching one of its elements', () => {
    const schema = new Schema({});
    restrictQueries(schema, { type: 'u' });
    expect(meetsRestriction(schema, { type: 'u' })).toBe(true);
    expect(meetsRestriction(schema, { type: ['u'] })).toBe(true);
    expect(meetsRestriction(schema, {})).toBe(false);
    expect(meetsRestriction(schema, { type: 'd' })).toBe(false);
  });

  it('lets everything through on a schema without a restriction', () => {
    expect(meetsRestriction(new Schema({}), { type: 'u' })).toBe(true);
  });

  it('refuses conditions it could not evaluate', () => {
    expect(() => restrictQueries(new Schema({}), { type: { $in: ['u'] } })).toThrow(/unsupported/);
    expect(() => restrictQueries(new Schema({}), { 'a.b': 1 })).toThrow(/unsupported/);
  });
});
