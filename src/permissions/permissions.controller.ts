import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
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
  async listAll(@Caller() caller: AuthenticatedUser) {
    await this.permissions.assertAny(caller, ['access-permissions']);
    return { update: await this.permissions.listAll(), remove: [] };
  }

  /** Every authenticated user may learn its own permissions: a client offers only what works. */
  @Get('permissions.mine')
  async mine(@Caller() caller: AuthenticatedUser) {
    return { permissions: await this.permissions.effective(caller) };
  }

  @Post('permissions.update')
  @HttpCode(200)
  async update(@Body() body: UpdatePermissionsDto, @Caller() caller: AuthenticatedUser) {
    await this.permissions.assertAny(caller, ['access-permissions']);
    return { permissions: await this.permissions.update(body.permissions) };
  }

  @Get('settings/:_id')
  async getSetting(@Param('_id') id: string, @Caller() caller: AuthenticatedUser) {
    const extraReaders = Object.hasOwn(SETTING_EXTRA_READERS, id) ? SETTING_EXTRA_READERS[id] : [];
    await this.permissions.assertAny(caller, ['edit-privileged-setting', ...extraReaders]);
    return this.settings.get(id);
  }

  @Post('settings/:_id')
  @HttpCode(200)
  async setSetting(
    @Param('_id') id: string,
    @Body() body: SetSettingDto,
    @Caller() caller: AuthenticatedUser,
  ) {
    this.settings.validateValue(id, body.value);
    await this.permissions.assertAny(caller, ['edit-privileged-setting']);
    return this.settings.set(id, body.value);
  }
}
