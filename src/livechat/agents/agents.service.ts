import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/caller';
import { ApiError } from '../../common/api-error';
import { Page } from '../../common/pagination';
import { UsersService } from '../../users/users.service';
import { BusinessHoursService } from '../business-hours/business-hours.service';
import { DepartmentsService } from '../departments/departments.service';
import { LivechatEvents } from '../livechat-events';

export const LIVECHAT_ROLE_TYPES = {
  agent: { role: 'livechat-agent', permission: 'manage-livechat-agents' },
  manager: { role: 'livechat-manager', permission: 'manage-livechat-managers' },
} as const;
export type LivechatRoleType = keyof typeof LIVECHAT_ROLE_TYPES;

/** Livechat roles of users (agent, manager) and the agents' own status. */
@Injectable()
export class AgentsService {
  constructor(
    private readonly users: UsersService,
    private readonly departments: DepartmentsService,
    private readonly businessHours: BusinessHoursService,
    private readonly events: LivechatEvents,
  ) {}

  async addRole(type: LivechatRoleType, username: string) {
    const user = await this.users.addRoleByUsername(username, LIVECHAT_ROLE_TYPES[type].role);
    if (!user) throw invalidUser();
    // A new agent follows the default schedule: not available while it is closed.
    if (type === 'agent' && (await this.businessHours.agentHours(user._id)).closed) {
      await this.users.setLivechatStatus(user._id, 'not-available');
    }
    await this.events.agentsChanged();
    return user;
  }

  list(type: LivechatRoleType, text: string | undefined, page: Page) {
    return this.users.listByRole(LIVECHAT_ROLE_TYPES[type].role, text, page);
  }

  /** Removes the role; an agent also loses every department assignment. */
  async removeRole(type: LivechatRoleType, userId: string, actor: Actor): Promise<void> {
    if (!(await this.users.removeRole(userId, LIVECHAT_ROLE_TYPES[type].role))) throw invalidUser();
    if (type === 'agent') await this.departments.removeAgentEverywhere(userId, actor);
    await this.events.agentsChanged();
  }

  /** Rocket.Chat refuses `available` while the agent's business hours are all closed. */
  async setStatus(userId: string, status: 'available' | 'not-available'): Promise<void> {
    if (status === 'available' && (await this.businessHours.agentHours(userId)).closed) {
      throw ApiError.bareBadRequest('error-business-hours-are-closed');
    }
    if (!(await this.users.setLivechatStatus(userId, status))) throw invalidUser();
    await this.events.agentsChanged();
  }
}

function invalidUser(): ApiError {
  return ApiError.badRequest('error-invalid-user', 'Invalid user');
}
