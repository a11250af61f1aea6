import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
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
import { MetricsService } from '../../health/metrics.service';
import { PreparedAnswer, prepareAnswer } from './prepared-answer';
import { LivechatVersion } from '../livechat-version.repository';
import { SnapshotHolder, type Versioned } from '../versioned-snapshot';

/**
 * An answer is served without reading the database for this long after this instance last
 * read the widget's version; the next request reads it again (one document, by `_id`). So
 * another instance's acknowledged write shows here within this bound (the contract says 5 s).
 */
export const WIDGET_VERSION_TTL_MS = 1_000;

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
  readonly online: PreparedAnswer;
  readonly offline: PreparedAnswer;
  readonly staffedSchedules: readonly (ScheduleHours | undefined)[];
}

/** Everything an answer depends on, loaded at once; answers are derived from it in memory. */
interface Snapshot extends Versioned {
  readonly disabled?: PreparedAnswer;
  readonly online: PreparedAnswer;
  readonly offline: PreparedAnswer;
  /** Listed departments that have an available agent → the schedule each follows (undefined: always open). */
  readonly staffed: ReadonlyMap<string, ScheduleHours | undefined>;
  /** The distinct schedules of the staffed departments. */
  readonly staffedSchedules: readonly (ScheduleHours | undefined)[];
  /** `online` without `?department`, valid for [from, until). */
  overall?: { online: boolean; from: number; until: number };
  /** Every unit id, the listed departments and how to render an answer for some of them. */
  readonly units: ReadonlySet<string>;
  readonly listed: readonly ListedDepartment[];
  readonly render: (
    departments: readonly ListedDepartment[],
    online: boolean,
  ) => Promise<PreparedAnswer>;
  readonly byUnit: Map<string, Promise<UnitAnswers>>;
}

const SETTING_IDS: readonly string[] = Object.values(WIDGET_SETTINGS);

/**
 * `GET livechat/config`, the busiest endpoint: answers are prepared once per change (JSON
 * bytes, gzip, brotli, an ETag each) and held in memory; a request only picks one.
 * - This instance's writes (LivechatEvents, settings) bump the widget version in the
 *   database and invalidate the answer here: the next request waits for a rebuild.
 * - Other instances' writes: with MONGO_URL (several instances possible), a request reads
 *   the version (one document by `_id`) when this instance last did so more than
 *   WIDGET_VERSION_TTL_MS ago, and the answer is rebuilt only when it moved. Nothing is
 *   read or rebuilt while nobody asks, nor while nothing changed.
 * `online` also depends on the time (business hours): each schedule's open/closed state
 * is kept until its next opening or closing instant, then recomputed.
 */
@Injectable()
export class WidgetService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WidgetService.name);
  private generation = 0;
  private readonly snapshots = new SnapshotHolder<Snapshot>();
  /** The highest version seen in the database, and when (performance.now()) it was read. */
  private knownVersion = 0;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking?: Promise<void>;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly statuses = new OpenStatusCache();
  private readonly builds: Counter;
  private readonly versionChecks: Counter;

  constructor(
    private readonly departments: DepartmentsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly units: UnitsRepository,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
    private readonly events: LivechatEvents,
    private readonly businessHours: BusinessHoursService,
    private readonly version: LivechatVersion,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.builds = new Counter({
      name: 'widget_config_builds_total',
      help: "Rebuilds of the widget's answers (GET livechat/config)",
      registers: [metrics.registry],
    });
    this.versionChecks = new Counter({
      name: 'widget_config_version_checks_total',
      help: "Reads of the widget's version to learn of other instances' writes",
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      // The writer's event has bumped the version already.
      this.events.onChange(() => this.invalidate()),
      this.settings.onChange((id) =>
        SETTING_IDS.includes(id) || BUSINESS_HOUR_SETTINGS.includes(id)
          ? this.changed()
          : undefined,
      ),
    );
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  /**
   * A setting the widget shows changed here (awaited before the request answers): other
   * instances learn it from the version, this one rebuilds first.
   */
  private async changed(): Promise<void> {
    await this.version.bump();
    this.invalidate();
  }

  /**
   * Only other instances' writes need the version read; the embedded database started by
   * the service has one instance (DATA_DIR is locked), whose every write invalidates here.
   */
  private get shared(): boolean {
    return Boolean(this.config.mongoUrl);
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
  ): Promise<PreparedAnswer> {
    const snapshot = await this.current();
    if (snapshot.disabled) return snapshot.disabled;
    const now = this.clock();
    const unit = unitId === undefined ? undefined : await this.unitAnswers(snapshot, unitId);
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

  private unitAnswers(snapshot: Snapshot, unitId: string): Promise<UnitAnswers> {
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
      answers = Promise.all([snapshot.render(listed, true), snapshot.render(listed, false)]).then(
        ([online, offline]) => ({
          online,
          offline,
          staffedSchedules: [...new Set(staffed.map((d) => snapshot.staffed.get(d._id)))],
        }),
      );
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
    if (this.shared && performance.now() - this.checkedAt >= WIDGET_VERSION_TTL_MS) {
      return this.checkVersion().then(() => this.current());
    }
    return this.snapshots.fresh(this.generation, this.knownVersion) ?? this.build();
  }

  /**
   * Reads the version once for every request waiting on it. When the database cannot be
   * read, the answer held is served and the read is tried again after the same period.
   */
  private checkVersion(): Promise<void> {
    this.checking ??= this.readVersion()
      .then(
        () => undefined,
        (error: unknown) => {
          this.checkedAt = performance.now();
          this.logger.warn(`widget version not read: ${String(error)}`);
        },
      )
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** The version now, which also counts as a check from the moment the read started. */
  private async readVersion(): Promise<number> {
    const startedAt = performance.now();
    const version = await this.version.read();
    this.versionChecks.inc();
    this.knownVersion = Math.max(this.knownVersion, version);
    this.checkedAt = Math.max(this.checkedAt, startedAt);
    return version;
  }

  /** One load for what is known now (this instance's generation, the version last read). */
  private build(): Promise<Snapshot> {
    const generation = this.generation;
    return this.snapshots.load(generation, this.knownVersion, () => this.load(generation));
  }

  /** The version is read first: a write landing during the load moves it past this snapshot. */
  private async load(generation: number): Promise<Snapshot> {
    const version = this.shared ? await this.readVersion() : 0;
    this.builds.inc();
    const values = await this.settings.readFresh(SETTING_IDS);
    const flag = (id: string) => values.get(id) === true;
    const text = (id: string) => {
      const value = values.get(id);
      return typeof value === 'string' ? value : '';
    };
    if (!flag(WIDGET_SETTINGS.enabled)) {
      const disabled = await prepareAnswer({ config: { enabled: false }, success: true });
      return {
        generation,
        version,
        disabled,
        online: disabled,
        offline: disabled,
        staffed: new Map(),
        staffedSchedules: [],
        units: new Set(),
        listed: [],
        render: () => Promise.resolve(disabled),
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
    const [online, offline] = await Promise.all([
      prepareAnswer(config(everyDepartment, true)),
      prepareAnswer(config(everyDepartment, false)),
    ]);
    return {
      generation,
      version,
      online,
      offline,
      staffed,
      staffedSchedules: [...new Set(staffed.values())],
      units: new Set(unitIds),
      listed,
      render: (shown, online) => prepareAnswer(config(widgetDepartments(shown), online)),
      byUnit: new Map(),
    };
  }
}
