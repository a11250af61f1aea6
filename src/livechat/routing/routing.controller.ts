import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller } from '../../auth/auth.decorators';
import { RequirePermissions } from '../../auth/route-permissions';
import type { AuthenticatedUser } from '../../users/users.service';
import { DepartmentsService } from '../departments/departments.service';
import { UnitScope } from '../units/unit-scope';
import { RoutingService } from './routing.service';

@ApiTags('routing')
@Controller('livechat/department')
export class RoutingController {
  constructor(
    private readonly routing: RoutingService,
    private readonly departments: DepartmentsService,
    private readonly scopes: UnitScope,
  ) {}

  @Post(':_id/next-agent')
  @HttpCode(200)
  @RequirePermissions('view-l-room')
  async nextAgent(@Param('_id') id: string, @Caller() caller: AuthenticatedUser) {
    // A monitor routes only within its units.
    await this.departments.assertReadable(id, await this.scopes.of(caller));
    return { agent: await this.routing.nextAgent(id) };
  }
}
