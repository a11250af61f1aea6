import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { LivechatVersionDocument } from './livechat-version.schema';

export const LIVECHAT_VERSION_ID = 'livechat';
const DUPLICATE_KEY = 11000;

/** The version of what visitors and department lists see (livechat-version.schema.ts). */
@Injectable()
export class LivechatVersion {
  private readonly logger = new Logger(LivechatVersion.name);
  /** A bump that failed (the write itself had landed): retried before the next read. */
  private owed = false;

  constructor(
    @InjectModel(LivechatVersionDocument.name)
    private readonly versions: Model<LivechatVersionDocument>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Marks a change for the other instances. With local write coordination there are none
   * (this instance's own writes invalidate its answers in memory): nothing to write, which
   * spares every write a round trip. Never throws: the write it follows has landed, so its
   * request must not fail for this; a failed bump is owed and retried before this instance
   * reads `v` again.
   */
  async bump(): Promise<void> {
    if (this.config.writeCoordination === 'local') return;
    try {
      await this.increment();
      this.owed = false;
    } catch (error) {
      this.owed = true;
      this.logger.warn(`livechat version not bumped (retried later): ${String(error)}`);
    }
  }

  /** The current version (0 before the first write ever). */
  async read(): Promise<number> {
    if (this.owed) await this.bump();
    const doc = await this.versions
      .findOne({ _id: LIVECHAT_VERSION_ID }, { _id: 0, v: 1 })
      .lean<Pick<LivechatVersionDocument, 'v'>>();
    return doc?.v ?? 0;
  }

  private async increment(): Promise<void> {
    const bump = () =>
      this.versions.updateOne({ _id: LIVECHAT_VERSION_ID }, { $inc: { v: 1 } }, { upsert: true });
    try {
      await bump();
    } catch (error) {
      // Two first-ever bumps raced to insert the document: the loser's $inc now applies.
      if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
      await bump();
    }
  }
}
