import { ApiError } from '../../common/api-error';
import { parseJsonObject } from '../../common/json-param';
import type { AutocompleteSelector, DepartmentProjection } from './departments.service';

const CONDITION_FIELDS = ['enabled', 'showOnRegistration', 'showOnOfflineForm'] as const;
const PROJECTABLE_FIELDS = new Set([
  '_id',
  'name',
  'email',
  'enabled',
  'showOnRegistration',
  'showOnOfflineForm',
  'description',
  'requestTagBeforeClosingChat',
  'chatClosingTags',
  'fallbackForwardDepartment',
  'departmentsAllowedToForward',
  'allowReceiveForwardOffline',
  'offlineMessageChannelName',
  'abandonedRoomsCloseCustomMessage',
  'waitingQueueMessage',
  'maxNumberSimultaneousChat',
  'visitorInactivityTimeoutInSeconds',
  'numAgents',
  'archived',
  '_updatedAt',
]);
export const MAX_IDS = 100;

/**
 * `selector` of department.autocomplete. Unlike Rocket.Chat, `conditions` may only
 * hold boolean equality on three fields: it is never passed on as a raw filter.
 */
export function parseAutocompleteSelector(raw: unknown): AutocompleteSelector {
  if (raw === undefined || raw === '')
    throw ApiError.invalidParams("The 'selector' param is required");
  const { term, exceptions, conditions, ...rest } = parseJsonObject(raw, 'selector');
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined)
    throw ApiError.invalidParams(`selector.${unknownKey} is not allowed`);
  const selector: AutocompleteSelector = {};
  if (term !== undefined) {
    if (typeof term !== 'string' || term.length > 256) {
      throw ApiError.invalidParams('selector.term must be a string of at most 256 characters');
    }
    selector.term = term;
  }
  if (exceptions !== undefined) {
    if (
      !Array.isArray(exceptions) ||
      exceptions.length > 1000 ||
      !exceptions.every((id) => typeof id === 'string')
    ) {
      throw ApiError.invalidParams('selector.exceptions must be an array of department ids');
    }
    selector.exceptions = exceptions as string[];
  }
  if (conditions !== undefined) {
    if (conditions === null || typeof conditions !== 'object' || Array.isArray(conditions)) {
      throw ApiError.invalidParams('selector.conditions must be an object');
    }
    selector.conditions = {};
    for (const [field, value] of Object.entries(conditions)) {
      if (!(CONDITION_FIELDS as readonly string[]).includes(field) || typeof value !== 'boolean') {
        throw ApiError.invalidParams(
          `selector.conditions may only hold boolean values of ${CONDITION_FIELDS.join(', ')}`,
        );
      }
      selector.conditions[field as (typeof CONDITION_FIELDS)[number]] = value;
    }
  }
  return selector;
}

/** `ids` of department.listByIds: `ids[]=a&ids[]=b` or repeated `ids=`, at most 100. */
export function parseIds(raw: unknown): string[] {
  if (raw === undefined) throw ApiError.invalidParams("The 'ids' param is required");
  if (!Array.isArray(raw)) throw ApiError.invalidParams("The 'ids' param must be an array");
  if (raw.length > MAX_IDS)
    throw ApiError.invalidParams(`The 'ids' param must hold at most ${MAX_IDS} ids`);
  if (!raw.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 64)) {
    throw ApiError.invalidParams("The 'ids' param must hold department ids");
  }
  return raw as string[];
}

/** `fields` of department.listByIds: a JSON projection of 0/1 over department fields. */
export function parseProjection(raw: unknown): DepartmentProjection | undefined {
  if (raw === undefined) return undefined;
  const fields = parseJsonObject(raw, 'fields');
  const entries = Object.entries(fields);
  if (
    entries.some(([field, value]) => !PROJECTABLE_FIELDS.has(field) || (value !== 0 && value !== 1))
  ) {
    throw ApiError.invalidParams("The 'fields' param must map department fields to 0 or 1");
  }
  // MongoDB refuses to mix inclusion and exclusion (except for _id).
  const modes = new Set(entries.filter(([field]) => field !== '_id').map(([, value]) => value));
  if (modes.size > 1) {
    throw ApiError.invalidParams("The 'fields' param cannot mix 0 and 1 (except for _id)");
  }
  return entries.length ? (fields as DepartmentProjection) : undefined;
}
