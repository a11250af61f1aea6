import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { WIDGET_SETTINGS } from '../../settings/setting-definitions';
import { SettingsService } from '../../settings/settings.service';
import { UsersService } from '../../users/users.service';
import {
  BUSINESS_HOUR_SETTINGS,
  BusinessHoursService,
} from '../business-hours/business-hours.service';
import { CLOCK, Clock } from '../business-hours/clock';
import { OpenStatusCache, ScheduleHours, scheduleFor } from '../business-hours/open-now';
import { DepartmentAgent } from '../departments/schemas/department-agent.schema';
import { Department } from '../departments/schemas/department.schema';
import { LivechatEvents } from '../livechat-events';
import { UnitsRepository } from '../units/units.repository';
import { AssignmentsRepository } from '../departments/assignments.repository';
import { DepartmentsRepository } from '../departments/departments.repository';
import { Scope } from '../scope/scope';
import { ApiError } from '../../common/api-error';

/** Other instances' changes reach this one's answer within this period (the contract says 5 s). */
export const WIDGET_POLL_MS = 3_000;

/** One ready-to-send answer: its JSON text and the ETag of that text. */
export interface WidgetAnswer {
  readonly body: string;
  readonly etag: string;
}

/** What the widget is told about a department: exactly these four fields (Rocket.Chat's). */
export interface WidgetDepartment {
  _id: string;
  name: string;
  showOnRegistration: boolean;
  showOnOfflineForm: boolean;
}

type ListedDepartment = Pick<
  Department,
  '_id' | 'name' | 'showOnRegistration' | 'showOnOfflineForm' | 'businessHourId' | 'parentId'
>;

/** The answers for one unit's departments (`?businessUnit=`), derived on first use. */
interface UnitAnswers {
  readonly online: WidgetAnswer;
  readonly offline: WidgetAnswer;
  readonly staffedSchedules: readonly (ScheduleHours | undefined)[];
}

/** Everything an answer depends on, loaded at once; answers are derived from it in memory. */
interface Snapshot {
  /** The invalidation generation this snapshot was loaded for. */
  readonly generation: number;
  readonly disabled?: WidgetAnswer;
  readonly online: WidgetAnswer;
  readonly offline: WidgetAnswer;
  /** Listed departments that have an available agent → the schedule each follows (undefined: always open). */
  readonly staffed: ReadonlyMap<string, ScheduleHours | undefined>;
  /** The distinct schedules of the staffed departments. */
  readonly staffedSchedules: readonly (ScheduleHours | undefined)[];
  /** `online` without `?department`, valid for [from, until). */
  overall?: { online: boolean; from: number; until: number };
  /** Every unit id, the listed departments and how to render an answer for some of them. */
  readonly units: ReadonlySet<string>;
  readonly listed: readonly ListedDepartment[];
  readonly render: (departments: readonly ListedDepartment[], online: boolean) => WidgetAnswer;
  readonly byUnit: Map<string, UnitAnswers>;
}

const SETTING_IDS: readonly string[] = Object.values(WIDGET_SETTINGS);

function answerOf(payload: unknown): WidgetAnswer {
  const body = JSON.stringify(payload);
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  return { body, etag };
}

/**
 * `GET livechat/config`, the busiest endpoint: answers are precomputed JSON texts held
 * in memory. Writes on this instance (LivechatEvents, settings) invalidate them, so the
 * next request waits for a rebuild; with MONGO_URL a timer rebuilds every WIDGET_POLL_MS
 * in the background to pick up other instances' writes (requests keep the previous answer
 * meanwhile). No request ever reads the database unless this instance just changed.
 * `online` also depends on the time (business hours): each schedule's open/closed state
 * is kept until its next opening or closing instant, then recomputed.
 */
