import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../auth/route-permissions';
import { passwordDigest } from './credentials';
import { CreateUserDto } from './create-user.dto';
import { parseUserSelector, UserAutocompleteQueryDto } from './user-autocomplete.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

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
