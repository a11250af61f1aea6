import { Logger } from '@nestjs/common';

/** How many origins are remembered (the least recently seen are dropped). */
export const MAX_REFUSED_ORIGINS = 50;
const MAX_ORIGIN_LENGTH = 300;

export interface RefusedOrigin {
  origin: string;
  count: number;
  lastSeenAt: Date;
}

/**
 * The origins this instance refused the widget to (not in `Livechat_AllowedDomainsList`),
 * kept in memory so a site owner can tell why a page shows no widget: each origin is logged
 * once, and listed with how often and when it was last refused.
 */
export class RefusedOrigins {
  private readonly logger = new Logger('VisitorWidget');
  /** Insertion order is recency order: a seen origin is moved to the end. */
  private readonly origins = new Map<string, RefusedOrigin>();

  record(origin: string, what: string): void {
    const key = origin.slice(0, MAX_ORIGIN_LENGTH);
    const known = this.origins.get(key);
    this.origins.delete(key);
    if (!known) {
      this.logger.warn(
        `The widget was refused to ${JSON.stringify(key)} (${what}): that origin is not in Livechat_AllowedDomainsList`,
      );
    }
    this.origins.set(key, { origin: key, count: (known?.count ?? 0) + 1, lastSeenAt: new Date() });
    if (this.origins.size > MAX_REFUSED_ORIGINS) {
      this.origins.delete(this.origins.keys().next().value as string);
    }
  }

  /** The most recently refused first. */
  list(): RefusedOrigin[] {
    return [...this.origins.values()].reverse().map((entry) => ({ ...entry }));
  }

  /** The allowed list changed: what was refused may be allowed now (logged again if not). */
  clear(): void {
    this.origins.clear();
  }
}
