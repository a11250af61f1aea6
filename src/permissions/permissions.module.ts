import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Permission, PermissionSchema, Setting, SettingSchema } from './permission.schema';
import { PermissionsController } from './permissions.controller';
import { PermissionsService } from './permissions.service';
import { SettingsService } from './settings.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Permission.name, schema: PermissionSchema },
      { name: Setting.name, schema: SettingSchema },
    ]),
  ],
  controllers: [PermissionsController],
  providers: [PermissionsService, SettingsService],
  exports: [PermissionsService, SettingsService],
})
export class PermissionsModule {}
