import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { RateLimiter } from '../common/rate-limiter';
import { PermissionsModule } from '../permissions/permissions.module';
import { SettingsModule } from '../settings/settings.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { FailedLogins } from './failed-logins';
import { MeDetails } from './me-details';

@Module({
  imports: [UsersModule, PermissionsModule, SettingsModule, DiscoveryModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    FailedLogins,
    RateLimiter,
    MeDetails,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [MeDetails],
})
export class AuthModule {}
