import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseCircuitModule } from '../database/database-circuit';
import { HealthController } from './health.controller';
import { MetricsService } from './metrics.service';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), DatabaseCircuitModule],
  controllers: [HealthController],
  providers: [MetricsService],
})
export class HealthModule {}
