import { Injectable } from '@nestjs/common';

export type ReadinessReport = () => Promise<Record<string, unknown>>;

/**
 * What features add to `/health/ready`'s details (for example the department journal's
 * parked entries), without the health module knowing the features.
 */
@Injectable()
export class ReadinessDetails {
  private readonly reports = new Map<string, ReadinessReport>();

  register(name: string, report: ReadinessReport): void {
    this.reports.set(name, report);
  }

  entries(): [string, ReadinessReport][] {
    return [...this.reports];
  }
}
