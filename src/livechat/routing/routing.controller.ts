import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../../auth/route-permissions';
import { DepartmentsService } from '../departments/departments.service';
import { CallerScope } from '../scope/caller-scope';
import type { Scope } from '../scope/scope';
import { RoutingService } from './routing.service';

@ApiTags('routing')
@Controller('livechat/department')
export class RoutingController {
  constructor(
    private readonly routing: RoutingService,
    private readonly departments: DepartmentsService,
  ) {}

  @Post(':_id/next-agent')
  @HttpCode(200)
  @RequirePermissions('view-l-room')
  async nextAgent(@Param('_id') id: string, @CallerScope() scope: Scope) {
    // A monitor routes only within its units.
    await this.departments.assertReadable(id, scope);
    return { agent: await this.routing.nextAgent(id, scope) };
  }
}
