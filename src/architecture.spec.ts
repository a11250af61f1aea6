// The data-access rule (README, "How it is built"): a Mongoose model is injected only into
// a repository (`*.repository.ts`) or the department write path (`livechat/write-path/`,
// the repository layer of department writes: leases, journal, fencing). Everything else
// reads and writes through them, so no service can reach department data without a scope.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = __dirname;
const WRITE_PATH = 'livechat/write-path/';
/** What reaches a model: Nest's injection, or its token. */
const MODEL_ACCESS = /\bInjectModel\s*\(|\bgetModelToken\s*\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const filesWithModels = sourceFiles(SRC)
  .filter((path) => MODEL_ACCESS.test(readFileSync(path, 'utf8')))
  .map((path) => relative(SRC, path).split('\\').join('/'));

const allowed = (path: string) => path.endsWith('.repository.ts') || path.startsWith(WRITE_PATH);

describe('architecture: models are injected only into repositories', () => {
  it('finds no model injected outside a repository or the write path', () => {
    expect(filesWithModels.filter((path) => !allowed(path))).toEqual([]);
  });

  it('sees the repositories (the scan is not looking at nothing)', () => {
    expect(filesWithModels).toEqual(
      expect.arrayContaining([
        'livechat/departments/departments.repository.ts',
        'livechat/departments/assignments.repository.ts',
        'livechat/history/department-history.repository.ts',
        'livechat/offline-messages/offline-messages.repository.ts',
        'livechat/business-hours/business-hours.repository.ts',
        'livechat/units/units.repository.ts',
        'livechat/write-path/department-writer.ts',
        'users/users.repository.ts',
        'permissions/permissions.repository.ts',
        'settings/settings.repository.ts',
      ]),
    );
  });

  it('recognises an injection as the rule means it', () => {
    expect(MODEL_ACCESS.test('@InjectModel(Department.name) private readonly d: Model<D>')).toBe(
      true,
    );
    expect(MODEL_ACCESS.test("inject: [getModelToken('User')]")).toBe(true);
    expect(MODEL_ACCESS.test('private readonly departments: DepartmentsRepository')).toBe(false);
  });
});
