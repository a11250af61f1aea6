import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Actor } from '../../auth/caller';
import { MeDetails } from '../../auth/me-details';
import type { QueryFilter } from 'mongoose';
import { ApiError } from '../../common/api-error';
import { randomId } from '../../common/ids';
import { escapeRegExp, Page } from '../../common/pagination';
import { RefreshingValue } from '../../common/refreshing-value';
import {
  SETTING_BUSINESS_HOUR_TYPE,
  SETTING_BUSINESS_HOURS_ENABLED,
} from '../../settings/setting-definitions';
import { databaseUnavailable } from '../../common/envelope';
import { WriteLeases } from '../write-path/write-leases';
import { SettingsService } from '../../settings/settings.service';
import { DepartmentsService } from '../departments/departments.service';
import { Scope } from '../scope/scope';
import { BusinessHoursRepository } from './business-hours.repository';
import { LivechatEvents } from '../livechat-events';
import { BusinessHour, BusinessHourKind, StoredWorkHour } from './business-hour.schema';
import { CLOCK, Clock } from './clock';
import type { SaveBusinessHourDto } from './dto/business-hour.dto';
import {
  BusinessHourRules,
  canonicalTimeZone,
  closingMinuteOf,
  DayHours,
  deriveTime,
  formatOffset,
  HH_MM,
  minutesOf,
  offsetMinutes,
  OpenStatusCache,
  ScheduleHours,
  scheduleFor,
  WEEK_DAYS,
} from './open-now';

/** Other instances' schedule and setting changes reach routing within this delay. */
const RULES_TTL_MS = 5_000;
/** The default schedule's id when this service creates it (one id, so racing starts make one). */
export const DEFAULT_BUSINESS_HOUR_ID = 'default-business-hour';
const MAX_DEPARTMENTS_PER_SCHEDULE = 1000;
export const BUSINESS_HOUR_SETTINGS: readonly string[] = [
  SETTING_BUSINESS_HOURS_ENABLED,
  SETTING_BUSINESS_HOUR_TYPE,
];

/** A save request after input validation: zone canonical, days in Monday…Sunday order. */
export interface BusinessHourInput {
  _id?: string;
  name: string;
  active: boolean;
  type: BusinessHourKind;
  timezone: string;
  days: DayHours[];
  /** Custom schedules: the departments that follow it (undefined: leave them as they are). */
  departmentIds?: string[];
}

export type BusinessHourWithDepartments = BusinessHour & {
  departments: { _id: string; name: string }[];
};

/**
 * Checks a save body beyond its shape (days, times, zone, department list) and
 * normalises it. Throws 400 envelopes; runs after the route's permission (checked by the
 * guard), like other input checks.
 */
export function parseSaveInput(body: SaveBusinessHourDto): BusinessHourInput {
  const byDay = new Map(body.workHours.map((hours) => [hours.day, hours]));
  if (byDay.size !== body.workHours.length) {
    throw ApiError.invalidParams('workHours must name each day at most once');
  }
  // In week order; a day not listed is closed (Rocket.Chat stores only the days sent).
  const days = WEEK_DAYS.filter((day) => byDay.has(day)).map((day) => byDay.get(day) as DayHours);
  for (const hours of days) {
    if (!hours.open) continue;
    const start = minutesOf(hours.start);
    const finish = closingMinuteOf(hours.finish);
    if (finish === start) {
      throw ApiError.badRequest(
        'error-business-hour-finish-time-equals-start-time',
        `${hours.day}: finish must be after start`,
      );
    }
    if (finish < start) {
      throw ApiError.badRequest(
        'error-business-hour-finish-time-before-start-time',
        `${hours.day}: finish must be after start`,
      );
    }
  }
  const zone =
    body.timezoneName ?? (typeof body.timezone === 'string' ? body.timezone : body.timezone.name);
  const timezone = canonicalTimeZone(zone);
  if (!timezone) throw ApiError.invalidParams('timezone must be a known IANA time zone name');
  const name = body.name.trim();
  if (body.type === 'custom' && !name) {
    throw ApiError.invalidParams('name must be a non-empty string for a custom schedule');
  }
  let departmentIds: string[] | undefined;
  if (body.departmentsToApplyBusinessHour !== undefined) {
    departmentIds = [
      ...new Set(
        body.departmentsToApplyBusinessHour
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
      ),
    ];
    if (body.type === 'default' && departmentIds.length) {
      throw ApiError.invalidParams(
        'departmentsToApplyBusinessHour applies to custom schedules only (every other department follows the default)',
      );
    }
    if (departmentIds.some((id) => id.length > 64)) {
      throw ApiError.invalidParams('departmentsToApplyBusinessHour holds an over-long id');
    }
    if (departmentIds.length > MAX_DEPARTMENTS_PER_SCHEDULE) {
      throw ApiError.invalidParams(
        `departmentsToApplyBusinessHour holds more than ${MAX_DEPARTMENTS_PER_SCHEDULE} ids`,
      );
    }
  }
  return {
    _id: body._id,
    name,
    active: body.active,
    type: body.type,
    timezone,
    days: days.map(({ day, open, start, finish }) => ({ day, open, start, finish })),
    departmentIds,
  };
}

