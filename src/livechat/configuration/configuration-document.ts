// The configuration document (export, plan, apply): its shape, its validation and its
// version. Objects are keyed by name, not id, so that a document reads well in a code
// review and applies to another database; keys are written in sorted order.
import { createHash } from 'node:crypto';
import { ApiError } from '../../common/api-error';

export const CONFIGURATION_FORMAT = 'omnichannel-departments/configuration';
export const CONFIGURATION_VERSION = 1;

export interface AgentConfig {
  count: number;
  order: number;
}

/** A department as configured; every field is written (null: not set). */
export interface DepartmentConfig {
  email: string;
  enabled: boolean;
  archived: boolean;
  showOnRegistration: boolean;
  showOnOfflineForm: boolean;
  description: string | null;
  requestTagBeforeClosingChat: boolean | null;
  chatClosingTags: string[] | null;
  /** Names of departments. */
  fallbackForwardDepartment: string | null;
  departmentsAllowedToForward: string[];
  allowReceiveForwardOffline: boolean | null;
  offlineMessageChannelName: string | null;
  abandonedRoomsCloseCustomMessage: string | null;
  waitingQueueMessage: string | null;
  maxNumberSimultaneousChat: number | null;
  visitorInactivityTimeoutInSeconds: number | null;
  /** By username. */
  agents: Record<string, AgentConfig>;
}

/** The department fields that are plain values (not names of other objects, not agents). */
export const DEPARTMENT_VALUE_FIELDS = [
  'email',
  'enabled',
  'archived',
  'showOnRegistration',
  'showOnOfflineForm',
  'description',
  'requestTagBeforeClosingChat',
  'chatClosingTags',
  'allowReceiveForwardOffline',
  'offlineMessageChannelName',
  'abandonedRoomsCloseCustomMessage',
  'waitingQueueMessage',
  'maxNumberSimultaneousChat',
  'visitorInactivityTimeoutInSeconds',
] as const;
export const DEPARTMENT_REFERENCE_FIELDS = [
  'fallbackForwardDepartment',
  'departmentsAllowedToForward',
] as const;

export interface UnitConfig {
  visibility: 'public' | 'private';
  /** Usernames. */
  monitors: string[];
  /** Department names. */
  departments: string[];
}

export interface DayConfig {
  open: boolean;
  start: string;
  finish: string;
}

export interface ScheduleConfig {
  active: boolean;
  timezone: string;
  /** By day name (Monday … Sunday); a day not listed is closed. */
  workHours: Record<string, DayConfig>;
}

export interface CustomScheduleConfig extends ScheduleConfig {
  /** Names of the departments that follow it (every other one follows the default). */
  departments: string[];
}

export interface BusinessHoursConfig {
  default?: ScheduleConfig;
  custom: Record<string, CustomScheduleConfig>;
}

/**
 * The whole document. A section left out is not managed by the document: plan and apply
 * leave it as it is (an export leaves out what the caller may not see).
 */
export interface ConfigurationDocument {
  format: typeof CONFIGURATION_FORMAT;
  version: typeof CONFIGURATION_VERSION;
  departments?: Record<string, DepartmentConfig>;
  units?: Record<string, UnitConfig>;
  businessHours?: BusinessHoursConfig;
  settings?: Record<string, unknown>;
}

/**
 * An object keyed by names from a document (or the database): without a prototype, so that a
 * name like `constructor` or `__proto__` is just a name.
 */
export function byName<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) record[key] = value;
  return record;
}

/** JSON with object keys in sorted order (arrays keep theirs): one text per configuration. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** The opaque version of a configuration: a hash of its canonical text. */
export function versionOf(document: ConfigurationDocument): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex').slice(0, 32);
}

// ---- validation ----------------------------------------------------------------------------
// The shape is checked here (a wrong shape is `invalid-params`, the whole request refused);
// what depends on the live data (unknown agents, missing references) is a refusal of the plan.

const MAX_OBJECTS = 5000;
const MAX_AGENTS = 1000;
const WEEK_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

type Json = Record<string, unknown>;

class Checker {
  constructor(private readonly path: string) {}

  fail(what: string): never {
    throw ApiError.invalidParams(`${this.path} ${what}`);
  }

  at(key: string): Checker {
    return new Checker(
      /^[A-Za-z_]\w*$/.test(key) ? `${this.path}.${key}` : `${this.path}[${JSON.stringify(key)}]`,
    );
  }

  object(value: unknown, keys?: readonly string[]): Json {
    if (!value || typeof value !== 'object' || Array.isArray(value)) this.fail('must be an object');
    if (keys) {
      const unknown = Object.keys(value).find((key) => !keys.includes(key));
      if (unknown !== undefined) this.at(unknown).fail('is not a known field');
    }
    return value as Json;
  }

