import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import {
  WriteEpoch,
  WriteEpochSchema,
  WriteLease,
  WriteLeaseSchema,
  WriteLeaseTakeover,
  WriteLeaseTakeoverSchema,
} from './write-lease.schema';
import { WriteLeases } from './write-leases';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: WriteLease.name, schema: WriteLeaseSchema },
      { name: WriteLeaseTakeover.name, schema: WriteLeaseTakeoverSchema },
      { name: WriteEpoch.name, schema: WriteEpochSchema },
    ]),
  ],
  providers: [WriteLeases],
  exports: [WriteLeases],
})
export class CoordinationModule {}
