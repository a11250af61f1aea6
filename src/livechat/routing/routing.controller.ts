import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller } from '../../auth/auth.decorators';
import { PermissionsService } from '../../permissions/permissions.service';
import type { AuthenticatedUser } from '../../users/users.service';
import { DepartmentsService } from '../departments/departments.service';
import { UnitScope } from '../units/unit-scope';
import { RoutingService } from './routing.service';

@ApiTags('routing')
@Controller('livechat/department')
export class RoutingController {
  constructor(
    private readonly routing: RoutingService,
    private readonly permissions: PermissionsService,
    private readonly departments: DepartmentsService,
    private readonly scopes: UnitScope,
  ) {}

  @Post(':_id/next-agent')
  @HttpCode(200)
  async nextAgent(@Param('_id') id: string, @Caller() caller: AuthenticatedUser) {
    await this.permissions.assertAny(caller, ['view-l-room']);
    // A monitor routes only within its units.
    await this.departments.assertReadable(id, await this.scopes.of(caller));
    return { agent: await this.routing.nextAgent(id) };
  }
}