  map(value: unknown, max = MAX_OBJECTS): Json {
    const map = this.object(value);
    const keys = Object.keys(map);
    if (keys.length > max) this.fail(`must hold at most ${max} entries`);
    for (const key of keys) {
      if (!/\S/.test(key) || key.length > 256) {
        this.fail('keys must be non-empty names of at most 256 characters');
      }
    }
    return map;
  }

  boolean(value: unknown, nullable = false): void {
    if (nullable && value === null) return;
    if (typeof value !== 'boolean') this.fail('must be a boolean');
  }

  string(value: unknown, max: number, nullable = false): void {
    if (nullable && value === null) return;
    if (typeof value !== 'string' || value.length > max) {
      this.fail(`must be a string of at most ${max} characters`);
    }
  }

  integer(value: unknown, nullable = false): void {
    if (nullable && value === null) return;
    if (!Number.isInteger(value) || (value as number) < 0) this.fail('must be an integer ≥ 0');
  }

  strings(value: unknown, max: number, nullable = false): void {
    if (nullable && value === null) return;
    if (
      !Array.isArray(value) ||
      value.length > max ||
      value.some((item) => typeof item !== 'string' || item.length > 256)
    ) {
      this.fail(`must be an array of at most ${max} strings`);
    }
    if (new Set(value).size !== value.length) this.fail('must not name the same value twice');
  }
}

const DEPARTMENT_KEYS = [...DEPARTMENT_VALUE_FIELDS, ...DEPARTMENT_REFERENCE_FIELDS, 'agents'];

function checkDepartment(check: Checker, value: unknown): void {
  const department = check.object(value, DEPARTMENT_KEYS);
  for (const field of ['email', 'enabled', 'showOnRegistration', 'showOnOfflineForm'] as const) {
    if (department[field] === undefined) check.at(field).fail('is required');
  }
  check.at('email').string(department.email, 254);
  if (!EMAIL.test(department.email as string)) check.at('email').fail('must be an e-mail address');
  for (const field of ['enabled', 'showOnRegistration', 'showOnOfflineForm'] as const) {
    check.at(field).boolean(department[field]);
  }
  const optional = (field: string, test: (c: Checker, v: unknown) => void) => {
    if (department[field] !== undefined) test(check.at(field), department[field]);
  };
  optional('archived', (c, v) => c.boolean(v));
  optional('requestTagBeforeClosingChat', (c, v) => c.boolean(v, true));
  optional('allowReceiveForwardOffline', (c, v) => c.boolean(v, true));
  optional('description', (c, v) => c.string(v, 4096, true));
  optional('offlineMessageChannelName', (c, v) => c.string(v, 256, true));
  optional('abandonedRoomsCloseCustomMessage', (c, v) => c.string(v, 4096, true));
  optional('waitingQueueMessage', (c, v) => c.string(v, 4096, true));
  optional('fallbackForwardDepartment', (c, v) => c.string(v, 256, true));
  optional('maxNumberSimultaneousChat', (c, v) => c.integer(v, true));
  optional('visitorInactivityTimeoutInSeconds', (c, v) => c.integer(v, true));
  optional('chatClosingTags', (c, v) => c.strings(v, 100, true));
  optional('departmentsAllowedToForward', (c, v) => c.strings(v, 1000, true));
  optional('agents', (c, v) => {
    const agents = c.map(v, MAX_AGENTS);
    for (const [username, agent] of Object.entries(agents)) {
      const a = c.at(username);
      const fields = a.object(agent, ['count', 'order']);
      if (fields.count !== undefined) a.at('count').integer(fields.count);
      if (fields.order !== undefined) a.at('order').integer(fields.order);
    }
  });
}

function checkSchedule(check: Checker, value: unknown, custom: boolean): void {
  const keys = ['active', 'timezone', 'workHours', ...(custom ? ['departments'] : [])];
  const schedule = check.object(value, keys);
  check.at('active').boolean(schedule.active);
  check.at('timezone').string(schedule.timezone, 64);
  const days = check.at('workHours').object(schedule.workHours, WEEK_DAYS);
  for (const [day, hours] of Object.entries(days)) {
    const c = check.at('workHours').at(day);
    const fields = c.object(hours, ['open', 'start', 'finish']);
    c.at('open').boolean(fields.open);
    for (const field of ['start', 'finish'] as const) {
      if (typeof fields[field] !== 'string' || !HH_MM.test(fields[field] as string)) {
        c.at(field).fail('must be a time HH:MM');
      }
    }
  }
  if (custom && schedule.departments !== undefined) {
    check.at('departments').strings(schedule.departments, 1000);
  }
}

