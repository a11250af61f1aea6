import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { MetricsService } from './metrics.service';

const VERSION: string = (require('../../package.json') as { version: string }).version;

/** Unauthenticated service endpoints: liveness, readiness, info and metrics. */
@ApiTags('service')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongoose: MongooseHealthIndicator,
    private readonly metrics: MetricsService,
  ) {}

  @Get('api/info')
  info() {
    return { version: VERSION };
  }

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** 200 when the database answers a ping within 1.5 s, else 503. */
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.mongoose.pingCheck('database', { timeout: 1_500 })]);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  render() {
    return this.metrics.render();
  }
}