/** A stored schedule as open-now reads it; odd stored data (from elsewhere) reads as closed. */
function scheduleOf(doc: Pick<BusinessHour, 'timezone' | 'workHours'>): ScheduleHours {
  return {
    timezone: canonicalTimeZone(doc.timezone?.name ?? '') ?? 'UTC',
    days: (doc.workHours ?? []).map((hours) => {
      const start = hours.start?.time ?? '';
      const finish = hours.finish?.time ?? '';
      return {
        day: hours.day,
        open: hours.open === true && HH_MM.test(start) && HH_MM.test(finish),
        start,
        finish,
      };
    }),
  };
}

const AGENT_ROLE = 'livechat-agent';

/** Schedule writes are rare: one at a time, across instances, keeps assignments exact. */
const SCHEDULES_LEASE = 'business-hours';

function notFound(): ApiError {
  return ApiError.badRequest('error-business-hour-not-found', 'Business hour not found');
}

/** Business-hour schedules (API.md §13) and whether a department is open now. */
@Injectable()
export class BusinessHoursService implements OnModuleInit, OnModuleDestroy {
  private readonly rules = new RefreshingValue(() => this.loadRules(), RULES_TTL_MS);
  private readonly statuses = new OpenStatusCache();
  private unsubscribe?: () => void;
  private unsubscribeSchedulesLeft?: () => void;

  constructor(
    private readonly businessHours: BusinessHoursRepository,
    private readonly departments: DepartmentsService,
    private readonly settings: SettingsService,
    private readonly events: LivechatEvents,
    private readonly leases: WriteLeases,
    private readonly meDetails: MeDetails,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    // Rocket.Chat shows an agent's open schedules on the user (`openBusinessHours`).
    this.unsubscribeSchedulesLeft = this.events.onSchedulesLeft((ids) => this.departmentsLeft(ids));
    this.meDetails.add(async (user) =>
      user.roles.includes(AGENT_ROLE) ? { openBusinessHours: (await this.agentHours(user._id)).open } : {},
    );
    this.unsubscribe = this.settings.onChange((id) => {
      if (BUSINESS_HOUR_SETTINGS.includes(id)) this.rules.invalidate();
    });
    await this.ensureDefault();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.unsubscribeSchedulesLeft?.();
  }

  /** Rocket.Chat creates the default schedule when missing; here: every day 00:00–23:59 UTC. */
  private async ensureDefault(): Promise<void> {
    if (await this.businessHours.findOne({ type: 'default' }, { _id: 1 })) return;
    const now = this.clock();
    const days = WEEK_DAYS.map((day) => ({ day, open: true, start: '00:00', finish: '23:59' }));
    await this.businessHours.insertIfMissing(DEFAULT_BUSINESS_HOUR_ID, {
      ...this.document({ name: '', active: true, type: 'default', timezone: 'UTC', days }, now),
      ts: new Date(now),
      _updatedAt: new Date(now),
    });
  }

  // ---- reads -------------------------------------------------------------------------------

  /** A page of schedules, each with its departments (Rocket.Chat EE's list answers them). */
  async list(
    name: string | undefined,
    page: Page,
  ): Promise<{ items: BusinessHourWithDepartments[]; total: number }> {
    const filter: QueryFilter<BusinessHour> = {};
    if (name) filter.name = { $regex: escapeRegExp(name), $options: 'i' };
    const { items, total } = await this.businessHours.page(filter, page);
    return { items: await Promise.all(items.map((doc) => this.withDepartments(doc))), total };
  }

  /** By `_id`, or the default one; with the departments assigned to it. */
  async findOne(query: { _id?: string; type?: string }): Promise<BusinessHourWithDepartments | null> {
    let filter: QueryFilter<BusinessHour>;
    if (query._id !== undefined) filter = { _id: query._id };
    else if (query.type === 'default') filter = { type: 'default' };
    // Rocket.Chat answers `businessHour: null` to any other type.
    else if (query.type !== undefined) return null;
    else throw ApiError.invalidParams('_id is required (or type=default)');
    return this.findBy(filter);
  }

  private async findBy(filter: QueryFilter<BusinessHour>): Promise<BusinessHourWithDepartments> {
    const doc = await this.businessHours.findOne(filter);
    if (!doc) throw notFound();
    return this.withDepartments(doc);
  }

