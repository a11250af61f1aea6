import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * `livechat_write_leases`: who may write a key (a department) right now, across every
 * instance on the database. Acquired by inserting the key as `_id` (a unique-index insert
 * is atomic on MongoDB and on FerretDB alike), released by deleting it. Only its holder
 * updates it (the heartbeat), so FerretDB's unlocked read-modify-write cannot lose a beat.
 */
@Schema({ collection: 'livechat_write_leases', versionKey: false })
export class WriteLease {
  @Prop({ type: String, required: true })
  _id: string;

  /** The instance holding it (random per process start). */
  @Prop({ type: String, required: true })
  owner: string;

  /** Random per acquisition: the fencing token every step of the holder checks. */
  @Prop({ type: String, required: true })
  nonce: string;

  /** Bumped by the holder while it holds the lease; a beat that stops means a dead holder. */
  @Prop({ type: Number, required: true })
  beat: number;
}

export const WriteLeaseSchema = SchemaFactory.createForClass(WriteLease);

/**
 * `livechat_write_lease_takeovers`: one document per lease taken from a holder presumed
 * dead, `_id` = `<key>~<nonce>`. The unique insert decides which waiter takes over, so
 * two waiters can never both delete the dead lease (and with it a newer one).
 */
@Schema({ collection: 'livechat_write_lease_takeovers', versionKey: false })
export class WriteLeaseTakeover {
  @Prop({ type: String, required: true })
  _id: string;

  /** Only for pruning old markers. */
  @Prop({ type: Date, required: true })
  ts: Date;
}

export const WriteLeaseTakeoverSchema = SchemaFactory.createForClass(WriteLeaseTakeover);
WriteLeaseTakeoverSchema.index({ ts: 1 });

/**
 * `livechat_write_epochs`: per lease key, the epoch of its latest holder. Incremented
 * atomically at every acquisition and never deleted, so epochs only grow: every write of
 * a holder carries its epoch, and the database refuses it once a later holder wrote
 * (see fencing.ts).
 */
@Schema({ collection: 'livechat_write_epochs', versionKey: false })
export class WriteEpoch {
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: Number, required: true })
  epoch: number;
}

export const WriteEpochSchema = SchemaFactory.createForClass(WriteEpoch);
