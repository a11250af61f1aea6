import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './health/metrics.module';
import { LivechatModule } from './livechat/livechat.module';
import { PermissionsModule } from './permissions/permissions.module';
import { SettingsModule } from './settings/settings.module';
import { UsersModule } from './users/users.module';
import { VisitorWidgetModule } from './visitor-widget/visitor-widget.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule,
        DatabaseModule,
        PermissionsModule,
        SettingsModule,
        UsersModule,
        AuthModule,
        LivechatModule,
        HealthModule,
        VisitorWidgetModule,
      ],
    };
  }
}
