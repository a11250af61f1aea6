import { Module } from '@nestjs/common';
import { RateLimiter } from '../common/rate-limiter';
import { SettingsModule } from '../settings/settings.module';
import { VisitorWidget } from './visitor-widget';
import { VisitorWidgetController } from './visitor-widget.controller';

/** Rocket.Chat's Live Chat widget at /livechat, and the browser-facing origin rules. */
@Module({
  imports: [SettingsModule],
  controllers: [VisitorWidgetController],
  // The origin check's per-IP counters (each module keeps its own, as auth and livechat do).
  providers: [VisitorWidget, RateLimiter],
  exports: [VisitorWidget],
})
export class VisitorWidgetModule {}
