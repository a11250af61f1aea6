import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** `rocketchat_settings`: `{ _id, value }`. */
@Schema({
  collection: 'rocketchat_settings',
  versionKey: false,
  timestamps: { createdAt: false, updatedAt: '_updatedAt' },
})
export class Setting {
  @Prop({ type: String })
  _id: string;

  @Prop({ type: Object })
  value: unknown;

  _updatedAt?: Date;
}

export const SettingSchema = SchemaFactory.createForClass(Setting);
