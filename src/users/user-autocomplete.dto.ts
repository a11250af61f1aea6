import { ApiPropertyOptional } from '@nestjs/swagger';
import { ApiError } from '../common/api-error';
import { parseJsonObject } from '../common/json-param';
import { Optional } from '../common/validation';

export class UserAutocompleteQueryDto {
  @ApiPropertyOptional({
    description: 'JSON: { term?: string, exceptions?: string[] (usernames) }',
  })
  @Optional()
  selector?: unknown;
}

export interface UserAutocompleteSelector {
  term: string;
  exceptions: string[];
}

/** `selector` of users.autocomplete: a term and usernames to leave out, nothing else. */
export function parseUserSelector(raw: unknown): UserAutocompleteSelector {
  if (raw === undefined || raw === '')
    throw ApiError.invalidParams("The 'selector' param is required");
  const { term = '', exceptions = [], conditions, ...rest } = parseJsonObject(raw, 'selector');
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined)
    throw ApiError.invalidParams(`selector.${unknownKey} is not allowed`);
  // Rocket.Chat's clients send `conditions: {}` (or []); anything in it is refused, never used.
  const emptyConditions =
    conditions === undefined ||
    (typeof conditions === 'object' && conditions !== null && Object.keys(conditions).length === 0);
  if (!emptyConditions) {
    throw ApiError.invalidParams('selector.conditions is not supported');
  }
  if (typeof term !== 'string' || term.length > 256) {
    throw ApiError.invalidParams('selector.term must be a string of at most 256 characters');
  }
  if (
    !Array.isArray(exceptions) ||
    exceptions.length > 100 ||
    exceptions.some((name) => typeof name !== 'string')
  ) {
    throw ApiError.invalidParams('selector.exceptions must be an array of at most 100 usernames');
  }
  return { term, exceptions: exceptions as string[] };
}
