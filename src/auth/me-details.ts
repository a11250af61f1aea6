import { Injectable } from '@nestjs/common';
import type { PublicUser } from '../users/users.service';

/** Fields of `GET me` that another module computes (the livechat module's `openBusinessHours`). */
export interface MeExtras {
  /** Rocket.Chat EE: the ids of the agent's business-hour schedules open now. */
  openBusinessHours?: string[];
}

type MeExtrasSource = (user: PublicUser) => Promise<MeExtras>;

/**
 * Where modules above auth add their fields to `GET me` (and the login answer's `me`),
 * without auth depending on them.
 */
@Injectable()
export class MeDetails {
  private readonly sources: MeExtrasSource[] = [];

  add(source: MeExtrasSource): void {
    this.sources.push(source);
  }

  async of(user: PublicUser): Promise<MeExtras> {
    const parts = await Promise.all(this.sources.map((source) => source(user)));
    return Object.assign({}, ...parts) as MeExtras;
  }
}
