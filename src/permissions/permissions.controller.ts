import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import {
  AnyAuthenticatedUser,
  RequirePermissions,
  RequirePermissionsByParam,
} from '../auth/route-permissions';
import type { AuthenticatedUser } from '../users/users.service';
import { SETTING_EXTRA_READERS } from './defaults';
import { SetSettingDto, UpdatePermissionsDto } from './permissions.dto';
import { PermissionsService } from './permissions.service';
import { SettingsService } from './settings.service';

@ApiTags('permissions and settings')
@Controller()
export class PermissionsController {
  constructor(
    private readonly permissions: PermissionsService,
    private readonly settings: SettingsService,
  ) {}

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

  @Get('settings/:_id')
  @RequirePermissionsByParam(
    '_id',
    Object.fromEntries(
      Object.entries(SETTING_EXTRA_READERS).map(([id, extra]) => [
        id,
        ['edit-privileged-setting', ...extra],
      ]),
    ),
    ['edit-privileged-setting'],
  )
  async getSetting(@Param('_id') id: string) {
    return this.settings.get(id);
  }

  @Post('settings/:_id')
  @HttpCode(200)
  @RequirePermissions('edit-privileged-setting')
  async setSetting(@Param('_id') id: string, @Body() body: SetSettingDto) {
    this.settings.validateValue(id, body.value);
    return this.settings.set(id, body.value);
  }
}
