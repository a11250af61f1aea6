import { Injectable } from '@nestjs/common';

export type LivechatChange = 'departments' | 'agents' | 'business-hours';
export type LivechatListener = (change: LivechatChange) => void;

/**
 * In-process signal: "what visitors see may have changed". Writers call it right after
 * a write on this instance, so caches derived from departments, agents and schedules
 * (the widget's answer) are rebuilt before the next read. Other instances learn of
 * changes by polling, not through this.
 */
@Injectable()
export class LivechatEvents {
  private readonly listeners = new Set<LivechatListener>();

  /** Returns the unsubscribe function. */
  onChange(listener: LivechatListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  departmentsChanged(): void {
    this.emit('departments');
  }

  agentsChanged(): void {
    this.emit('agents');
  }

  businessHoursChanged(): void {
    this.emit('business-hours');
  }

  private emit(change: LivechatChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
