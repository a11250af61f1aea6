import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller } from '../../auth/auth.decorators';
import { PermissionsService } from '../../permissions/permissions.service';
import type { AuthenticatedUser } from '../../users/users.service';
import { RoutingService } from './routing.service';

@ApiTags('routing')
@Controller('livechat/department')
export class RoutingController {
  constructor(
    private readonly routing: RoutingService,
    private readonly permissions: PermissionsService,
  ) {}

  @Post(':_id/next-agent')
  @HttpCode(200)
  async nextAgent(@Param('_id') id: string, @Caller() caller: AuthenticatedUser) {
    await this.permissions.assertAny(caller, ['view-l-room']);
    return { agent: await this.routing.nextAgent(id) };
  }
}
