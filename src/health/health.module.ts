import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseCircuitModule } from '../database/database-circuit';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), DatabaseCircuitModule],
  controllers: [HealthController],
})
export class HealthModule {}
