import { Module } from '@nestjs/common';
import { PermissionsModule } from '../permissions/permissions.module';
import { VisitorWidget } from './visitor-widget';

/** Rocket.Chat's Live Chat widget at /livechat, and the browser-facing origin rules. */
@Module({
  imports: [PermissionsModule],
  providers: [VisitorWidget],
  exports: [VisitorWidget],
})
export class VisitorWidgetModule {}
