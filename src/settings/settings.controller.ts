import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequirePermissions, RequirePermissionsByParam } from '../auth/route-permissions';
import { SETTING_EXTRA_READERS } from './setting-definitions';
import { SetSettingDto } from './settings.dto';
import { SettingsService } from './settings.service';

@ApiTags('permissions and settings')
@Controller()
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

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
