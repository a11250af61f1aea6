import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * `livechat_widget_version`: one document, `{ _id: 'widget', v }`. Every write that can change
 * the widget's answer increments `v` (one atomic `$inc`, on MongoDB and on the embedded
 * database's front alike); instances compare it with the `v` their answer was built from, so
 * none rebuilds while nothing changed and each sees another's write once it reads `v` again.
 */
@Schema({ collection: 'livechat_widget_version', versionKey: false })
export class WidgetVersionDocument {
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: Number, required: true })
  v: number;
}

export const WidgetVersionSchema = SchemaFactory.createForClass(WidgetVersionDocument);
