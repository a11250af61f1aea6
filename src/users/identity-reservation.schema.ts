import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * - `pending`: taken by a create that has not inserted its user yet (or crashed before it did);
 * - `held`: the user exists (or existed: a delete releases it afterwards).
 */
export type ReservationState = 'pending' | 'held';

/**
 * One unique identity of a user (`email:<address>`, `username:<name>`, both lowercased) as a
 * document whose `_id` is the key. The database refuses a second insert of the same `_id` on
 * every instance and on both databases, which a unique index on `emails.address` (an array
 * path) does not on FerretDB, and neither can express usernames unique regardless of case.
 */
@Schema({ collection: 'users_identity_reservations', versionKey: false })
export class IdentityReservation {
  @Prop({ type: String })
  _id: string;

  @Prop({ type: String, required: true })
  userId: string;

  @Prop({ type: String, required: true })
  state: ReservationState;
}

export const IdentityReservationSchema = SchemaFactory.createForClass(IdentityReservation);
