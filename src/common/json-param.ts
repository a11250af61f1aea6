import { ApiError } from './api-error';

/** A query parameter that carries a JSON object (Rocket.Chat's `selector=`, `fields=`). */
export function parseJsonObject(raw: unknown, name: string): Record<string, unknown> {
  if (typeof raw !== 'string')
    throw ApiError.invalidParams(`The '${name}' param must be a JSON string`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw ApiError.invalidParams(`The '${name}' param must be valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ApiError.invalidParams(`The '${name}' param must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
