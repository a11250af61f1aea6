import { Injectable } from '@nestjs/common';
import { LivechatVersion } from './livechat-version.repository';

export type LivechatChange = 'departments' | 'agents' | 'business-hours';
export type LivechatListener = (change: LivechatChange) => void | Promise<void>;

/** Called with the custom schedules that departments just stopped following. */
export type SchedulesLeftListener = (businessHourIds: string[]) => Promise<void>;

/**
 * The signal "departments, agents or schedules changed". Writers await it right after a write,
 * before they answer: it increments the livechat version in the database (so other instances'
 * in-memory answers are rebuilt before they serve another read) and then tells this instance's
 * listeners (the widget's answer, the department catalog), which rebuild before the next read.
 * Listeners handle their own failures: the write has landed.
 */
@Injectable()
export class LivechatEvents {
  private readonly listeners = new Set<LivechatListener>();
  private readonly schedulesLeftListeners = new Set<SchedulesLeftListener>();

  constructor(private readonly version: LivechatVersion) {}

  /** Returns the unsubscribe function. */
  onChange(listener: LivechatListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  departmentsChanged(): Promise<void> {
    return this.emit('departments');
  }

  agentsChanged(): Promise<void> {
    return this.emit('agents');
  }

  businessHoursChanged(): Promise<void> {
    return this.emit('business-hours');
  }

  onSchedulesLeft(listener: SchedulesLeftListener): () => void {
    this.schedulesLeftListeners.add(listener);
    return () => this.schedulesLeftListeners.delete(listener);
  }

  /**
   * Departments stopped following these schedules (archived, disabled or deleted). Awaited by
   * the writer, so the schedules' own consequences are visible when its request answers.
   */
  async schedulesLeft(businessHourIds: string[]): Promise<void> {
    if (businessHourIds.length === 0) return;
    await Promise.all(
      [...this.schedulesLeftListeners].map((listener) => listener(businessHourIds)),
    );
  }

  private async emit(change: LivechatChange): Promise<void> {
    await this.version.bump();
    await Promise.all([...this.listeners].map((listener) => listener(change)));
  }
}
