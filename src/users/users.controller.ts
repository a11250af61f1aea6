import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller, RequestActor } from '../auth/auth.decorators';
import type { Actor, AuthenticatedUser } from '../auth/caller';
import { AnyAuthenticatedUser, RequirePermissions } from '../auth/route-permissions';
import { ApiError } from '../common/api-error';
import { PermissionsService } from '../permissions/permissions.service';
import { passwordDigest } from './credentials';
import { CreateUserDto } from './create-user.dto';
import { parseUserSelector, UserAutocompleteQueryDto } from './user-autocomplete.dto';
import {
  DeleteUserDto,
  SetActiveStatusDto,
  SetUserStatusDto,
  UserParamsDto,
} from './user-status.dto';
import { USER_STATUSES, UsersService, UserStatus } from './users.service';

/** Rocket.Chat's isUserFromParams: no user named, or the caller named. */
function namesCaller(params: UserParamsDto, caller: AuthenticatedUser): boolean {
  return (
    (!params.userId && !params.username && !params.user) ||
    params.userId === caller._id ||
    params.username === caller.username ||
    params.user === caller.username
  );
}

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly permissions: PermissionsService,
  ) {}

  @Post('users.create')
  @HttpCode(200)
  @RequirePermissions('create-user')
  async create(@Body() body: CreateUserDto) {
    const user = await this.users.create({
      username: body.username,
      email: body.email,
      passwordDigest: passwordDigest(body.password),
      name: body.name,
      roles: body.roles,
      active: body.active,
    });
    const { _id, username, name, emails, roles, active } = user;
    return { user: { _id, username, name, emails, roles, active } };
  }

  /** Rocket.Chat's users.delete; an agent's assignments and a monitor's units go too. */
  @Post('users.delete')
  @HttpCode(200)
  @RequirePermissions('delete-user')
  async delete(
    @Body() body: DeleteUserDto,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    await this.users.delete(await this.users.findByParams(body), actor);
    return {};
  }

  /** Rocket.Chat's users.setStatus: one's own presence, or another's with `edit-other-user-info`. */
  @Post('users.setStatus')
  @HttpCode(200)
  @AnyAuthenticatedUser()
  async setStatus(@Body() body: SetUserStatusDto, @Caller() caller: AuthenticatedUser) {
    const status = body.status || undefined;
    if (status === undefined && body.message === undefined) {
      throw ApiError.invalidParams('status or message must be given');
    }
    let userId = caller._id;
    if (!namesCaller(body, caller)) {
      await this.permissions.assertAny(caller, ['edit-other-user-info']);
      userId = (await this.users.findByParams(body))._id;
    }
    if (status !== undefined && !USER_STATUSES.includes(status as UserStatus)) {
      throw ApiError.badRequest(
        'error-invalid-status',
        'Valid status types include online, away, offline, and busy.',
      );
    }
    await this.users.setPresence(userId, { status: status as UserStatus, message: body.message });
    return {};
  }

  /** Rocket.Chat's users.setActiveStatus: a deactivated user loses its login tokens. */
  @Post('users.setActiveStatus')
  @HttpCode(200)
  @RequirePermissions('edit-other-user-active-status')
  async setActiveStatus(
    @Body() body: SetActiveStatusDto,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    const active = await this.users.setActive(body.userId, body.activeStatus, actor);
    return { user: { _id: body.userId, active } };
  }

  /**
   * Rocket.Chat's user picker. Unlike Rocket.Chat (any user), only those who hand out
   * livechat roles may list users, and `conditions` is refused.
   */
  @Get('users.autocomplete')
  @RequirePermissions('manage-livechat-agents', 'manage-livechat-managers')
  async autocomplete(@Query() query: UserAutocompleteQueryDto) {
    const selector = parseUserSelector(query.selector);
    return { items: await this.users.autocomplete(selector.term, selector.exceptions) };
  }
}
