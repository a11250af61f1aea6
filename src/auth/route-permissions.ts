import { applyDecorators, SetMetadata, Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ApiExtension } from '@nestjs/swagger';
import type { PermissionId } from '../permissions/defaults';
import { IS_PUBLIC } from './auth.decorators';

export const ROUTE_PERMISSIONS = 'auth:routePermissions';

/** OpenAPI extension listing what a route requires (API.md §1). */
export const OPENAPI_PERMISSIONS = 'x-permissions';

/**
 * What a route requires beyond authentication, checked by AuthGuard before any pipe runs, so
 * the order is Rocket.Chat's: 401, 429, 403, then input (400) and business rules.
 * - `anyOf`: one of these permissions; empty means any authenticated user.
 * - `byParam`: the permissions depend on a path parameter (`livechat/users/:type`,
 *   `settings/:_id`); a value not listed takes `otherwise`, or is a 404 without it.
 */
export type PermissionRule =
  | { anyOf: readonly PermissionId[] }
  | {
      byParam: string;
      anyOf: Readonly<Record<string, readonly PermissionId[]>>;
      otherwise?: readonly PermissionId[];
    };

function declare(rule: PermissionRule) {
  return applyDecorators(
    SetMetadata(ROUTE_PERMISSIONS, rule),
    ApiExtension(OPENAPI_PERMISSIONS, 'byParam' in rule ? rule : rule.anyOf),
  );
}

/** The caller needs at least one of these permissions (Rocket.Chat's `hasAny`). */
export const RequirePermissions = (...anyOf: [PermissionId, ...PermissionId[]]) =>
  declare({ anyOf });

/** The permissions depend on a path parameter's value; see PermissionRule. */
export const RequirePermissionsByParam = (
  param: string,
  anyOf: Readonly<Record<string, readonly PermissionId[]>>,
  otherwise?: readonly PermissionId[],
) => declare({ byParam: param, anyOf, otherwise });

/**
 * Any authenticated user may call the route (its answer depends on who asks, e.g. `me`,
 * `logout`, `GET livechat/units`). Declared, so that forgetting a permission is not silent.
 */
export const AnyAuthenticatedUser = () => declare({ anyOf: [] });

/**
 * The permissions a rule asks of a request: a list (any of), or `null` when a `byParam`
 * value is unknown (the route does not exist for it).
 */
export function permissionsFor(
  rule: PermissionRule,
  params: Readonly<Record<string, string | undefined>>,
): readonly PermissionId[] | null {
  if (!('byParam' in rule)) return rule.anyOf;
  const value = params[rule.byParam];
  if (value !== undefined && Object.hasOwn(rule.anyOf, value)) return rule.anyOf[value];
  return rule.otherwise ?? null;
}

/**
 * Every handler of every controller must be public or declare its permissions; the list
 * of those that do neither (empty in a correct app). Run at start-up, so a route that forgot
 * cannot be served.
 */
export function routesWithoutDeclaration(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
): string[] {
  const missing: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as Type | undefined;
    if (!controller) continue;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as (...args: unknown[]) => unknown;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const targets = [handler, controller];
      const declared =
        reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ||
        reflector.getAllAndOverride<PermissionRule>(ROUTE_PERMISSIONS, targets) !== undefined;
      if (!declared) missing.push(`${controller.name}.${name}`);
    }
  }
  return missing;
}
