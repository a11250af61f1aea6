import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** `rocketchat_permissions`: which roles hold a permission. */
@Schema({
  collection: 'rocketchat_permissions',
  versionKey: false,
  timestamps: { createdAt: false, updatedAt: '_updatedAt' },
})
export class Permission {
  @Prop({ type: String })
  _id: string;

  @Prop({ type: [String], default: [] })
  roles: string[];

  _updatedAt?: Date;
}

export const PermissionSchema = SchemaFactory.createForClass(Permission);
