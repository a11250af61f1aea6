import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import { PermissionsService } from '../permissions/permissions.service';
import { passwordDigest } from './credentials';
import { CreateUserDto } from './create-user.dto';
import { parseUserSelector, UserAutocompleteQueryDto } from './user-autocomplete.dto';
import { AuthenticatedUser, UsersService } from './users.service';

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly permissions: PermissionsService,
  ) {}

  @Post('users.create')
  @HttpCode(200)
  async create(@Body() body: CreateUserDto, @Caller() caller: AuthenticatedUser) {
    await this.permissions.assertAny(caller, ['create-user']);
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

  /**
   * Rocket.Chat's user picker. Unlike Rocket.Chat (any user), only those who hand out
   * livechat roles may list users, and `conditions` is refused.
   */
  @Get('users.autocomplete')
  async autocomplete(
    @Query() query: UserAutocompleteQueryDto,
    @Caller() caller: AuthenticatedUser,
  ) {
    const selector = parseUserSelector(query.selector);
    await this.permissions.assertAny(caller, [
      'manage-livechat-agents',
      'manage-livechat-managers',
    ]);
    return { items: await this.users.autocomplete(selector.term, selector.exceptions) };
  }
}
