import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { ReadinessDetails } from './readiness-details';

/** The metrics registry and the readiness details, which every feature may add to. */
@Global()
@Module({
  providers: [MetricsService, ReadinessDetails],
  exports: [MetricsService, ReadinessDetails],
})
export class MetricsModule {}
