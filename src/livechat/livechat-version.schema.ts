import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * `livechat_version`: one document, `{ _id: 'livechat', v }`. Every write that can change what
 * the widget or the department lists show increments `v` (one atomic `$inc`, on MongoDB and on
 * the embedded database's front alike) before it answers; instances compare it with the `v`
 * their in-memory answers were built from, so none rebuilds while nothing changed and each sees
 * another's acknowledged write once it reads `v` again.
 */
@Schema({ collection: 'livechat_version', versionKey: false })
export class LivechatVersionDocument {
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: Number, required: true })
  v: number;
}

export const LivechatVersionSchema = SchemaFactory.createForClass(LivechatVersionDocument);