  private async withDepartments(doc: BusinessHour): Promise<BusinessHourWithDepartments> {
    // Schedules are for holders of the business-hour permissions, never unit-bound.
    return {
      ...doc,
      departments: await this.departments.following(doc._id, Scope.unrestricted()),
    };
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * Creates or updates a schedule (`type: 'default'` without `_id` updates the default).
   * With `departmentIds`, exactly those departments follow this custom schedule: each
   * leaves any other custom schedule, and departments dropped from the list go back to
   * the default.
   */
  async save(input: BusinessHourInput, actor: Actor): Promise<BusinessHourWithDepartments> {
    return this.leases.run([SCHEDULES_LEASE], async (fence) => {
      let existing: Pick<BusinessHour, '_id' | 'type'> | null = null;
      if (input._id !== undefined) {
        existing = await this.businessHours.findOne<Pick<BusinessHour, '_id' | 'type'>>(
          { _id: input._id },
          { _id: 1, type: 1 },
        );
        if (!existing) throw notFound();
        if (existing.type !== input.type) {
          throw ApiError.invalidParams(`type cannot change (this schedule is ${existing.type})`);
        }
      } else if (input.type === 'default') {
        existing = await this.businessHours.findOne<Pick<BusinessHour, '_id' | 'type'>>(
          { type: 'default' },
          { _id: 1, type: 1 },
        );
      }
      if (input.departmentIds?.length) await this.assertDepartmentsExist(input.departmentIds);

      const now = this.clock();
      const fields = { ...this.document(input, now), _updatedAt: new Date(now) };
      let id: string;
      await fence.check();
      const epoch = fence.epochOf(SCHEDULES_LEASE);
      if (existing) {
        id = existing._id;
        // Refused: a later writer's, or deleted meanwhile.
        if (!(await this.businessHours.update(id, fields, epoch))) throw databaseUnavailable();
      } else {
        id = randomId();
        await this.businessHours.insert({ _id: id, ...fields, ts: new Date(now) } as BusinessHour, epoch);
      }
      if (input.type === 'custom' && input.departmentIds !== undefined) {
        await this.assignDepartments(id, input.departmentIds, actor);
      }
      await this.changed();
      return this.findBy({ _id: id });
    });
  }

  /** Deletes a custom schedule; its departments go back to the default. */
  async remove(id: string, actor: Actor): Promise<void> {
    await this.leases.run([SCHEDULES_LEASE], async (fence) => {
      const doc = await this.businessHours.findOne<Pick<BusinessHour, '_id' | 'type'>>(
        { _id: id },
        { _id: 1, type: 1 },
      );
      if (!doc) throw notFound();
      if (doc.type === 'default') {
        throw ApiError.badRequest(
          'error-business-hour-default',
          'The default business hour cannot be removed',
        );
      }
      // Departments first: a crash in between leaves a schedule nobody follows, never a
      // department following a missing schedule. Names are read first for their history.
      const names = await this.scheduleNames();
      const following = await this.departmentIdsFollowing(id);
      if (following.length) {
        await this.departments.setBusinessHour(following, undefined, actor, names);
      }
      await fence.check();
      await this.businessHours.delete(id, fence.epochOf(SCHEDULES_LEASE));
      await this.changed();
    });
  }

  /**
   * Departments stopped following these schedules (archived, disabled, deleted): a custom
   * schedule that no department follows any more is deactivated, as Rocket.Chat EE does.
   */
  private async departmentsLeft(ids: string[]): Promise<void> {
    await this.leases.run([SCHEDULES_LEASE], async (fence) => {
      const orphans: string[] = [];
      for (const id of ids) {
        if ((await this.departments.following(id, Scope.unrestricted())).length === 0) orphans.push(id);
      }
      if (orphans.length === 0) return;
      await fence.check();
      await this.businessHours.deactivateCustom(
        orphans,
        new Date(this.clock()),
        fence.epochOf(SCHEDULES_LEASE),
      );
      await this.changed();
    });
  }

  private async assignDepartments(id: string, wanted: string[], actor: Actor): Promise<void> {
    const current = await this.departmentIdsFollowing(id);
    const wantedSet = new Set(wanted);
    const currentSet = new Set(current);
    const leaving = current.filter((departmentId) => !wantedSet.has(departmentId));
    const joining = wanted.filter((departmentId) => !currentSet.has(departmentId));
    if (leaving.length === 0 && joining.length === 0) return;
    const names = await this.scheduleNames();
    if (leaving.length) await this.departments.setBusinessHour(leaving, undefined, actor, names);
    if (joining.length) await this.departments.setBusinessHour(joining, id, actor, names);
  }

  /** Every schedule's name by id (there are few), for the departments' history. */
  private async scheduleNames(): Promise<Map<string, string>> {
    const schedules = await this.businessHours.find<Pick<BusinessHour, '_id' | 'name'>>(
      {},
      { _id: 1, name: 1 },
    );
    return new Map(schedules.map((schedule) => [schedule._id, schedule.name]));
  }

  private async departmentIdsFollowing(id: string): Promise<string[]> {
    return (await this.departments.following(id, Scope.unrestricted())).map(
      (department) => department._id,
    );
  }

  private async assertDepartmentsExist(ids: string[]): Promise<void> {
    const found = new Set(
      (await this.departments.listByIds(ids, { _id: 1 }, Scope.unrestricted())).map(
        (department) => department._id,
      ),
    );
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) {
      throw ApiError.badRequest('error-department-not-found', 'Department not found', {
        departmentIds: missing,
      });
    }
  }

