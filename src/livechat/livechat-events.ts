import { Injectable } from '@nestjs/common';

export type LivechatChange = 'departments' | 'agents' | 'business-hours';
export type LivechatListener = (change: LivechatChange) => void | Promise<void>;

/**
 * In-process signal: "what visitors see may have changed". Writers await it right after
 * a write on this instance, before they answer, so caches derived from departments, agents
 * and schedules (the widget's answer) are rebuilt before the next read, and other instances
 * are told through the database (the widget's version) before the write is acknowledged.
 * Listeners handle their own failures: the write has landed.
 */
/** Called with the custom schedules that departments just stopped following. */
export type SchedulesLeftListener = (businessHourIds: string[]) => Promise<void>;

@Injectable()
export class LivechatEvents {
  private readonly listeners = new Set<LivechatListener>();
  private readonly schedulesLeftListeners = new Set<SchedulesLeftListener>();

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
    await Promise.all([...this.schedulesLeftListeners].map((listener) => listener(businessHourIds)));
  }

  private async emit(change: LivechatChange): Promise<void> {
    await Promise.all([...this.listeners].map((listener) => listener(change)));
  }
}
