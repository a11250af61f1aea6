import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimiter } from '../common/rate-limiter';
import { PermissionsModule } from '../permissions/permissions.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { FailedLogins } from './failed-logins';

@Module({
  imports: [UsersModule, PermissionsModule],
  controllers: [AuthController],
  providers: [AuthService, FailedLogins, RateLimiter, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
