import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const OFFLINE_MESSAGE_STATUSES = ['pending', 'sent', 'failed'] as const;
export type OfflineMessageStatus = (typeof OFFLINE_MESSAGE_STATUSES)[number];

/**
 * `livechat_offline_messages` (our extension): the outbox. A visitor's message is stored
 * here before the widget gets its 200, then delivered in the background. Everything the
 * mail needs is fixed at acceptance (recipient, Message-ID), so a retry, another instance
 * or a restart sends the same mail.
 */
@Schema({ collection: 'livechat_offline_messages', versionKey: false, minimize: false })
export class OfflineMessage {
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: String, required: true, enum: OFFLINE_MESSAGE_STATUSES })
  status: OfflineMessageStatus;

  /** The visitor, as typed in the form (Reply-To). */
  @Prop({ type: String, required: true })
  name: string;

  @Prop({ type: String, required: true })
  email: string;

  @Prop({ type: String, required: true })
  message: string;

  /** The page the form was sent from, as the widget reports it. */
  @Prop({ type: String })
  host?: string;

  @Prop({ type: String })
  departmentId?: string;

  @Prop({ type: String })
  departmentName?: string;

  /** A department's e-mail or `Livechat_offline_email`, resolved at acceptance. */
  @Prop({ type: String, required: true })
  to: string;

  /** The mail's Message-ID, the same on every attempt (receivers can drop duplicates). */
  @Prop({ type: String, required: true })
  messageId: string;

  /** Attempts started so far; attempt n is claimed as `<_id>:<n>` (see OfflineMessageClaim). */
  @Prop({ type: Number, required: true, default: 0 })
  attempts: number;

  /** Marked failed once `attempts` reaches this; a console retry raises it. */
  @Prop({ type: Number, required: true })
  maxAttempts: number;

  @Prop({ type: Date, required: true })
  nextAttemptAt: Date;

  @Prop({ type: String })
  lastError?: string;

  @Prop({ type: Date, required: true })
  createdAt: Date;

  @Prop({ type: Date, required: true })
  updatedAt: Date;

  @Prop({ type: Date })
  sentAt?: Date;
}

export const OfflineMessageSchema = SchemaFactory.createForClass(OfflineMessage);
OfflineMessageSchema.index({ status: 1, nextAttemptAt: 1 });
OfflineMessageSchema.index({ createdAt: -1 });

/**
 * `livechat_offline_message_claims`: who runs attempt n of a message. An attempt is
 * claimed by inserting `{ _id: '<messageId>:<n>' }`; the unique `_id` lets exactly one
 * insert win, on MongoDB and on FerretDB alike. (A conditional updateOne would not do:
 * FerretDB applies updates as an unlocked read-modify-write, so two instances could both
 * "win" it and send the same mail at the same moment.)
 */
@Schema({ collection: 'livechat_offline_message_claims', versionKey: false })
export class OfflineMessageClaim {
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: String, required: true })
  offlineMessageId: string;

  /** The instance that claimed it (for the logs). */
  @Prop({ type: String, required: true })
  instance: string;

  @Prop({ type: Date, required: true })
  at: Date;
}

export const OfflineMessageClaimSchema = SchemaFactory.createForClass(OfflineMessageClaim);
OfflineMessageClaimSchema.index({ at: 1 });