  private async changed(): Promise<void> {
    this.rules.invalidate();
    await this.events.businessHoursChanged();
  }

  /** The stored fields of a schedule, with Rocket.Chat's derived `utc`/`cron` parts. */
  private document(
    input: Pick<BusinessHourInput, 'name' | 'active' | 'type' | 'timezone' | 'days'>,
    now: number,
  ): Omit<BusinessHour, '_id' | 'ts' | '_updatedAt'> {
    const serverOffset = -new Date(now).getTimezoneOffset();
    const workHours: StoredWorkHour[] = input.days.map((hours) => ({
      day: hours.day,
      start: deriveTime(hours.day, hours.start, input.timezone, now, serverOffset),
      finish: deriveTime(hours.day, hours.finish, input.timezone, now, serverOffset),
      open: hours.open,
      code: WEEK_DAYS.indexOf(hours.day as (typeof WEEK_DAYS)[number]) + 1,
    }));
    return {
      name: input.name,
      active: input.active,
      type: input.type,
      timezone: { name: input.timezone, utc: formatOffset(offsetMinutes(input.timezone, now)) },
      workHours,
    };
  }

  // ---- open now ----------------------------------------------------------------------------

  /** The settings and active schedules, read now (for caches with their own freshness bound). */
  async loadRules(): Promise<BusinessHourRules & { defaultId?: string }> {
    const [values, docs] = await Promise.all([
      this.settings.readFresh(BUSINESS_HOUR_SETTINGS),
      this.businessHours.find({ active: true }, { _id: 1, type: 1, timezone: 1, workHours: 1 }),
    ]);
    const defaultDoc = docs.find((doc) => doc.type === 'default');
    return {
      defaultId: defaultDoc?._id,
      enabled: values.get(SETTING_BUSINESS_HOURS_ENABLED) === true,
      multiple: values.get(SETTING_BUSINESS_HOUR_TYPE) === 'Multiple',
      defaultSchedule: defaultDoc ? scheduleOf(defaultDoc) : undefined,
      custom: new Map(
        docs.filter((doc) => doc.type === 'custom').map((doc) => [doc._id, scheduleOf(doc)]),
      ),
    };
  }

  /** Whether a department following `businessHourId` (absent: the default) is open now. */
  async isOpen(businessHourId: string | undefined): Promise<boolean> {
    const schedule = scheduleFor(await this.rules.get(), businessHourId);
    return this.statuses.status(schedule, this.clock()).open;
  }

  /**
   * What an agent's business hours say now (Rocket.Chat EE). An agent follows the
   * schedules of its enabled departments (`Multiple`: a department's custom one, else the
   * default), or the default when it has none. `open`: the ids of those active schedules
   * open now (Rocket.Chat's `openBusinessHours`). `closed`: business hours are enabled and
   * none of them is open, so the agent may not be available.
   */
  async agentHours(agentId: string): Promise<{ open: string[]; closed: boolean }> {
    const rules = await this.rules.get();
    // The agent's own schedules, from all its departments (the service's reckoning).
    const everything = Scope.unrestricted();
    const assignments = await this.departments.departmentsOfAgent(agentId, true, everything);
    const departments = await this.departments.listByIds(
      assignments.map((assignment) => assignment.departmentId),
      { _id: 1, businessHourId: 1 },
      everything,
    );
    const followed = departments.length
      ? departments.map((department) =>
          rules.multiple && department.businessHourId && rules.custom.has(department.businessHourId)
            ? department.businessHourId
            : undefined,
        )
      : [undefined];
    const now = this.clock();
    const isOpen = (id: string | undefined) =>
      this.statuses.status(scheduleFor(rules, id), now).open;
    const open = new Set<string>();
    for (const id of followed) {
      // Only active schedules are in `rules`; an inactive default lists nothing.
      const schedule = id === undefined ? rules.defaultSchedule : rules.custom.get(id);
      const scheduleId = id ?? rules.defaultId;
      if (schedule && scheduleId && this.statuses.status(schedule, now).open) open.add(scheduleId);
    }
    return { open: [...open], closed: rules.enabled && !followed.some(isOpen) };
  }
}