@Injectable()
export class WidgetService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WidgetService.name);
  private generation = 0;
  private snapshot?: Snapshot;
  private building?: { generation: number; promise: Promise<Snapshot> };
  private poller?: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly statuses = new OpenStatusCache();

  constructor(
    private readonly departments: DepartmentsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly units: UnitsRepository,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
    private readonly events: LivechatEvents,
    private readonly businessHours: BusinessHoursService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.events.onChange(() => this.invalidate()),
      this.settings.onChange((id) => {
        if (SETTING_IDS.includes(id) || BUSINESS_HOUR_SETTINGS.includes(id)) this.invalidate();
      }),
    );
    // Only other instances' writes need polling for; the embedded database has one instance
    // (DATA_DIR is locked), and its every write on this one invalidates the answer.
    if (this.config.mongoUrl) {
      this.poller = setInterval(() => this.refreshInBackground(), WIDGET_POLL_MS).unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.poller);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  /**
   * The answer for the whole widget, or for one department (`online` for it alone); with
   * `unitId`, only that unit's departments are offered (400 for an unknown unit). With
   * `offlineOnly` (the widget served here, which has no chat server to start a chat on),
   * always the offline answer.
   */
  async answer(
    departmentId: string | undefined,
    unitId?: string,
    offlineOnly = false,
  ): Promise<WidgetAnswer> {
    const snapshot = await this.current();
    if (snapshot.disabled) return snapshot.disabled;
    const now = this.clock();
    const unit = unitId === undefined ? undefined : this.unitAnswers(snapshot, unitId);
    if (offlineOnly) return (unit ?? snapshot).offline;
    let online: boolean;
    if (departmentId !== undefined) {
      online =
        snapshot.staffed.has(departmentId) &&
        this.statuses.status(snapshot.staffed.get(departmentId), now).open;
    } else if (unit) {
      online = unit.staffedSchedules.some((schedule) => this.statuses.status(schedule, now).open);
    } else {
      online = this.onlineOverall(snapshot, now);
    }
    const answers = unit ?? snapshot;
    return online ? answers.online : answers.offline;
  }

  private unitAnswers(snapshot: Snapshot, unitId: string): UnitAnswers {
    if (!snapshot.units.has(unitId)) {
      // Rocket.Chat's words, which its widget shows.
      throw ApiError.badRequest(
        'error-unit-not-found',
        `Error! No Active Business Unit found with id: ${unitId}`,
      );
    }
    let answers = snapshot.byUnit.get(unitId);
    if (!answers) {
      const listed = snapshot.listed.filter((department) => department.parentId === unitId);
      const staffed = listed.filter((department) => snapshot.staffed.has(department._id));
      answers = {
        online: snapshot.render(listed, true),
        offline: snapshot.render(listed, false),
        staffedSchedules: [...new Set(staffed.map((d) => snapshot.staffed.get(d._id)))],
      };
      snapshot.byUnit.set(unitId, answers);
    }
    return answers;
  }

  /** Some staffed department is open; kept until the earliest change of any of their schedules. */
  private onlineOverall(snapshot: Snapshot, now: number): boolean {
    const cached = snapshot.overall;
    if (cached && now >= cached.from && now < cached.until) return cached.online;
    let online = false;
    let until = Number.POSITIVE_INFINITY;
    for (const schedule of snapshot.staffedSchedules) {
      const status = this.statuses.status(schedule, now);
      online ||= status.open;
      until = Math.min(until, status.until);
    }
    snapshot.overall = { online, from: now, until };
    return online;
  }

  /** This instance changed something the widget shows: the next answer is rebuilt first. */
  invalidate(): void {
    this.generation++;
  }

  private current(): Snapshot | Promise<Snapshot> {
    const snapshot = this.snapshot;
    if (snapshot && snapshot.generation === this.generation) return snapshot;
    return this.build();
  }

  private refreshInBackground(): void {
    if (this.building) return;
    this.build().catch((error: unknown) =>
      this.logger.warn(`widget answer not refreshed: ${String(error)}`),
    );
  }

  /** One load per generation at a time; a load finished for an older generation is not kept. */
  private build(): Promise<Snapshot> {
    const generation = this.generation;
    if (this.building?.generation === generation) return this.building.promise;
    const promise = this.load(generation)
      .then((snapshot) => {
        if (!this.snapshot || generation >= this.snapshot.generation) this.snapshot = snapshot;
        return snapshot;
      })
      .finally(() => {
        if (this.building?.promise === promise) this.building = undefined;
      });
    this.building = { generation, promise };
    return promise;
  }

  private async load(generation: number): Promise<Snapshot> {
    const values = await this.settings.readFresh(SETTING_IDS);
    const flag = (id: string) => values.get(id) === true;
    const text = (id: string) => {
      const value = values.get(id);
      return typeof value === 'string' ? value : '';
    };
    if (!flag(WIDGET_SETTINGS.enabled)) {
      const disabled = answerOf({ config: { enabled: false }, success: true });
      return {
        generation,
        disabled,
        online: disabled,
        offline: disabled,
        staffed: new Map(),
        staffedSchedules: [],
        units: new Set(),
        listed: [],
        render: () => disabled,
        byUnit: new Map(),
      };
    }

    // The public widget's view: every department (the visitor has no scope to keep to).
    const everything = Scope.unrestricted();
    const [listed, assignments, rules, unitIds] = await Promise.all([
      this.departments.find<ListedDepartment>(
        { enabled: true, archived: { $ne: true }, numAgents: { $gt: 0 } },
        everything,
        {
          projection: {
            _id: 1,
            name: 1,
            showOnRegistration: 1,
            showOnOfflineForm: 1,
            businessHourId: 1,
            parentId: 1,
          },
          sort: { name: 1, _id: 1 },
        },
      ),
      this.assignments.find<Pick<DepartmentAgent, 'agentId' | 'departmentId'>>(
        { departmentEnabled: true },
        everything,
        { projection: { _id: 0, agentId: 1, departmentId: 1 } },
      ),
      this.businessHours.loadRules(),
      this.units.ids(everything),
    ]);
    const listedIds = new Set(listed.map((department) => department._id));
    const relevant = assignments.filter((assignment) => listedIds.has(assignment.departmentId));
    const available = await this.users.findAvailableAgentIds([
      ...new Set(relevant.map((assignment) => assignment.agentId)),
    ]);
    const staffedIds = new Set(
      relevant
        .filter((assignment) => available.has(assignment.agentId))
        .map((assignment) => assignment.departmentId),
    );
    const staffed = new Map(
      listed
        .filter((department) => staffedIds.has(department._id))
        .map((department) => [department._id, scheduleFor(rules, department.businessHourId)]),
    );

    const widgetDepartments = (shown: readonly ListedDepartment[]): WidgetDepartment[] =>
      shown.map((department) => ({
        _id: department._id,
        name: department.name,
        showOnRegistration: department.showOnRegistration === true,
        showOnOfflineForm: department.showOnOfflineForm === true,
      }));
    // Rocket.Chat's key names (apps/meteor/app/livechat/server/api/lib/livechat.ts).
    const config = (departments: WidgetDepartment[], online: boolean) => ({
      config: {
        enabled: true,
        settings: {
          registrationForm: flag(WIDGET_SETTINGS.registrationForm),
          nameFieldRegistrationForm: flag(WIDGET_SETTINGS.nameFieldRegistrationForm),
          emailFieldRegistrationForm: flag(WIDGET_SETTINGS.emailFieldRegistrationForm),
          displayOfflineForm: flag(WIDGET_SETTINGS.displayOfflineForm),
        },
        theme: {
          title: text(WIDGET_SETTINGS.title),
          color: text(WIDGET_SETTINGS.titleColor),
          offlineTitle: text(WIDGET_SETTINGS.offlineTitle),
          offlineColor: text(WIDGET_SETTINGS.offlineTitleColor),
        },
        messages: {
          offlineMessage: text(WIDGET_SETTINGS.offlineMessage),
          offlineSuccessMessage: text(WIDGET_SETTINGS.offlineSuccessMessage),
          offlineUnavailableMessage: text(WIDGET_SETTINGS.offlineUnavailableMessage),
        },
        departments,
        online,
      },
      success: true,
    });
    const everyDepartment = widgetDepartments(listed);
    return {
      generation,
      online: answerOf(config(everyDepartment, true)),
      offline: answerOf(config(everyDepartment, false)),
      staffed,
      staffedSchedules: [...new Set(staffed.values())],
      units: new Set(unitIds),
      listed,
      render: (shown, online) => answerOf(config(widgetDepartments(shown), online)),
      byUnit: new Map(),
    };
  }
}
