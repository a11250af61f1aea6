import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Connection } from 'mongoose';
import { Public } from '../auth/auth.decorators';
import { DatabaseCircuit } from '../database/database-circuit';
import { MetricsService } from './metrics.service';
import { ReadinessDetails } from './readiness-details';

const PING_TIMEOUT_MS = 1_500;
const VERSION: string = (require('../../package.json') as { version: string }).version;

/** Unauthenticated service endpoints: liveness, readiness, info and metrics. */
@ApiTags('service')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectConnection() private readonly connection: Connection,
    private readonly metrics: MetricsService,
    private readonly circuit: DatabaseCircuit,
    private readonly details: ReadinessDetails,
  ) {}

  @Get('api/info')
  info() {
    return { version: VERSION };
  }

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /**
   * 200 when the database answers a ping within 1.5 s, else 503 (at once when it is known
   * to be away). Features add details (the department journal); those never fail it.
   */
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.pingDatabase(),
      ...this.details.entries().map(([name, report]) => async () => {
        const indicator = this.indicators.check(name);
        // Details never hold the answer back: unknown while the database is away or slow.
        if (this.circuit.isOpen) return indicator.up({ unknown: true });
        const details = await withTimeout(report(), PING_TIMEOUT_MS).catch(() => ({
          unknown: true,
        }));
        return indicator.up(details);
      }),
    ]);
  }

  /**
   * A real round trip: terminus' Mongoose indicator only reads the connection state,
   * which stays "connected" for seconds after the database has gone.
   */
  private async pingDatabase() {
    const database = this.indicators.check('database');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), PING_TIMEOUT_MS);
    });
    try {
      const db = this.connection.db;
      if (!db || this.circuit.isOpen) return database.down();
      await Promise.race([db.admin().ping(), timeout]);
      return database.up();
    } catch {
      return database.down();
    } finally {
      clearTimeout(timer);
    }
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  render() {
    return this.metrics.render();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
