import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Actor } from '../../auth/caller';
import { UserInLifecycle, UserLifecycle, UserLifecycleHandler } from '../../users/user-lifecycle';
import { MONITOR_ROLE } from '../scope/scope';
import { MonitorsService } from '../units/monitors.service';
import { AgentsService, LIVECHAT_ROLE_TYPES } from './agents.service';

/**
 * What Rocket.Chat does to an omnichannel user who is deleted or deactivated, through the
 * same paths as the livechat endpoints (so department counts and unit counts stay right):
 * - deleted: an agent leaves every department (numAgents recounted), a monitor every unit;
 * - deactivated: an agent becomes not-available, so routing skips it; its assignments stay,
 *   as in Rocket.Chat, and count again once it is reactivated and available.
 */
@Injectable()
export class LivechatUserLifecycle implements OnModuleInit, UserLifecycleHandler {
  constructor(
    private readonly lifecycle: UserLifecycle,
    private readonly agents: AgentsService,
    private readonly monitors: MonitorsService,
  ) {}

  onModuleInit(): void {
    this.lifecycle.register(this);
  }

  async beforeDelete(user: UserInLifecycle, actor: Actor): Promise<void> {
    if (user.roles.includes(LIVECHAT_ROLE_TYPES.agent.role)) {
      await this.agents.removeRole('agent', user._id, actor);
    }
    if (user.roles.includes(MONITOR_ROLE)) await this.monitors.remove(user.username, actor);
  }

  async afterDeactivate(user: UserInLifecycle): Promise<void> {
    if (user.roles.includes(LIVECHAT_ROLE_TYPES.agent.role)) {
      await this.agents.setStatus(user._id, 'not-available');
    }
  }
}
