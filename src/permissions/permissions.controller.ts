import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import { AnyAuthenticatedUser, RequirePermissions } from '../auth/route-permissions';
import type { AuthenticatedUser } from '../auth/caller';
import { UpdatePermissionsDto } from './permissions.dto';
import { PermissionsService } from './permissions.service';

@ApiTags('permissions and settings')
@Controller()
export class PermissionsController {
  constructor(private readonly permissions: PermissionsService) {}

  @Get('permissions.listAll')
  @RequirePermissions('access-permissions')
  async listAll() {
    return { update: await this.permissions.listAll(), remove: [] };
  }

  /** Every authenticated user may learn its own permissions: a client offers only what works. */
  @Get('permissions.mine')
  @AnyAuthenticatedUser()
  async mine(@Caller() caller: AuthenticatedUser) {
    return { permissions: await this.permissions.effective(caller) };
  }

  @Post('permissions.update')
  @HttpCode(200)
  @RequirePermissions('access-permissions')
  async update(@Body() body: UpdatePermissionsDto) {
    return { permissions: await this.permissions.update(body.permissions) };
  }
}
