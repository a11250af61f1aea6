import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { escapeRegExp, type Page } from '../../common/pagination';
import { LivechatEvents } from '../livechat-events';
import { LivechatVersion } from '../livechat-version.repository';
import { Scope } from '../scope/scope';
import { SnapshotHolder, type Versioned } from '../versioned-snapshot';
import { DepartmentsRepository } from './departments.repository';
import { compareBson } from './bson-order';
import { Department } from './schemas/department.schema';

/** Above this many departments the lists query the database again (memory stays bounded). */
export const CATALOG_MAX_DEPARTMENTS = 100_000;
/** Sort orders and filtered lists kept per snapshot (each one array of references). */
const SORTS_KEPT = 8;
const LISTS_KEPT = 16;

export interface DepartmentListFilter {
  text?: string;
  enabledOnly: boolean;
  excludeDepartmentId?: string;
  archived: 'exclude' | 'include' | 'only';
}

interface Snapshot extends Versioned {
  /** Every department, or null when there are more than CATALOG_MAX_DEPARTMENTS. */
  departments: Department[] | null;
  sorted: Map<string, Department[]>;
  lists: Map<string, Department[]>;
}

/**
 * Every department in memory, for the department lists. FerretDB scans and sorts the whole
 * collection for each page (a page of 50 took 77 ms at 1,000 departments and 562 ms at
 * 10,000); here a page is one pass over an array held in the requested order.
 *
 * Never older than an acknowledged write: every write increments the livechat version before
 * it answers (LivechatEvents), this instance's own writes also invalidate the snapshot at once,
 * and with a database other instances may write to (`MONGO_URL`) each list first reads the
 * version (one document, by `_id`) and reloads when it moved. The version is read before a
 * load starts, so a write landing during the load leaves the snapshot behind its version.
 */
@Injectable()
export class DepartmentCatalog implements OnModuleInit, OnModuleDestroy {
  private generation = 0;
  private readonly snapshots = new SnapshotHolder<Snapshot>();
  private unsubscribe?: () => void;

  constructor(
    private readonly departments: DepartmentsRepository,
    private readonly version: LivechatVersion,
    private readonly events: LivechatEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.onChange(() => {
      this.generation++;
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** One page of the departments matching `filter` in `scope`, and their total. */
  async page(
    filter: DepartmentListFilter,
    page: Page,
    scope: Scope,
  ): Promise<{ items: Department[]; total: number }> {
    const snapshot = await this.current();
    if (!snapshot.departments) return this.departments.page(queryOf(filter), page, scope);
    const matching = this.matching(snapshot, filter, page.sort, scope);
    return { items: matching.slice(page.offset, page.offset + page.count), total: matching.length };
  }

  /**
   * The departments matching `filter` in `scope`, in `sort` order: one pass over the snapshot,
   * kept with it, so the same list's next pages (and the next client's) are slices.
   */
  private matching(
    snapshot: Snapshot,
    filter: DepartmentListFilter,
    sort: Page['sort'],
    scope: Scope,
  ): Department[] {
    const key = JSON.stringify([filter, sort, scope.isRestricted ? scope.unitIds : null]);
    let list = snapshot.lists.get(key);
    if (!list) {
      list = this.sortedBy(snapshot, sort).filter(predicateOf(filter, scope));
      keep(snapshot.lists, key, list, LISTS_KEPT);
    }
    return list;
  }

  /** Only other instances' writes need the version read (see WidgetService.shared). */
  private async current(): Promise<Snapshot> {
    const version = this.config.mongoUrl ? await this.version.read() : 0;
    const generation = this.generation;
    return (
      this.snapshots.fresh(generation, version) ??
      this.snapshots.load(generation, version, () => this.load(generation, version))
    );
  }

  private async load(generation: number, version: number): Promise<Snapshot> {
    const found = await this.departments.find<Department>({}, Scope.unrestricted(), {
      limit: CATALOG_MAX_DEPARTMENTS + 1,
    });
    return {
      generation,
      version,
      // Frozen: the lists hand these very objects out, request after request.
      departments:
        found.length > CATALOG_MAX_DEPARTMENTS
          ? null
          : found.map((department) => Object.freeze(department)),
      sorted: new Map(),
      lists: new Map(),
    };
  }

  /** The snapshot's departments in `sort` order (sorted once per snapshot and order). */
  private sortedBy(snapshot: Snapshot, sort: Page['sort']): Department[] {
    const key = JSON.stringify(sort);
    let sorted = snapshot.sorted.get(key);
    if (!sorted) {
      const fields = Object.entries(sort) as [keyof Department, 1 | -1][];
      sorted = [...(snapshot.departments ?? [])].sort((a, b) => {
        for (const [field, direction] of fields) {
          const order = compareBson(a[field], b[field]);
          if (order !== 0) return order * direction;
        }
        return 0;
      });
      keep(snapshot.sorted, key, sorted, SORTS_KEPT);
    }
    return sorted;
  }
}

/** Adds to a bounded map, dropping its oldest entry when full. */
function keep<T>(map: Map<string, T>, key: string, value: T, limit: number): void {
  if (map.size >= limit) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

/** The filter as the database would take it (more departments than the catalog holds). */
function queryOf(filter: DepartmentListFilter): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  if (filter.archived === 'exclude') query.archived = { $ne: true };
  if (filter.archived === 'only') query.archived = true;
  if (filter.enabledOnly) query.enabled = true;
  if (filter.excludeDepartmentId !== undefined) query._id = { $ne: filter.excludeDepartmentId };
  if (filter.text) query.name = { $regex: escapeRegExp(filter.text), $options: 'i' };
  return query;
}

/** The same filter, evaluated on a department held in memory. */
function predicateOf(filter: DepartmentListFilter, scope: Scope): (d: Department) => boolean {
  const text = filter.text ? new RegExp(escapeRegExp(filter.text), 'i') : undefined;
  return (department) =>
    (filter.archived === 'include' ||
      (department.archived === true) === (filter.archived === 'only')) &&
    (!filter.enabledOnly || department.enabled === true) &&
    department._id !== filter.excludeDepartmentId &&
    (!text || (typeof department.name === 'string' && text.test(department.name))) &&
    scope.includes(department);
}
