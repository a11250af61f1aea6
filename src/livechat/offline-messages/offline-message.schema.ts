import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const OFFLINE_MESSAGE_STATUSES = ['pending', 'sent', 'failed'] as const;
export type OfflineMessageStatus = (typeof OFFLINE_MESSAGE_STATUSES)[number];

/**
 * `livechat_offline_messages` (our extension): the outbox. A visitor's message is stored
 * here before the widget gets its 200, then delivered in the background. Everything the
 * mail needs is fixed at acceptance (recipient, Message-ID), so a retry, another instance
 * or a restart sends the same mail.
 *
 * An attempt in flight is a `pending` message with an `attemptId`: the claim sets it (a
 * conditional write on a pending message without one), and every write that concludes the
 * attempt names it in its filter, so an attempt that was given up on changes nothing.
 * `sent` is final: no write's filter matches it.
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

  /** Attempts started so far (counted when claimed, so an interrupted one counts too). */
  @Prop({ type: Number, required: true, default: 0 })
  attempts: number;

  /** The attempt in flight (unique per attempt); absent when none is. */
  @Prop({ type: String })
  attemptId?: string;

  /** When the attempt in flight started, on its instance's clock: for people, never compared. */
  @Prop({ type: Date })
  attemptStartedAt?: Date;

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