/**
 * Checks a document's shape and fills in what may be left out (null fields, empty lists),
 * so that the rest of the feature reads one complete shape. Throws 400 invalid-params.
 */
export function parseConfiguration(input: unknown): ConfigurationDocument {
  const check = new Checker('configuration');
  const document = check.object(input, [
    'format',
    'version',
    'departments',
    'units',
    'businessHours',
    'settings',
  ]);
  if (document.format !== CONFIGURATION_FORMAT) {
    check.at('format').fail(`must be "${CONFIGURATION_FORMAT}"`);
  }
  if (document.version !== CONFIGURATION_VERSION) {
    check.at('version').fail(`must be ${CONFIGURATION_VERSION}`);
  }
  const result: ConfigurationDocument = {
    format: CONFIGURATION_FORMAT,
    version: CONFIGURATION_VERSION,
  };
  if (document.departments !== undefined) {
    const departments = check.at('departments').map(document.departments);
    result.departments = byName();
    for (const [name, value] of Object.entries(departments)) {
      checkDepartment(check.at('departments').at(name), value);
      result.departments[name] = completeDepartment(value as Partial<DepartmentConfig>);
    }
  }
  if (document.units !== undefined) {
    const units = check.at('units').map(document.units);
    result.units = byName();
    for (const [name, value] of Object.entries(units)) {
      const c = check.at('units').at(name);
      const unit = c.object(value, ['visibility', 'monitors', 'departments']);
      if (unit.visibility !== 'public' && unit.visibility !== 'private') {
        c.at('visibility').fail('must be "public" or "private"');
      }
      if (unit.monitors !== undefined) c.at('monitors').strings(unit.monitors, 1000);
      if (unit.departments !== undefined) c.at('departments').strings(unit.departments, 1000);
      result.units[name] = {
        visibility: unit.visibility as UnitConfig['visibility'],
        monitors: [...((unit.monitors as string[]) ?? [])].sort(),
        departments: [...((unit.departments as string[]) ?? [])].sort(),
      };
    }
  }
  if (document.businessHours !== undefined) {
    const c = check.at('businessHours');
    const hours = c.object(document.businessHours, ['default', 'custom']);
    result.businessHours = { custom: byName() };
    if (hours.default !== undefined) {
      checkSchedule(c.at('default'), hours.default, false);
      result.businessHours.default = hours.default as ScheduleConfig;
    }
    if (hours.custom !== undefined) {
      for (const [name, value] of Object.entries(c.at('custom').map(hours.custom))) {
        checkSchedule(c.at('custom').at(name), value, true);
        const schedule = value as CustomScheduleConfig;
        result.businessHours.custom[name] = {
          ...schedule,
          departments: [...(schedule.departments ?? [])].sort(),
        };
      }
    }
  }
  if (document.settings !== undefined) {
    result.settings = byName(Object.entries(check.at('settings').map(document.settings, 200)));
  }
  return result;
}

function completeDepartment(value: Partial<DepartmentConfig>): DepartmentConfig {
  const agents = byName<AgentConfig>();
  for (const [username, agent] of Object.entries(value.agents ?? {})) {
    agents[username] = { count: agent.count ?? 0, order: agent.order ?? 0 };
  }
  return {
    email: value.email as string,
    enabled: value.enabled as boolean,
    archived: value.archived ?? false,
    showOnRegistration: value.showOnRegistration as boolean,
    showOnOfflineForm: value.showOnOfflineForm as boolean,
    description: emptyToNull(value.description),
    requestTagBeforeClosingChat: value.requestTagBeforeClosingChat ?? null,
    chatClosingTags: value.chatClosingTags?.length ? value.chatClosingTags : null,
    fallbackForwardDepartment: emptyToNull(value.fallbackForwardDepartment),
    departmentsAllowedToForward: [...(value.departmentsAllowedToForward ?? [])].sort(),
    allowReceiveForwardOffline: value.allowReceiveForwardOffline ?? null,
    offlineMessageChannelName: emptyToNull(value.offlineMessageChannelName),
    abandonedRoomsCloseCustomMessage: emptyToNull(value.abandonedRoomsCloseCustomMessage),
    waitingQueueMessage: emptyToNull(value.waitingQueueMessage),
    maxNumberSimultaneousChat: value.maxNumberSimultaneousChat ?? null,
    visitorInactivityTimeoutInSeconds: value.visitorInactivityTimeoutInSeconds ?? null,
    agents,
  };
}

function emptyToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}
