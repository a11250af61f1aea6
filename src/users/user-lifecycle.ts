import { Injectable } from '@nestjs/common';
import type { Actor } from '../auth/caller';

/** The user a lifecycle step is about, as it was before the step. */
export interface UserInLifecycle {
  _id: string;
  username: string;
  roles: string[];
}

/**
 * What other features do when a user goes away or is deactivated. `users` knows nothing of
 * departments or units: the livechat module registers a handler here, so an agent's
 * assignments go through the livechat write path, not through this module.
 */
export interface UserLifecycleHandler {
  /** Before the user document is removed; a failure stops the delete (it can be retried). */
  beforeDelete(user: UserInLifecycle, actor: Actor): Promise<void>;
  /** After the user was set inactive and its login tokens removed. */
  afterDeactivate(user: UserInLifecycle, actor: Actor): Promise<void>;
}

@Injectable()
export class UserLifecycle {
  private readonly handlers: UserLifecycleHandler[] = [];

  register(handler: UserLifecycleHandler): void {
    this.handlers.push(handler);
  }

  async beforeDelete(user: UserInLifecycle, actor: Actor): Promise<void> {
    for (const handler of this.handlers) await handler.beforeDelete(user, actor);
  }

  async afterDeactivate(user: UserInLifecycle, actor: Actor): Promise<void> {
    for (const handler of this.handlers) await handler.afterDeactivate(user, actor);
  }
}
