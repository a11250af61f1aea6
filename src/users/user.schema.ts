import { Prop, Schema, SchemaFactory, raw } from '@nestjs/mongoose';
import { randomId } from '../common/ids';

export type LivechatStatus = 'available' | 'not-available';

export interface LoginToken {
  when: Date;
  hashedToken: string;
}

/** Rocket.Chat's `users` document (the fields this service reads or writes). */
@Schema({
  collection: 'users',
  versionKey: false,
  timestamps: { createdAt: 'createdAt', updatedAt: '_updatedAt' },
})
export class User {
  @Prop({ type: String, default: () => randomId() })
  _id: string;

  @Prop({ type: String, required: true })
  username: string;

  @Prop({ type: String })
  name?: string;

  @Prop({
    type: [raw({ address: { type: String }, verified: { type: Boolean }, _id: false })],
    default: [],
  })
  emails: { address: string; verified: boolean }[];

  @Prop({ type: [String], default: [] })
  roles: string[];

  @Prop({ type: Boolean, default: true })
  active: boolean;

  @Prop({ type: String, default: 'offline' })
  status: string;

  /** The presence the user chose (Rocket.Chat's `users.setStatus` sets both). */
  @Prop({ type: String })
  statusDefault?: string;

  @Prop({ type: String })
  statusText?: string;

  @Prop({ type: String })
  statusLivechat?: LivechatStatus;

  @Prop({ type: String, default: 'user' })
  type: string;

  @Prop(
    raw({
      password: { bcrypt: { type: String } },
      resume: {
        loginTokens: [{ when: { type: Date }, hashedToken: { type: String }, _id: false }],
      },
    }),
  )
  services?: {
    password?: { bcrypt?: string };
    resume?: { loginTokens?: LoginToken[] };
  };

  createdAt?: Date;
  _updatedAt?: Date;
}

export const UserSchema = SchemaFactory.createForClass(User);
UserSchema.index({ username: 1 }, { unique: true });
// Not enforced by FerretDB (array path): IdentityReservations is what keeps addresses unique.
UserSchema.index({ 'emails.address': 1 }, { unique: true });
UserSchema.index({ roles: 1 });
