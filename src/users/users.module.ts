import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PermissionsModule } from '../permissions/permissions.module';
import { IdentityReservation, IdentityReservationSchema } from './identity-reservation.schema';
import { IdentityReservations } from './identity-reservations.repository';
import { UsersRepository } from './users.repository';
import { UserLifecycle } from './user-lifecycle';
import { User, UserSchema } from './user.schema';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: User.name, schema: UserSchema },
      { name: IdentityReservation.name, schema: IdentityReservationSchema },
    ]),
    PermissionsModule,
  ],
  controllers: [UsersController],
  providers: [UsersRepository, UsersService, IdentityReservations, UserLifecycle],
  exports: [UsersService, UserLifecycle],
})
export class UsersModule {}
