import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/caller';
import { ApiError } from '../../common/api-error';
import { Page } from '../../common/pagination';
import { PublicUser, UsersService } from '../../users/users.service';
import { MONITOR_ROLE } from '../scope/scope';
import { UnitsService } from './units.service';

function invalidUser(): ApiError {
  return ApiError.badRequest('error-invalid-user', 'Invalid user');
}

/** Monitors: users with the livechat-monitor role (Rocket.Chat EE). */
@Injectable()
export class MonitorsService {
  constructor(
    private readonly users: UsersService,
    private readonly units: UnitsService,
  ) {}

  list(text: string | undefined, page: Page) {
    return this.users.listByRole(MONITOR_ROLE, text, page);
  }

  /** The monitor with this username, or null. */
  find(username: string): Promise<PublicUser | null> {
    return this.users.findPublicWithRole(username, MONITOR_ROLE);
  }

  async add(username: string): Promise<{ _id: string; username: string }> {
    const user = await this.users.addRoleByUsername(username, MONITOR_ROLE);
    if (!user) throw invalidUser();
    return user;
  }

  /** Takes the role away, then the user's place in every unit. */
  async remove(username: string, actor: Actor): Promise<void> {
    const user = await this.users.removeRoleByUsername(username, MONITOR_ROLE);
    if (!user) throw invalidUser();
    await this.units.dropMonitor(user._id, actor);
  }
}
